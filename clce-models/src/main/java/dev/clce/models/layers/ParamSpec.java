package dev.clce.models.layers;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a model's state: a parameter or a buffer, with the name and shape that torchvision's
 * {@code state_dict()} gives it, its role, how it is initialised, and how its graph variable is laid
 * out.
 *
 * <p>The graph variable of the entry has exactly this name; its shape is {@link #graphShape()}, which
 * equals {@link #shape()} except for a {@link StateLayout#CONV2D_YXIO} convolution weight (torchvision
 * {@code [out, in, kH, kW]}, graph {@code [kH, kW, in, out]}). Everything that speaks torchvision
 * (weight files, parameter listings, counts) uses {@link #shape()}; {@link StateLayout} converts.
 *
 * @param name the torchvision state-dict key, also the SameDiff variable name
 * @param shape the torchvision (state-dict) shape (empty for a scalar)
 * @param role whether the entry is trained, a running statistic, or a counter
 * @param init how a freshly built model fills the entry
 * @param layout how the graph variable is laid out relative to {@code shape}
 */
public record ParamSpec(String name, long[] shape, Role role, Init init, StateLayout layout) {

  /** What an entry of the state is. */
  public enum Role {
    /** A trainable parameter: a SameDiff {@code VARIABLE}. */
    TRAINABLE,
    /** A BatchNorm running mean: a SameDiff {@code CONSTANT} updated after each training step. */
    RUNNING_MEAN,
    /** A BatchNorm running variance: a SameDiff {@code CONSTANT} updated after each training step. */
    RUNNING_VAR,
    /** A BatchNorm {@code num_batches_tracked} counter: an INT64 scalar {@code CONSTANT}. */
    BATCH_COUNT
  }

  /**
   * How a parameter is initialised.
   *
   * @param kind the distribution
   * @param value the standard deviation ({@link Kind#NORMAL}), the half-width ({@link Kind#UNIFORM})
   *     or the value ({@link Kind#CONSTANT})
   */
  public record Init(Kind kind, double value) {
    /** The distributions. */
    public enum Kind {
      /** Normal with mean 0 and standard deviation {@code value}. */
      NORMAL,
      /** Uniform on {@code [-value, value]}. */
      UNIFORM,
      /** Every element equals {@code value}. */
      CONSTANT
    }

    /**
     * @param std standard deviation, &gt;= 0
     * @return a zero-mean normal initialiser
     */
    public static Init normal(double std) {
      return new Init(Kind.NORMAL, std);
    }

    /**
     * @param bound half-width, &gt;= 0
     * @return a uniform initialiser on [-bound, bound]
     */
    public static Init uniform(double bound) {
      return new Init(Kind.UNIFORM, bound);
    }

    /**
     * @param value the value
     * @return a constant initialiser
     */
    public static Init constant(double value) {
      return new Init(Kind.CONSTANT, value);
    }
  }

  /**
   * Checks the entry.
   *
   * @param name the state-dict key
   * @param shape the state-dict shape
   * @param role the role
   * @param init the initialiser
   * @param layout the graph layout
   */
  public ParamSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(init, "init");
    Objects.requireNonNull(layout, "layout");
    shape = shape.clone();
    for (long d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException("shape: every dimension must be > 0, got " + Arrays.toString(shape) + " for " + name);
      }
    }
    if (layout.rank() >= 0 && layout.rank() != shape.length) {
      throw new IllegalArgumentException("layout: " + layout + " needs rank " + layout.rank() + ", got shape "
          + Arrays.toString(shape) + " for " + name);
    }
  }

  /**
   * An entry whose graph variable has the state-dict layout ({@link StateLayout#SAME}).
   *
   * @param name the state-dict key
   * @param shape the shape
   * @param role the role
   * @param init the initialiser
   */
  public ParamSpec(String name, long[] shape, Role role, Init init) {
    this(name, shape, role, init, StateLayout.SAME);
  }

  /** @return a copy of the state-dict (torchvision) shape */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** @return the shape of the graph variable ({@link StateLayout#graphShape} of {@link #shape()}) */
  public long[] graphShape() {
    return layout.graphShape(shape);
  }

  /** @return the number of elements */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** @return true for a trainable parameter */
  public boolean trainable() {
    return role == Role.TRAINABLE;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParamSpec p && name.equals(p.name) && Arrays.equals(shape, p.shape) && role == p.role && init.equals(p.init)
        && layout == p.layout;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), role, init, layout);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + (role == Role.TRAINABLE ? "" : " (" + role + ")")
        + (layout == StateLayout.SAME ? "" : " (graph " + layout + " " + Arrays.toString(graphShape()) + ")");
  }
}

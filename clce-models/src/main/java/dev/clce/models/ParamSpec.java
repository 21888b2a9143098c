package dev.clce.models;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a model's state: a parameter or a buffer, with the name and shape that torchvision's
 * {@code state_dict()} gives it, its role, and how it is initialised.
 *
 * <p>The graph variable of the entry has exactly this name and shape, so that a torchvision state
 * dict maps onto a model one to one.
 *
 * @param name the torchvision state-dict key, also the SameDiff variable name
 * @param shape the torchvision shape (empty for a scalar)
 * @param role whether the entry is trained, a running statistic, or a counter
 * @param init how a freshly built model fills the entry
 */
public record ParamSpec(String name, long[] shape, Role role, Init init) {

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
   * @param shape the shape
   * @param role the role
   * @param init the initialiser
   */
  public ParamSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(init, "init");
    shape = shape.clone();
    for (long d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException("shape: every dimension must be > 0, got " + Arrays.toString(shape) + " for " + name);
      }
    }
  }

  /** @return a copy of the shape */
  @Override
  public long[] shape() {
    return shape.clone();
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
    return o instanceof ParamSpec p && name.equals(p.name) && Arrays.equals(shape, p.shape) && role == p.role && init.equals(p.init);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), role, init);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + (role == Role.TRAINABLE ? "" : " (" + role + ")");
  }
}

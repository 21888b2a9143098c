package dev.clce.models.ops;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code x * scale + shift} for a matrix {@code x} [N, D] and vectors {@code scale}, {@code shift}
 * [D] (one per column): the affine part of {@link dev.clce.models.layers.LayerNorm}.
 *
 * <p>Forward, one native op: ND4J's {@code batchnorm} kernel over the columns with mean 0, variance 1
 * and epsilon 0, which is exactly {@code x * scale + shift}; the two constant inputs are built by the
 * caller with {@link #identityStatistics}. Gradient from three plain ops (a broadcast multiply and two
 * column sums): {@code dx = g * scale}, {@code dscale = sum_rows(g * x)}, {@code dshift = sum_rows(g)}.
 * SameDiff's own {@code multiply_bp} / {@code add_bp} for the broadcast are much slower
 * (docs/PERFORMANCE.md).
 */
public final class ScaleShift extends BatchNormKernelOp {

  /** This op's name in graphs. */
  public static final String OP_NAME = "clce_scale_shift";
  /** Suffix of the constant zeros made by {@link #identityStatistics}. */
  public static final String ZEROS_SUFFIX = ".zeros";
  /** Suffix of the constant ones made by {@link #identityStatistics}. */
  public static final String ONES_SUFFIX = ".ones";

  static {
    ClceOps.register();
  }

  /** For SameDiff's rebuilding by name. */
  public ScaleShift() {
    super();
  }

  /**
   * @param sd the graph
   * @param x input [N, D]
   * @param zeros the constant zeros [D] of {@link #identityStatistics}
   * @param ones the constant ones [D] of {@link #identityStatistics}
   * @param scale [D]
   * @param shift [D]
   */
  public ScaleShift(SameDiff sd, SDVariable x, SDVariable zeros, SDVariable ones, SDVariable scale, SDVariable shift) {
    super(sd, new SDVariable[] {x, zeros, ones, scale, shift}, 0.0, true, 1);   // epsilon 0: sqrt(1 + 0) = 1 exactly
  }

  /**
   * The constant mean (zeros) and variance (ones) inputs, of length {@code d}.
   *
   * @param sd the graph
   * @param name prefix of the two constants' names
   * @param dataType their type (the model's)
   * @param d the number of columns
   * @return {zeros, ones}
   */
  public static SDVariable[] identityStatistics(SameDiff sd, String name, DataType dataType, long d) {
    return new SDVariable[] {
        sd.constant(name + ZEROS_SUFFIX, org.nd4j.linalg.factory.Nd4j.zeros(dataType, d)),
        sd.constant(name + ONES_SUFFIX, org.nd4j.linalg.factory.Nd4j.ones(dataType, d))};
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradients) {
    SDVariable[] a = args();
    SDVariable g = gradients.get(0);
    SDVariable dx = g.mul(a[3]);
    SDVariable dScale = g.mul(a[0]).sum(0);
    SDVariable dShift = g.sum(0);
    return List.of(dx, sameDiff.zerosLike(a[1]), sameDiff.zerosLike(a[2]), dScale, dShift);
  }
}

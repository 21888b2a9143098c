package dev.clce.models.ops;

import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The arguments every op on ND4J's {@code batchnorm} / {@code batchnorm_bp} kernels shares: epsilon,
 * whether the kernel applies a scale and a shift (gamma and beta among the inputs), and the axis of the
 * input that indexes the statistics. They are the kernel's integer and floating-point arguments and the
 * op's properties, so that SameDiff's rebuilt copy gets them back.
 */
abstract class BatchNormKernelOp extends NativeAliasOp {
  private static final String PROP_EPS = "eps";
  private static final String PROP_AFFINE = "affine";
  private static final String PROP_AXIS = "axis";

  private double eps;
  private boolean affine;
  private long statsAxis;

  /** For SameDiff's rebuilding by name. */
  BatchNormKernelOp() {
    super();
  }

  /**
   * @param sd the graph
   * @param inputs the kernel's inputs
   * @param eps added to the variance
   * @param affine whether gamma and beta are among the inputs
   * @param statsAxis the axis of the input that indexes the statistics
   */
  BatchNormKernelOp(SameDiff sd, SDVariable[] inputs, double eps, boolean affine, int statsAxis) {
    super(sd, inputs);
    this.eps = eps;
    this.affine = affine;
    this.statsAxis = statsAxis;
    setArgs();
  }

  /** Checks an epsilon that must be positive (the scale-and-shift use of the kernel passes 0). */
  static double positiveEps(double eps) {
    if (!(eps > 0) || !Double.isFinite(eps)) {
      throw new IllegalArgumentException("eps: must be finite and > 0, got " + eps);
    }
    return eps;
  }

  private void setArgs() {
    iArguments.clear();
    tArguments.clear();
    long a = affine ? 1 : 0;
    addIArgument(a, a, statsAxis);   // apply gamma, apply beta, axis of the statistics
    addTArgument(eps);
  }

  /** @return {@code batchnorm}, the forward kernel; the gradient op names its own */
  @Override
  public String nativeName() {
    return "batchnorm";
  }

  /** @return the epsilon added to the variance */
  public double eps() {
    return eps;
  }

  /** @return whether gamma and beta are among the inputs */
  boolean affine() {
    return affine;
  }

  @Override
  public Map<String, Object> propertiesForFunction() {
    Map<String, Object> m = super.propertiesForFunction();
    m.put(PROP_EPS, eps);
    m.put(PROP_AFFINE, affine ? 1L : 0L);
    m.put(PROP_AXIS, statsAxis);
    return m;
  }

  @Override
  public void setPropertiesForFunction(Map<String, Object> properties) {
    eps = ((Number) properties.get(PROP_EPS)).doubleValue();
    affine = ((Number) properties.get(PROP_AFFINE)).longValue() != 0;
    statsAxis = ((Number) properties.get(PROP_AXIS)).longValue();
    setArgs();
  }
}

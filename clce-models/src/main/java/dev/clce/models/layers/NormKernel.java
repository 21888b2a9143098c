package dev.clce.models.layers;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * How the normalisation layers ({@link dev.clce.models.layers.BatchNorm2d},
 * {@link dev.clce.models.layers.LayerNorm}) compute. Both kernels compute the same function
 * (PyTorch's {@code BatchNorm2d} in training and in inference mode, {@code LayerNorm}); they differ in
 * cost and in the last digits of a double-precision gradient.
 */
public enum NormKernel {
  /** {@link #NATIVE} for FLOAT, HALF and BFLOAT16 models, {@link #PRIMITIVE} for DOUBLE (the default). */
  AUTO,
  /**
   * ND4J's native {@code batchnorm} / {@code batchnorm_bp} kernels through
   * {@link dev.clce.models.ops.FusedBatchNorm}: far fewer ops per layer than the primitive form, so
   * faster (docs/PERFORMANCE.md). The kernel holds epsilon and 1/n in single precision, so in DOUBLE
   * its gradients are not exact to double rounding (how close: docs/MODELS.md).
   */
  NATIVE,
  /**
   * Primitive SameDiff ops (mean, centring, variance, scale, shift), differentiated by SameDiff:
   * exact to double rounding, for gradient checks in DOUBLE; slower.
   */
  PRIMITIVE;

  /**
   * @param dataType the model's floating-point type
   * @return {@link #NATIVE} or {@link #PRIMITIVE}
   */
  public NormKernel resolve(DataType dataType) {
    if (this != AUTO) {
      return this;
    }
    return dataType == DataType.DOUBLE ? PRIMITIVE : NATIVE;
  }

  /** @return the name used on the command line and in recorded configurations */
  public String cliName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

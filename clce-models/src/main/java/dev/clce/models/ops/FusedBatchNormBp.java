package dev.clce.models.ops;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The gradient of {@link FusedBatchNorm} on ND4J's native {@code batchnorm_bp} kernel, which treats
 * {@code mean} and {@code variance} as the batch statistics of {@code x}.
 *
 * <p>Inputs: {@code x}, {@code mean}, {@code variance}, {@code gamma} and {@code beta} (both or
 * neither) and the gradient of the output. Outputs, in order: the gradients of {@code x} (the paths
 * through the batch statistics included), {@code mean} and {@code variance} (zeros), and, with an
 * affine part, {@code gamma} and {@code beta}. The statistics are indexed by one axis of {@code x}
 * (1 for BatchNorm over NCHW, 0 for {@link Normalize} over the rows of a matrix). (ND4J's own
 * {@code BatchNormDerivative} declares a single output type in M2.1, so SameDiff cannot use it.)
 */
public final class FusedBatchNormBp extends BatchNormKernelOp {

  /** This op's name in graphs. */
  public static final String OP_NAME = "clce_batch_norm_bp";

  static {
    ClceOps.register();
  }

  /** For SameDiff's rebuilding by name. */
  public FusedBatchNormBp() {
    super();
  }

  /**
   * @param sd the graph
   * @param x input, for example [N, C, H, W]
   * @param mean batch mean, for example [C]
   * @param variance biased batch variance, same shape
   * @param gamma scale, same shape, or null (then {@code beta} is null too)
   * @param beta shift, same shape, or null
   * @param gradient gradient of the output, shaped as {@code x}
   * @param eps added to the variance
   * @param axis the axis of {@code x} that indexes the statistics
   */
  public FusedBatchNormBp(SameDiff sd, SDVariable x, SDVariable mean, SDVariable variance, SDVariable gamma,
      SDVariable beta, SDVariable gradient, double eps, int axis) {
    super(sd, gamma == null ? new SDVariable[] {x, mean, variance, gradient} : new SDVariable[] {x, mean, variance, gamma, beta, gradient},
        eps, gamma != null, axis);
    if ((gamma == null) != (beta == null)) {
      throw new IllegalArgumentException("gamma: must be given together with beta, got gamma " + gamma + ", beta " + beta);
    }
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public String nativeName() {
    return "batchnorm_bp";
  }

  @Override
  public int getNumOutputs() {
    return affine() ? 5 : 3;
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradients) {
    throw new UnsupportedOperationException(OP_NAME + ": second derivatives of BatchNorm are not supported");
  }
}

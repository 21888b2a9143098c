package dev.clce.models.ops;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Standardises each row of a matrix with given row statistics, {@code (x - mean) / sqrt(variance + eps)},
 * on ND4J's native {@code batchnorm} kernel (statistics on axis 0, no affine part): the normalisation
 * inside {@link dev.clce.models.layers.LayerNorm}.
 *
 * <p>{@code mean} and {@code variance} [N] must be the row's own mean and biased variance of
 * {@code x} [N, D], passed through {@link ClceOps#stopGradient}: the gradient comes from the native
 * {@code batchnorm_bp} kernel ({@link FusedBatchNormBp}), which includes the paths through the
 * statistics in the gradient of {@code x} and returns zeros for the statistics.
 */
public final class Normalize extends BatchNormKernelOp {

  /** This op's name in graphs. */
  public static final String OP_NAME = "clce_normalize";

  static {
    ClceOps.register();
  }

  /** For SameDiff's rebuilding by name. */
  public Normalize() {
    super();
  }

  /**
   * @param sd the graph
   * @param x input [N, D]
   * @param mean row means [N] (no gradient flows to it)
   * @param variance biased row variances [N]
   * @param eps added to the variance, finite and &gt; 0
   */
  public Normalize(SameDiff sd, SDVariable x, SDVariable mean, SDVariable variance, double eps) {
    super(sd, new SDVariable[] {x, mean, variance}, positiveEps(eps), false, 0);
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradients) {
    SDVariable[] a = args();
    SDVariable[] bp = new FusedBatchNormBp(sameDiff, a[0], a[1], a[2], null, null, gradients.get(0), eps(), 0).outputVariables();
    return List.of(bp[0], bp[1], bp[2]);
  }
}

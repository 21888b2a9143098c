package dev.clce.models.ops;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * BatchNorm over an NCHW tensor on ND4J's native {@code batchnorm} kernel, differentiable in
 * SameDiff M2.1 (ND4J's own {@code BatchNorm} is not: see the package documentation).
 *
 * <p>Inputs: {@code x} [N, C, H, W], {@code mean} [C], {@code variance} [C], {@code gamma} [C],
 * {@code beta} [C]; output {@code gamma * (x - mean) / sqrt(variance + eps) + beta}, channels on
 * axis 1.
 *
 * <p>Gradient. In training mode {@code mean} and {@code variance} are the batch's own statistics of
 * {@code x} (biased variance), and the native {@code batchnorm_bp} kernel ({@link FusedBatchNormBp})
 * returns the full gradient with respect to {@code x}, the paths through the batch statistics
 * included. It returns zeros for {@code mean} and {@code variance}; so the caller passes them through
 * {@link ClceOps#stopGradient} and SameDiff does not differentiate the statistics a second time. In
 * inference mode {@code mean} and {@code variance} are the running statistics, constants, and the
 * gradient with respect to {@code x} is {@code g * gamma / sqrt(variance + eps)}. Which one applies is
 * read from the model's training flag, a scalar variable (1 training, 0 inference) named at
 * construction: {@code dx = t * dx_batch + (1 - t) * g * gamma / sqrt(variance + eps)}. The gradients
 * of {@code gamma} and {@code beta} are the kernel's in both modes.
 */
public final class FusedBatchNorm extends BatchNormKernelOp {

  /** This op's name in graphs. */
  public static final String OP_NAME = "clce_batch_norm";
  private static final String PROP_FLAG = "trainingFlag";

  static {
    ClceOps.register();
  }

  private String trainingFlag;

  /** For SameDiff's rebuilding by name. */
  public FusedBatchNorm() {
    super();
  }

  /**
   * @param sd the graph
   * @param x input [N, C, H, W]
   * @param mean [C]: the batch mean in training, the running mean in inference (no gradient flows to it)
   * @param variance [C]: the biased batch variance in training, the running variance in inference
   * @param gamma scale [C]
   * @param beta shift [C]
   * @param eps added to the variance, finite and &gt; 0
   * @param trainingFlag the scalar training-flag variable of the graph (1 training, 0 inference)
   */
  public FusedBatchNorm(SameDiff sd, SDVariable x, SDVariable mean, SDVariable variance, SDVariable gamma,
      SDVariable beta, double eps, SDVariable trainingFlag) {
    super(sd, new SDVariable[] {x, mean, variance, gamma, beta}, positiveEps(eps), true, 1);
    if (trainingFlag == null) {
      throw new IllegalArgumentException("trainingFlag: must not be null");
    }
    this.trainingFlag = trainingFlag.name();
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public Map<String, Object> propertiesForFunction() {
    Map<String, Object> m = super.propertiesForFunction();
    m.put(PROP_FLAG, trainingFlag);
    return m;
  }

  @Override
  public void setPropertiesForFunction(Map<String, Object> properties) {
    super.setPropertiesForFunction(properties);
    trainingFlag = (String) properties.get(PROP_FLAG);
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradients) {
    SDVariable[] a = args();
    SDVariable g = gradients.get(0);
    SDVariable[] bp = new FusedBatchNormBp(sameDiff, a[0], a[1], a[2], a[3], a[4], g, eps(), 1).outputVariables();
    SDVariable t = sameDiff.getVariable(trainingFlag);
    if (t == null) {
      throw new IllegalStateException(OP_NAME + ": the graph has no training flag named " + trainingFlag);
    }
    SDVariable inferenceScale = a[3].mul(sameDiff.math().rsqrt(a[2].add(eps()))).mul(t.rsub(1.0)).reshape(1, -1, 1, 1);
    SDVariable dx = bp[0].mul(t).add(g.mul(inferenceScale));
    return List.of(dx, bp[1], bp[2], bp[3], bp[4]);
  }
}

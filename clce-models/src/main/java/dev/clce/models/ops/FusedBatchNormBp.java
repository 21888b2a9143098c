package dev.clce.models.ops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The gradient of {@link FusedBatchNorm} on ND4J's native {@code batchnorm_bp} kernel, which treats
 * {@code mean} and {@code variance} as the batch statistics of {@code x}.
 *
 * <p>Inputs: {@code x}, {@code mean}, {@code variance}, {@code gamma}, {@code beta} and the gradient
 * of the output. Outputs, in order: the gradients of {@code x} (the paths through the batch statistics
 * included), {@code mean} and {@code variance} (zeros), {@code gamma} and {@code beta}. (ND4J's own
 * {@code BatchNormDerivative} declares a single output type in M2.1, so SameDiff cannot use it.)
 */
public final class FusedBatchNormBp extends NativeAliasOp {

  /** This op's name in graphs. */
  public static final String OP_NAME = "clce_batch_norm_bp";
  private static final String PROP_EPS = "eps";
  private static final int OUTPUTS = 5;

  static {
    ClceOps.register();
  }

  private double eps;

  /** For SameDiff's rebuilding by name. */
  public FusedBatchNormBp() {
    super();
  }

  /**
   * @param sd the graph
   * @param x input [N, C, H, W]
   * @param mean batch mean [C]
   * @param variance biased batch variance [C]
   * @param gamma scale [C]
   * @param beta shift [C]
   * @param gradient gradient of the BatchNorm output [N, C, H, W]
   * @param eps added to the variance
   */
  public FusedBatchNormBp(SameDiff sd, SDVariable x, SDVariable mean, SDVariable variance, SDVariable gamma,
      SDVariable beta, SDVariable gradient, double eps) {
    super(sd, new SDVariable[] {x, mean, variance, gamma, beta, gradient});
    this.eps = eps;
    setArgs();
  }

  private void setArgs() {
    iArguments.clear();
    tArguments.clear();
    addIArgument(1, 1, 1);   // apply gamma, apply beta, channel axis
    addTArgument(eps);
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
    return OUTPUTS;
  }

  @Override
  public Map<String, Object> propertiesForFunction() {
    Map<String, Object> m = new HashMap<>();
    m.put(PROP_EPS, eps);
    return m;
  }

  @Override
  public void setPropertiesForFunction(Map<String, Object> properties) {
    eps = ((Number) properties.get(PROP_EPS)).doubleValue();
    setArgs();
  }

  @Override
  public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
    DataType t = dataTypes.get(0);
    return List.of(t, t, t, t, t);
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradients) {
    throw new UnsupportedOperationException(OP_NAME + ": second derivatives of BatchNorm are not supported");
  }
}

package dev.clce.models.ops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
public final class Normalize extends NativeAliasOp {

  /** This op's name in graphs. */
  public static final String OP_NAME = "clce_normalize";
  private static final String PROP_EPS = "eps";

  static {
    ClceOps.register();
  }

  private double eps;

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
    super(sd, new SDVariable[] {x, mean, variance});
    if (!(eps > 0) || !Double.isFinite(eps)) {
      throw new IllegalArgumentException("eps: must be finite and > 0, got " + eps);
    }
    this.eps = eps;
    setArgs();
  }

  private void setArgs() {
    iArguments.clear();
    tArguments.clear();
    addIArgument(0, 0, 0);   // no gamma, no beta, statistics on axis 0
    addTArgument(eps);
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public String nativeName() {
    return "batchnorm";
  }

  @Override
  public int getNumOutputs() {
    return 1;
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
    return List.of(dataTypes.get(0));
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradients) {
    SDVariable[] a = args();
    SDVariable[] bp = new FusedBatchNormBp(sameDiff, a[0], a[1], a[2], null, null, gradients.get(0), eps, 0).outputVariables();
    return List.of(bp[0], bp[1], bp[2]);
  }
}

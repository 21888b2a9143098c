package dev.clce.models.ops;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;

/**
 * {@code max(x, 0)} on ND4J's native {@code relu} kernel, with the gradient
 * {@code g * step(x)} (g where {@code x > 0}, else 0, as PyTorch's ReLU) from the native
 * {@code relu_bp} kernel, one element-wise pass, because SameDiff's own ReLU differentiates through
 * the much slower {@code thresholdedrelu_bp} kernel (measured in docs/PERFORMANCE.md).
 */
public final class Relu extends NativeAliasOp {

  /** This op's name in graphs. */
  public static final String OP_NAME = "clce_relu";

  static {
    ClceOps.register();
  }

  /** For SameDiff's rebuilding by name. */
  public Relu() {
    super();
  }

  /**
   * @param sd the graph
   * @param x the input
   */
  public Relu(SameDiff sd, SDVariable x) {
    super(sd, new SDVariable[] {x});
    setArgs();
  }

  private void setArgs() {
    tArguments.clear();
    addTArgument(0.0);   // cut-off
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public String nativeName() {
    return "relu";
  }

  @Override
  public void setPropertiesForFunction(java.util.Map<String, Object> properties) {
    setArgs();
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradients) {
    return List.of(new RectifiedLinearDerivative(sameDiff, arg(0), gradients.get(0)).outputVariable());
  }
}

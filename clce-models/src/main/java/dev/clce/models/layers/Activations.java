package dev.clce.models.layers;

import dev.clce.models.ops.Relu;
import org.nd4j.autodiff.samediff.SDVariable;

/** Activation functions: exact GELU from primitive ops, ReLU on clce's native-kernel op. */
public final class Activations {
  private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

  private Activations() {
  }

  /**
   * Exact GELU, {@code 0.5 x (1 + erf(x / sqrt 2))} ({@code torch.nn.GELU()}; SameDiff's {@code gelu}
   * is the tanh approximation).
   *
   * @param x input
   * @return GELU(x)
   */
  public static SDVariable gelu(SDVariable x) {
    SDVariable erf = x.getSameDiff().math().erf(x.mul(INV_SQRT2));
    return x.mul(erf.add(1.0)).mul(0.5);
  }

  /**
   * ReLU, on clce's {@link Relu} op (native forward; a cheaper gradient than SameDiff's own).
   *
   * @param x input
   * @return max(x, 0)
   */
  public static SDVariable relu(SDVariable x) {
    return new Relu(x.getSameDiff(), x).outputVariable();
  }
}

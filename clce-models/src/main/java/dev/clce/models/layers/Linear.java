package dev.clce.models.layers;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A fully connected layer with PyTorch's weight layout {@code [out, in]}: {@code y = x W^T + b},
 * on the last axis of a rank-2 or rank-3 input.
 *
 * @param weightName state-dict key of the weight
 * @param biasName state-dict key of the bias
 * @param in input features
 * @param out output features
 * @param weightInit initialiser of the weight
 * @param biasInit initialiser of the bias
 */
public record Linear(String weightName, String biasName, int in, int out, ParamSpec.Init weightInit, ParamSpec.Init biasInit) {

  /**
   * A layer named as {@code torch.nn.Linear} is: {@code prefix.weight}, {@code prefix.bias}.
   *
   * @param prefix state-dict prefix
   * @param in input features
   * @param out output features
   * @param weightInit initialiser of the weight
   * @param biasInit initialiser of the bias
   * @return the layer
   */
  public static Linear of(String prefix, int in, int out, ParamSpec.Init weightInit, ParamSpec.Init biasInit) {
    return new Linear(prefix + Conv2d.WEIGHT, prefix + Conv2d.BIAS, in, out, weightInit, biasInit);
  }

  /**
   * {@code torch.nn.Linear}'s default initialisation: weight and bias uniform on
   * {@code [-1/sqrt(in), 1/sqrt(in)]}.
   *
   * @param prefix state-dict prefix
   * @param in input features
   * @param out output features
   * @return the layer
   */
  public static Linear torchDefault(String prefix, int in, int out) {
    ParamSpec.Init u = ParamSpec.Init.uniform(1.0 / Math.sqrt(in));
    return of(prefix, in, out, u, u);
  }

  /** @return the state entries: weight [out, in], bias [out] */
  public List<ParamSpec> params() {
    return List.of(
        new ParamSpec(weightName, new long[] {out, in}, ParamSpec.Role.TRAINABLE, weightInit),
        new ParamSpec(biasName, new long[] {out}, ParamSpec.Role.TRAINABLE, biasInit));
  }

  /**
   * Adds the layer to the graph for a rank-2 input.
   *
   * @param ctx the graph context
   * @param x input [N, in]
   * @return output [N, out]
   */
  public SDVariable forward(GraphContext ctx, SDVariable x) {
    List<ParamSpec> p = params();
    SDVariable w = ctx.param(p.get(0));
    SDVariable b = ctx.param(p.get(1));
    return ctx.sd().mmul(x, w, false, true, false).add(b);
  }

  /**
   * Adds the layer to the graph for a rank-3 input (the token axis is flattened into the batch).
   *
   * @param ctx the graph context
   * @param x input [N, T, in]
   * @param tokens T, fixed when the graph is built
   * @return output [N, T, out]
   */
  public SDVariable forward3d(GraphContext ctx, SDVariable x, int tokens) {
    SDVariable flat = x.reshape(-1, in);
    return forward(ctx, flat).reshape(-1, tokens, out);
  }
}

package dev.clce.models.layers;

import dev.clce.models.ParamSpec;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Layer normalisation over the last axis with an affine transform, as {@code torch.nn.LayerNorm}:
 * {@code (x - mean) / sqrt(var + eps) * weight + bias} with the biased variance. Built from
 * primitive ops so that it differentiates.
 *
 * @param name state-dict prefix ({@code name.weight}, {@code name.bias})
 * @param dim size of the last axis
 * @param eps added to the variance
 */
public record LayerNorm(String name, int dim, double eps) {

  /** @return the state entries: weight [dim] (ones), bias [dim] (zeros) */
  public List<ParamSpec> params() {
    return List.of(
        new ParamSpec(name + Conv2d.WEIGHT, new long[] {dim}, ParamSpec.Role.TRAINABLE, ParamSpec.Init.constant(1.0)),
        new ParamSpec(name + Conv2d.BIAS, new long[] {dim}, ParamSpec.Role.TRAINABLE, ParamSpec.Init.constant(0.0)));
  }

  /**
   * Adds the normalisation to the graph.
   *
   * @param ctx the graph context
   * @param x input [N, T, dim]
   * @return normalised input, same shape
   */
  public SDVariable forward(GraphContext ctx, SDVariable x) {
    List<ParamSpec> p = params();
    SDVariable w = ctx.param(p.get(0));
    SDVariable b = ctx.param(p.get(1));
    int last = 2;
    SDVariable mean = x.mean(true, last);
    SDVariable centred = x.sub(mean);
    SDVariable var = ctx.sd().math().square(centred).mean(true, last);
    SDVariable inv = ctx.sd().math().rsqrt(var.add(eps));
    return centred.mul(inv).mul(w).add(b);
  }
}

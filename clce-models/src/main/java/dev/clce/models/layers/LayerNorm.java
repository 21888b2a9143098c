package dev.clce.models.layers;

import dev.clce.models.ops.ClceOps;
import dev.clce.models.ops.Normalize;
import dev.clce.models.ops.ScaleShift;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Layer normalisation over the last axis with an affine transform, as {@code torch.nn.LayerNorm}:
 * {@code (x - mean) / sqrt(var + eps) * weight + bias} with the biased variance. With
 * {@link NormKernel#NATIVE} (the default for FLOAT models) on ND4J's native normalisation kernel
 * ({@link Normalize}, then {@link ScaleShift}); with {@link NormKernel#PRIMITIVE} (the default for
 * DOUBLE) from primitive ops differentiated by SameDiff.
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
    if (ctx.normKernel() == NormKernel.NATIVE) {
      return nativeKernel(ctx, x, w, b);
    }
    int last = 2;
    SDVariable mean = x.mean(true, last);
    SDVariable centred = x.sub(mean);
    SDVariable var = ctx.sd().math().square(centred).mean(true, last);
    SDVariable inv = ctx.sd().math().rsqrt(var.add(eps));
    return centred.mul(inv).mul(w).add(b);
  }

  /** The same function on ND4J's native normalisation kernel ({@link NormKernel#NATIVE}). */
  private SDVariable nativeKernel(GraphContext ctx, SDVariable x, SDVariable w, SDVariable b) {
    var sd = ctx.sd();
    SDVariable rows = x.reshape(-1, dim);
    SDVariable[] moments = sd.math().moments(rows, new int[] {1}, false);
    SDVariable mean = ClceOps.stopGradient(sd, moments[0]);
    SDVariable var = ClceOps.stopGradient(sd, moments[1]);
    SDVariable normalised = new Normalize(sd, rows, mean, var, eps).outputVariable();
    SDVariable[] identity = ScaleShift.identityStatistics(sd, name, ctx.dataType(), dim);
    SDVariable y = new ScaleShift(sd, normalised, identity[0], identity[1], w, b).outputVariable();
    return y.reshape(sd.shape(x));
  }
}

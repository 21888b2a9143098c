package dev.clce.models.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A pre-norm transformer encoder block as torchvision's {@code EncoderBlock}:
 * {@code x = x + MHSA(LN1(x)); x = x + MLP(LN2(x))}, with multi-head self-attention built from
 * {@code mmul} and {@code softmax} (biases included) and an MLP {@code Linear, GELU (exact), Linear}.
 *
 * @param ln1 first LayerNorm ({@code ln_1})
 * @param inProj packed query/key/value projection [3D, D] ({@code self_attention.in_proj_weight})
 * @param outProj attention output projection ({@code self_attention.out_proj})
 * @param heads number of heads
 * @param ln2 second LayerNorm ({@code ln_2})
 * @param mlp0 first MLP layer ({@code mlp.0})
 * @param mlp3 second MLP layer ({@code mlp.3})
 * @param tokens sequence length T (patches + class token), fixed by the image size
 */
public record EncoderBlock(LayerNorm ln1, Linear inProj, Linear outProj, int heads, LayerNorm ln2, Linear mlp0, Linear mlp3,
    int tokens) {

  /** @return the state entries in torchvision's order */
  public List<ParamSpec> params() {
    List<ParamSpec> p = new ArrayList<>();
    p.addAll(ln1.params());
    p.addAll(inProj.params());
    p.addAll(outProj.params());
    p.addAll(ln2.params());
    p.addAll(mlp0.params());
    p.addAll(mlp3.params());
    return p;
  }

  /**
   * Adds the block to the graph.
   *
   * @param ctx the graph context
   * @param x tokens [N, T, D]
   * @return tokens [N, T, D]
   */
  public SDVariable forward(GraphContext ctx, SDVariable x) {
    int d = ln1.dim();
    var sd = ctx.sd();
    SDVariable h = ln1.forward(ctx, x).reshape(-1, d);          // [N T, D]
    // The packed parameters stay one variable each (torchvision's in_proj_weight [3D, D] and
    // in_proj_bias [3D]); the query/key/value split slices the parameters, whose shapes do not
    // depend on the batch. Splitting the activation instead (point slices of [3, N, H, T, hd])
    // made M2.1's strided_slice_bp fail "Op validation failed" at batch sizes 1 and 2.
    List<ParamSpec> p = inProj.params();
    SDVariable w = ctx.param(p.get(0));
    SDVariable b = ctx.param(p.get(1));
    SDVariable q = heads(sd, h, w, b, 0, d);
    SDVariable k = heads(sd, h, w, b, 1, d);
    SDVariable v = heads(sd, h, w, b, 2, d);
    SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(d / heads)); // [N, H, T, T]
    SDVariable attn = sd.nn().softmax(scores, 3);
    SDVariable o = sd.mmul(attn, v)                             // [N, H, T, hd]
        .permute(0, 2, 1, 3)
        .reshape(-1, tokens, d);
    x = x.add(outProj.forward3d(ctx, o, tokens));
    SDVariable m = mlp0.forward3d(ctx, ln2.forward(ctx, x), tokens);
    m = mlp3.forward3d(ctx, Activations.gelu(m), tokens);
    return x.add(m);
  }

  /**
   * One of the three projections packed in {@code in_proj}: rows {@code [part D, (part + 1) D)} of
   * the weight and the bias, applied to the flattened tokens and split into heads.
   *
   * @return [N, H, T, hd]
   */
  private SDVariable heads(SameDiff sd, SDVariable h, SDVariable w, SDVariable b, int part, int d) {
    SDVariable wp = w.get(SDIndex.interval(part * d, (part + 1) * d), SDIndex.all()); // [D, D]
    SDVariable bp = b.get(SDIndex.interval(part * d, (part + 1) * d));                // [D]
    return sd.mmul(h, wp, false, true, false).add(bp)         // [N T, D]
        .reshape(-1, tokens, heads, d / heads)
        .permute(0, 2, 1, 3);
  }
}

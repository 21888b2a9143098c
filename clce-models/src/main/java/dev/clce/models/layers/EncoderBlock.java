package dev.clce.models.layers;

import dev.clce.models.ParamSpec;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

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
    int hd = d / heads;
    SDVariable h = ln1.forward(ctx, x);
    SDVariable qkv = inProj.forward3d(ctx, h, tokens)           // [N, T, 3D]
        .reshape(-1, tokens, 3, heads, hd)
        .permute(2, 0, 3, 1, 4);                               // [3, N, H, T, hd]
    var sd = ctx.sd();
    // unstack, not qkv.get(SDIndex.point(i)): M2.1's strided_slice_bp fails ("Op validation failed")
    // for the slice at index 2 when the batch N is 2 or less, so a ViT could not train at batch 2.
    SDVariable[] parts = sd.unstack(qkv, 0, 3);
    SDVariable q = parts[0];
    SDVariable k = parts[1];
    SDVariable v = parts[2];
    SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(hd)); // [N, H, T, T]
    SDVariable attn = sd.nn().softmax(scores, 3);
    SDVariable o = sd.mmul(attn, v)                             // [N, H, T, hd]
        .permute(0, 2, 1, 3)
        .reshape(-1, tokens, d);
    x = x.add(outProj.forward3d(ctx, o, tokens));
    SDVariable m = mlp0.forward3d(ctx, ln2.forward(ctx, x), tokens);
    m = mlp3.forward3d(ctx, Activations.gelu(m), tokens);
    return x.add(m);
  }
}

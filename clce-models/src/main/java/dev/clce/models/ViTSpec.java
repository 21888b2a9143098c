package dev.clce.models;

import dev.clce.models.layers.Conv2d;
import dev.clce.models.layers.EncoderBlock;
import dev.clce.models.layers.GraphContext;
import dev.clce.models.layers.LayerNorm;
import dev.clce.models.layers.Linear;
import dev.clce.models.layers.ParamSpec;
import dev.clce.models.layers.ProjectionHead;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A Vision Transformer, layer by layer, as {@link ViTBuilder} lays it out. The graph and the
 * parameter count both read these layers.
 */
public final class ViTSpec extends EncoderSpec {
  private final int patch;
  private final int depth;
  private final int heads;
  private final int mlpDim;
  private final Conv2d convProj;
  private final ParamSpec classToken;
  private final ParamSpec posEmbedding;
  private final List<EncoderBlock> blocks;
  private final LayerNorm ln;

  ViTSpec(String name, ModelOptions options, int patch, int depth, int heads, int mlpDim, Conv2d convProj, ParamSpec classToken,
      ParamSpec posEmbedding, List<EncoderBlock> blocks, LayerNorm ln, Linear head, ProjectionHead projection) {
    super(name, Arch.Family.VIT, options, head, projection);
    this.patch = patch;
    this.depth = depth;
    this.heads = heads;
    this.mlpDim = mlpDim;
    this.convProj = convProj;
    this.classToken = classToken;
    this.posEmbedding = posEmbedding;
    this.blocks = blocks;
    this.ln = ln;
  }

  /** @return the number of tokens (patches plus the class token) */
  public int tokens() {
    int g = options().imageSize() / patch;
    return g * g + 1;
  }

  @Override
  public List<ParamSpec> featureEntries() {
    List<ParamSpec> p = new ArrayList<>();
    p.add(classToken);
    p.addAll(convProj.params());
    p.add(posEmbedding);
    for (EncoderBlock b : blocks) {
      p.addAll(b.params());
    }
    p.addAll(ln.params());
    return p;
  }

  @Override
  public Map<String, Object> details() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("patch", patch);
    m.put("depth", blocks.size());
    m.put("architectureDepth", depth);
    m.put("hidden", ln.dim());
    m.put("heads", heads);
    m.put("mlpDim", mlpDim);
    m.put("tokens", tokens());
    return m;
  }

  @Override
  SDVariable features(GraphContext ctx, SDVariable input, String embeddingName) {
    SameDiff sd = ctx.sd();
    int d = ln.dim();
    int t = tokens();
    SDVariable cls = ctx.param(classToken);
    SDVariable patches = convProj.forward(ctx, input)            // [N, D, g, g]
        .reshape(-1, d, t - 1)
        .permute(0, 2, 1);                                      // [N, T-1, D]
    SDVariable first = patches.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all());
    SDVariable clsBatch = sd.zerosLike(first).add(cls);        // [N, 1, D]
    SDVariable x = sd.concat(1, clsBatch, patches).add(ctx.param(posEmbedding));
    for (EncoderBlock b : blocks) {
      x = b.forward(ctx, x);
    }
    x = ln.forward(ctx, x);
    return sd.identity(embeddingName, x.get(SDIndex.all(), SDIndex.point(0), SDIndex.all()));
  }
}

package dev.clce.models;

import dev.clce.models.layers.Activations;
import dev.clce.models.layers.Conv2d;
import dev.clce.models.layers.EncoderBlock;
import dev.clce.models.layers.GraphContext;
import dev.clce.models.layers.LayerNorm;
import dev.clce.models.layers.Linear;
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
public final class ViTSpec implements ModelSpec {
  private final String name;
  private final ModelOptions options;
  private final int patch;
  private final int depth;
  private final int heads;
  private final int mlpDim;
  private final Conv2d convProj;
  private final ParamSpec classToken;
  private final ParamSpec posEmbedding;
  private final List<EncoderBlock> blocks;
  private final LayerNorm ln;
  private final Linear head;
  private final Linear proj0;
  private final Linear proj2;

  ViTSpec(String name, ModelOptions options, int patch, int depth, int heads, int mlpDim, Conv2d convProj, ParamSpec classToken,
      ParamSpec posEmbedding, List<EncoderBlock> blocks, LayerNorm ln, Linear head, Linear proj0, Linear proj2) {
    this.name = name;
    this.options = options;
    this.patch = patch;
    this.depth = depth;
    this.heads = heads;
    this.mlpDim = mlpDim;
    this.convProj = convProj;
    this.classToken = classToken;
    this.posEmbedding = posEmbedding;
    this.blocks = blocks;
    this.ln = ln;
    this.head = head;
    this.proj0 = proj0;
    this.proj2 = proj2;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Arch.Family family() {
    return Arch.Family.VIT;
  }

  @Override
  public ModelOptions options() {
    return options;
  }

  @Override
  public int embeddingDim() {
    return ln.dim();
  }

  /** @return the number of tokens (patches plus the class token) */
  public int tokens() {
    int g = options.imageSize() / patch;
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
  public List<ParamSpec> headEntries() {
    return head.params();
  }

  @Override
  public List<ParamSpec> projectionEntries() {
    if (proj0 == null) {
      return List.of();
    }
    List<ParamSpec> p = new ArrayList<>(proj0.params());
    p.addAll(proj2.params());
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
  public EncoderModel build() {
    SameDiff sd = SameDiff.create();
    GraphContext ctx = new GraphContext(sd, options.dataType(), options.seed(), ModelNames.TRAINING_FLAG, options.normKernel());
    try (ctx) {
      int d = ln.dim();
      int t = tokens();
      SDVariable input = sd.placeHolder(ModelNames.INPUT, options.dataType(), -1, options.channels(), options.imageSize(), options.imageSize());
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
      SDVariable embedding = sd.identity(ModelNames.EMBEDDING, x.get(SDIndex.all(), SDIndex.point(0), SDIndex.all()));
      SDVariable logits = sd.identity(ModelNames.LOGITS, head.forward(ctx, embedding));
      SDVariable projection = null;
      if (proj0 != null) {
        SDVariable h = Activations.relu(proj0.forward(ctx, embedding));
        projection = sd.identity(ModelNames.PROJECTION, proj2.forward(ctx, h));
      }
      return new EncoderModel(this, sd, ctx, embedding, logits, projection);
    }
  }
}

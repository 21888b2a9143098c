package dev.clce.models;

import dev.clce.models.layers.Conv2d;
import dev.clce.models.layers.EncoderBlock;
import dev.clce.models.layers.LayerNorm;
import dev.clce.models.layers.Linear;
import dev.clce.models.layers.ParamSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds any Vision Transformer of torchvision's layout: a convolutional patch embedding
 * ({@code conv_proj}), a class token, learned position embeddings, pre-norm encoder blocks with
 * multi-head self-attention (biases included) and an MLP with exact GELU, a final LayerNorm
 * (eps 1e-6) and a linear head on the class token.
 *
 * <pre>{@code
 * EncoderModel m = ViTBuilder.custom("vit_tiny_custom", 16, 4, 96, 3, 4.0, options).build();
 * }</pre>
 *
 * <p>Initialisation follows torchvision: patch embedding normal with std {@code sqrt(1 / fan_in)}
 * (torchvision truncates it at 2 std; this does not), class token 0, position embeddings normal
 * std 0.02, attention input projection Xavier uniform with zero bias, attention output projection
 * PyTorch's default uniform with zero bias, MLP Xavier uniform with normal(1e-6) biases, LayerNorm
 * 1 and 0, classifier head 0.
 */
public final class ViTBuilder {
  /** torchvision's LayerNorm epsilon. */
  public static final double LN_EPS = 1e-6;

  private final String name;
  private final int patch;
  private final int depth;
  private final int hidden;
  private final int heads;
  private final double mlpRatio;
  private final ModelOptions options;

  private ViTBuilder(String name, int patch, int depth, int hidden, int heads, double mlpRatio, ModelOptions options) {
    EncoderSpec.checkNameAndOptions(name, options);
    if (patch < 1) {
      throw new IllegalArgumentException("patch: must be >= 1, got " + patch);
    }
    if (depth < 1) {
      throw new IllegalArgumentException("depth: must be >= 1, got " + depth);
    }
    if (heads < 1) {
      throw new IllegalArgumentException("heads: must be >= 1, got " + heads);
    }
    if (hidden < 1 || hidden % heads != 0) {
      throw new IllegalArgumentException("hidden: must be a positive multiple of heads (" + heads + "), got " + hidden);
    }
    if (!Double.isFinite(mlpRatio) || mlpRatio <= 0) {
      throw new IllegalArgumentException("mlpRatio: must be finite and > 0, got " + mlpRatio);
    }
    if (options.imageSize() % patch != 0) {
      throw new IllegalArgumentException("imageSize: must be a multiple of the patch size " + patch + ", got " + options.imageSize());
    }
    if (options.stem() != Stem.IMAGENET) {
      throw new IllegalArgumentException("stem: a ViT has no stem option, got " + options.stem().cliName());
    }
    this.name = name;
    this.patch = patch;
    this.depth = depth;
    this.hidden = hidden;
    this.heads = heads;
    this.mlpRatio = mlpRatio;
    this.options = options;
  }

  /**
   * A ViT of the given shape. The options' width multiplier is not applied here (this is the
   * custom entry point); its depth cap is.
   *
   * @param name architecture name for summaries
   * @param patch patch size (the image size must be a multiple)
   * @param depth number of encoder blocks
   * @param hidden width, a multiple of heads
   * @param heads attention heads
   * @param mlpRatio MLP width over model width
   * @param options the shared options (classes, image size, channels, projection head, seed, type)
   * @return the builder
   */
  public static ViTBuilder custom(String name, int patch, int depth, int hidden, int heads, double mlpRatio, ModelOptions options) {
    return new ViTBuilder(name, patch, depth, hidden, heads, mlpRatio, options);
  }

  /**
   * A registered shape scaled by the options' width multiplier: the width becomes
   * {@code heads * max(1, round(hidden * width / heads))}.
   *
   * @param name architecture name
   * @param patch patch size
   * @param depth number of encoder blocks
   * @param hidden width at multiplier 1
   * @param heads attention heads
   * @param options the shared options
   * @return the builder
   */
  static ViTBuilder scaled(String name, int patch, int depth, int hidden, int heads, ModelOptions options) {
    int perHead = (int) Math.max(1, Math.round(hidden * options.width() / heads));
    return new ViTBuilder(name, patch, depth, perHead * heads, heads, 4.0, options);
  }

  /**
   * Lays the network out; allocates nothing.
   *
   * @return the spec
   */
  public ViTSpec spec() {
    int c = options.channels();
    int grid = options.imageSize() / patch;
    int tokens = grid * grid + 1;
    int mlp = (int) Math.round(hidden * mlpRatio);
    if (mlp < 1) {
      throw new IllegalArgumentException("mlpRatio: gives an MLP width < 1, got " + mlpRatio);
    }
    Conv2d convProj = new Conv2d("conv_proj", c, hidden, patch, patch, 0, true,
        ParamSpec.Init.normal(Math.sqrt(1.0 / ((double) c * patch * patch))), ParamSpec.Init.constant(0));
    ParamSpec classToken = new ParamSpec("class_token", new long[] {1, 1, hidden}, ParamSpec.Role.TRAINABLE, ParamSpec.Init.constant(0));
    ParamSpec posEmbedding = new ParamSpec("encoder.pos_embedding", new long[] {1, tokens, hidden}, ParamSpec.Role.TRAINABLE,
        ParamSpec.Init.normal(0.02));
    int n = options.cappedBlocks(depth);
    List<EncoderBlock> blocks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String p = "encoder.layers.encoder_layer_" + i + ".";
      String a = p + "self_attention.";
      blocks.add(new EncoderBlock(
          new LayerNorm(p + "ln_1", hidden, LN_EPS),
          new Linear(a + "in_proj_weight", a + "in_proj_bias", hidden, 3 * hidden,
              ParamSpec.Init.uniform(Math.sqrt(6.0 / (hidden + 3.0 * hidden))), ParamSpec.Init.constant(0)),
          Linear.of(a + "out_proj", hidden, hidden, ParamSpec.Init.uniform(1.0 / Math.sqrt(hidden)), ParamSpec.Init.constant(0)),
          heads,
          new LayerNorm(p + "ln_2", hidden, LN_EPS),
          Linear.of(p + "mlp.0", hidden, mlp, ParamSpec.Init.uniform(Math.sqrt(6.0 / (hidden + mlp))), ParamSpec.Init.normal(1e-6)),
          Linear.of(p + "mlp.3", mlp, hidden, ParamSpec.Init.uniform(Math.sqrt(6.0 / (hidden + mlp))), ParamSpec.Init.normal(1e-6)),
          tokens));
    }
    LayerNorm ln = new LayerNorm("encoder.ln", hidden, LN_EPS);
    Linear head = Linear.of("heads.head", hidden, options.classes(), ParamSpec.Init.constant(0), ParamSpec.Init.constant(0));
    return new ViTSpec(name, options, patch, depth, heads, mlp, convProj, classToken, posEmbedding, List.copyOf(blocks), ln, head,
        EncoderSpec.projectionHead(options, hidden));
  }

  /**
   * Builds the graph.
   *
   * @return the model
   */
  public EncoderModel build() {
    return spec().build();
  }
}

package dev.clce.models;

import dev.clce.models.layers.GraphContext;
import dev.clce.models.layers.Linear;
import dev.clce.models.layers.ParamSpec;
import dev.clce.models.layers.ProjectionHead;
import java.util.List;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What every encoder family shares: a feature extractor that a family defines (image to pooled
 * embedding), then a linear classifier and an optional {@link ProjectionHead} on that embedding. The
 * graph is built here, so input, names, classifier and projection head are one definition for all
 * families; a family lays out its layers and adds its feature extractor to the graph.
 */
public abstract class EncoderSpec implements ModelSpec {
  private final String name;
  private final Arch.Family family;
  private final ModelOptions options;
  private final Linear head;
  private final ProjectionHead projection;

  /**
   * @param name architecture name
   * @param family the family
   * @param options the options the spec was made from
   * @param head the classifier on the embedding (its input width is the embedding's)
   * @param projection the projection head on the embedding, or null when the options turn it off
   */
  EncoderSpec(String name, Arch.Family family, ModelOptions options, Linear head, ProjectionHead projection) {
    checkNameAndOptions(name, options);
    if (family == null || head == null) {
      throw new IllegalArgumentException("family, head: must not be null, got " + family + ", " + head);
    }
    if (projection != null && projection.hidden().in() != head.in()) {
      throw new IllegalArgumentException("projection: must read the classifier's " + head.in() + " features, got "
          + projection.hidden().in());
    }
    if (options.projectionHead() != (projection != null)) {
      throw new IllegalArgumentException("projection: must be given exactly when the options ask for a projection head, got "
          + projection);
    }
    this.name = name;
    this.family = family;
    this.options = options;
    this.head = head;
    this.projection = projection;
  }

  /**
   * The checks every builder makes of its name and options before laying anything out.
   *
   * @param name architecture name
   * @param options the options
   */
  static void checkNameAndOptions(String name, ModelOptions options) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: must not be blank, got " + name);
    }
    if (options == null) {
      throw new IllegalArgumentException("options: must not be null");
    }
  }

  /**
   * The projection head the options ask for on an embedding of the given width.
   *
   * @param options the options
   * @param embeddingDim width of the embedding
   * @return the head ({@code projection.0}, {@code projection.2}), or null when the options turn it off
   */
  static ProjectionHead projectionHead(ModelOptions options, int embeddingDim) {
    return options.projectionHead()
        ? ProjectionHead.torchDefault(ModelNames.PROJECTION_PREFIX, embeddingDim, options.projectionDim())
        : null;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Arch.Family family() {
    return family;
  }

  /** @return width of the pooled embedding: what the classifier reads */
  @Override
  public final int embeddingDim() {
    return head.in();
  }

  @Override
  public final ModelOptions options() {
    return options;
  }

  /** @return the classifier ({@code fc} or {@code heads.head}) */
  public final Linear head() {
    return head;
  }

  /** @return the projection head, when the options ask for one */
  public final Optional<ProjectionHead> projection() {
    return Optional.ofNullable(projection);
  }

  @Override
  public final List<ParamSpec> headEntries() {
    return head.params();
  }

  @Override
  public final List<ParamSpec> projectionEntries() {
    return projection == null ? List.of() : projection.params();
  }

  /**
   * Adds the feature extractor to the graph.
   *
   * @param ctx the graph context
   * @param input the image placeholder [N, C, H, W]
   * @param embeddingName the name the pooled embedding must carry
   * @return the pooled embedding [N, {@link #embeddingDim()}], named {@code embeddingName}
   */
  abstract SDVariable features(GraphContext ctx, SDVariable input, String embeddingName);

  @Override
  public final EncoderModel build() {
    SameDiff sd = SameDiff.create();
    GraphContext ctx = new GraphContext(sd, options.dataType(), options.seed(), ModelNames.TRAINING_FLAG, options.normKernel());
    try (ctx) {
      SDVariable input = sd.placeHolder(ModelNames.INPUT, options.dataType(), -1, options.channels(), options.imageSize(),
          options.imageSize());
      SDVariable embedding = features(ctx, input, ModelNames.EMBEDDING);
      SDVariable logits = sd.identity(ModelNames.LOGITS, head.forward(ctx, embedding));
      SDVariable projected = projection == null ? null : sd.identity(ModelNames.PROJECTION, projection.forward(ctx, embedding));
      return new EncoderModel(this, sd, ctx, embedding, logits, projected);
    }
  }
}

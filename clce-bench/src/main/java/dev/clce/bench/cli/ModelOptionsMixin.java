package dev.clce.bench.cli;

import dev.clce.models.ModelOptions;
import dev.clce.models.layers.NormKernel;
import dev.clce.models.Stem;
import picocli.CommandLine.Option;

/**
 * The encoder's architecture options, for every command that builds a model (train, model, perf):
 * {@code --stem --width --projection-head --projection-dim --max-blocks --norm-kernel}. The input
 * shape comes from the data in {@code train} and from {@link InputShapeMixin} elsewhere; {@code --arch}
 * stays with each command, since whether it is required differs.
 */
public final class ModelOptionsMixin {

  @Option(names = "--stem", paramLabel = "STEM", completionCandidates = CliTypes.Stems.class,
      description = "ResNet stem: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
  String stem = Stem.IMAGENET.cliName();

  @Option(names = "--width", paramLabel = "W", description = "width multiplier (default ${DEFAULT-VALUE})")
  double width = 1.0;

  @Option(names = "--projection-head",
      description = "add the projection head (Linear, ReLU, Linear to --projection-dim); contrastive losses then read it")
  boolean projectionHead;

  @Option(names = "--projection-dim", paramLabel = "D", description = "projection head output width (default ${DEFAULT-VALUE})")
  int projectionDim = ModelOptions.DEFAULT_PROJECTION_DIM;

  @Option(names = "--max-blocks", paramLabel = "N", description = "cap on blocks per stage, 0 = none (for tiny models)")
  int maxBlocks;

  @Option(names = "--norm-kernel", paramLabel = "KERNEL", completionCandidates = CliTypes.NormKernels.class,
      description = "normalisation kernel of BatchNorm and LayerNorm: ${COMPLETION-CANDIDATES}; auto is native for "
          + "float, primitive for double (default ${DEFAULT-VALUE})")
  String normKernel = NormKernel.AUTO.cliName();

  /**
   * A builder holding the command line's values; validation happens in its {@code build()}.
   *
   * @return the builder
   * @throws IllegalArgumentException naming the option when --stem or --norm-kernel is unknown
   */
  public ModelOptions.Builder builder() {
    return ModelOptions.builder()
        .optStem(new CliTypes.Stems().parse(stem))
        .optWidth(width)
        .optProjectionHead(projectionHead)
        .optProjectionDim(projectionDim)
        .optMaxBlocksPerStage(maxBlocks)
        .optNormKernel(new CliTypes.NormKernels().parse(normKernel));
  }
}

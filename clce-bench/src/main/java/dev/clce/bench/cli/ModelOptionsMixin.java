package dev.clce.bench.cli;

import dev.clce.models.layers.NormKernel;
import dev.clce.models.ModelOptions;
import dev.clce.models.Stem;
import picocli.CommandLine.Option;

/**
 * The encoder options that every command building a model shares ({@code model}, {@code perf}):
 * {@code --classes --image-size --channels --stem --width --projection-head --projection-dim}.
 * Used as a picocli {@code @Mixin}; {@code --arch} stays with each command, since whether it is
 * required differs.
 */
public final class ModelOptionsMixin {

  @Option(names = "--classes", paramLabel = "N", description = "number of classes (default ${DEFAULT-VALUE})")
  int classes = ModelOptions.DEFAULT_CLASSES;

  @Option(names = "--image-size", paramLabel = "PX", description = "input height and width (default ${DEFAULT-VALUE})")
  int imageSize = ModelOptions.DEFAULT_IMAGE_SIZE;

  @Option(names = "--channels", paramLabel = "C", description = "input channels (default ${DEFAULT-VALUE})")
  int channels = ModelOptions.DEFAULT_CHANNELS;

  @Option(names = "--stem", paramLabel = "STEM", description = "ResNet stem: imagenet or small (default ${DEFAULT-VALUE})")
  String stem = Stem.IMAGENET.cliName();

  @Option(names = "--width", paramLabel = "W", description = "width multiplier (default ${DEFAULT-VALUE})")
  double width = 1.0;

  @Option(names = "--projection-head",
      description = "add the projection head (Linear, ReLU, Linear to --projection-dim); contrastive losses then read it")
  boolean projectionHead;

  @Option(names = "--projection-dim", paramLabel = "D", description = "projection head output width (default ${DEFAULT-VALUE})")
  int projectionDim = ModelOptions.DEFAULT_PROJECTION_DIM;

  @Option(names = "--norm-kernel", paramLabel = "KERNEL",
      description = "normalisation kernel of BatchNorm and LayerNorm: auto (native for float, primitive for double), native or primitive (default ${DEFAULT-VALUE})")
  String normKernel = NormKernel.AUTO.cliName();

  /**
   * A builder holding the command line's values; validation happens in its {@code build()}.
   *
   * @return the builder
   * @throws IllegalArgumentException naming the option when --stem or --norm-kernel is unknown
   */
  public ModelOptions.Builder builder() {
    return ModelOptions.builder()
        .optClasses(classes)
        .optImageSize(imageSize)
        .optChannels(channels)
        .optStem(Stem.fromName(stem))
        .optWidth(width)
        .optProjectionHead(projectionHead)
        .optProjectionDim(projectionDim)
        .optNormKernel(normKernel());
  }

  private NormKernel normKernel() {
    for (NormKernel k : NormKernel.values()) {
      if (k.cliName().equals(normKernel)) {
        return k;
      }
    }
    throw new IllegalArgumentException("normKernel: must be auto, native or primitive, got " + normKernel);
  }
}

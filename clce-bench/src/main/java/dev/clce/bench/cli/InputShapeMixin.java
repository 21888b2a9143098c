package dev.clce.bench.cli;

import dev.clce.models.ModelOptions;
import picocli.CommandLine.Option;

/**
 * The model's input and output shape where no dataset gives it (model, perf):
 * {@code --num-classes --image-size --channels}.
 */
public final class InputShapeMixin {

  @Option(names = "--num-classes", paramLabel = "N", description = "number of classes of the classifier (default ${DEFAULT-VALUE})")
  int numClasses = ModelOptions.DEFAULT_CLASSES;

  @Option(names = "--image-size", paramLabel = "PX", description = "input height and width (default ${DEFAULT-VALUE})")
  int imageSize = ModelOptions.DEFAULT_IMAGE_SIZE;

  @Option(names = "--channels", paramLabel = "C", description = "input channels (default ${DEFAULT-VALUE})")
  int channels = ModelOptions.DEFAULT_CHANNELS;

  /**
   * @param b a builder
   * @return it, with the shape
   */
  ModelOptions.Builder apply(ModelOptions.Builder b) {
    return b.optClasses(numClasses).optImageSize(imageSize).optChannels(channels);
  }
}

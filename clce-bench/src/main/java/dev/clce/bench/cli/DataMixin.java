package dev.clce.bench.cli;

import dev.clce.bench.train.DataConfig;
import dev.clce.bench.train.Sampler;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of the training data part ({@link DataConfig}): the dataset, its subset and its views. */
public final class DataMixin {

  @Mixin DatasetMixin dataset = new DatasetMixin();

  @Option(names = "--train-per-class", paramLabel = "K", description = "training images per class, 0 = all")
  int trainPerClass;

  @Option(names = "--test-per-class", paramLabel = "K", description = "test images per class for evaluation, 0 = all")
  int testPerClass;

  @Option(names = "--image-size", paramLabel = "PX", description = "model input (crop) size (default: the dataset's)")
  int imageSize;

  @Option(names = "--sampler", paramLabel = "KIND", completionCandidates = CliTypes.Samplers.class,
      description = "${COMPLETION-CANDIDATES}; class-pairs puts every class of a batch in it twice (default shuffle)")
  String sampler = Sampler.SHUFFLE.cliName();

  @Option(names = "--crop-scale-min", paramLabel = "S", description = "smallest crop area fraction (default ${DEFAULT-VALUE})")
  double cropScaleMin = DataConfig.DEFAULT_CROP_SCALE_MIN;

  /**
   * @return the data part (checked)
   * @throws IllegalArgumentException naming the bad option
   */
  DataConfig config() {
    List<Integer> classes = dataset.classes();
    return new DataConfig(dataset.requiredSpec(), classes == null ? List.of() : classes, trainPerClass, testPerClass,
        imageSize, 0, List.of(), List.of(), new CliTypes.Samplers().parse(sampler), cropScaleMin);
  }
}

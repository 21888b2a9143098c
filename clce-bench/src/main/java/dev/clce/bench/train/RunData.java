package dev.clce.bench.train;

import dev.clce.bench.data.AugmentConfig;
import dev.clce.bench.data.ClassSubset;
import dev.clce.bench.data.ImageDataset;
import dev.clce.bench.data.Split;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of a run as its configuration describes it: the training subset (the configured classes,
 * relabelled 0..k-1, at most {@code trainPerClass} images each), the matching test subset, and the
 * augmentation (random resized crop to the model's input size, flip, colour jitter for colour images,
 * normalised with the configuration's mean and standard deviation).
 *
 * @param config the resolved configuration
 * @param train the training subset
 * @param test the test subset
 * @param augment the augmentation (and, through {@code plain}, the evaluation preprocessing)
 */
public record RunData(TrainConfig config, ImageDataset train, ImageDataset test, AugmentConfig augment) {

  /**
   * Loads both splits and resolves the configuration against them.
   *
   * @param config a configuration (resolved or not)
   * @return the data with the resolved configuration
   */
  public static RunData load(TrainConfig config) {
    DataConfig d = config.data();
    ImageDataset train = new ClassSubset(d.classes(), d.trainPerClass()).apply(d.spec().load(Split.TRAIN));
    ImageDataset test = new ClassSubset(d.classes(), d.testPerClass()).apply(d.spec().load(Split.TEST));
    return of(config, train, test);
  }

  /**
   * Resolves the configuration against already loaded subsets.
   *
   * @param config a configuration
   * @param train the training subset
   * @param test the test subset
   * @return the data with the resolved configuration
   */
  public static RunData of(TrainConfig config, ImageDataset train, ImageDataset test) {
    if (train.height() != train.width()) {
      throw new IllegalArgumentException("data: images must be square, got " + train.width() + "x" + train.height());
    }
    TrainConfig resolved = config;
    if (!config.data().isResolved()) {
      List<Double> mean = new ArrayList<>();
      List<Double> std = new ArrayList<>();
      double[][] stats = AugmentConfig.channelStats(train);
      for (int c = 0; c < stats[0].length; c++) {
        mean.add(stats[0][c]);
        std.add(stats[1][c] > 0 ? stats[1][c] : 1.0);
      }
      resolved = config.withData(config.data().resolved(train.height(), train.channels(), mean, std));
    } else if (config.data().channels() != train.channels()) {
      throw new IllegalArgumentException("data: the run was trained on " + config.data().channels() + "-channel images, "
          + config.data().spec() + " has " + train.channels());
    }
    return new RunData(resolved, train, test, augmentFor(resolved));
  }

  /**
   * The augmentation of a resolved configuration.
   *
   * @param resolved the configuration
   * @return crops of the input size from {@code [cropScaleMin, 1]} of the image, the run's normalisation
   */
  public static AugmentConfig augmentFor(TrainConfig resolved) {
    DataConfig d = resolved.data();
    return AugmentConfig.defaults(d.imageSize(), d.imageSize(), d.normMean(), d.normStd()).withScale(d.cropScaleMin(), 1.0);
  }

  /** @return the number of classes the model is trained on */
  public int numClasses() {
    return train.numClasses();
  }
}

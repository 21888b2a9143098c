package dev.clce.bench.train;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.clce.bench.data.ClassSubset;
import dev.clce.bench.data.DataSpec;
import java.util.List;

/**
 * The data part of a run: which images the encoder sees and how they become views. Three values may
 * be left to the data ({@code 0} or empty): the input size, the channels and the normalisation; the
 * trainer fills them in ({@link #resolved}) before it records the configuration.
 *
 * @param spec the dataset
 * @param classes the classes trained on (relabelled 0..k-1 in this order), empty for all
 * @param trainPerClass images per class kept from the training split, 0 for all
 * @param testPerClass images per class kept from the test split for evaluation, 0 for all
 * @param imageSize the model's input (crop) size, 0 = the dataset's
 * @param channels input channels, 0 = the dataset's
 * @param normMean per-channel normalisation mean, empty = the training subset's
 * @param normStd per-channel normalisation standard deviation, empty = the training subset's
 * @param sampler how batches are drawn
 * @param cropScaleMin smallest crop area fraction of the random resized crop, in (0, 1]
 */
public record DataConfig(DataSpec spec, List<Integer> classes, int trainPerClass, int testPerClass, int imageSize,
    int channels, List<Double> normMean, List<Double> normStd, Sampler sampler, double cropScaleMin) {

  /** Default smallest crop area fraction of the random resized crop. */
  public static final double DEFAULT_CROP_SCALE_MIN = 0.2;

  /** Checks every field; a class list is copied and checked as {@link ClassSubset} would. */
  public DataConfig {
    if (spec == null) {
      throw new IllegalArgumentException("data: must not be null");
    }
    classes = classes == null ? List.of() : List.copyOf(classes);
    if (!classes.isEmpty()) {
      new ClassSubset(classes, 0);
      if (classes.size() < 2) {
        throw new IllegalArgumentException("classes: need at least 2 classes to train on, got " + classes);
      }
    }
    if (trainPerClass < 0) {
      throw new IllegalArgumentException("train-per-class: must be >= 0 (0 = all), got " + trainPerClass);
    }
    if (testPerClass < 0) {
      throw new IllegalArgumentException("test-per-class: must be >= 0 (0 = all), got " + testPerClass);
    }
    if (imageSize < 0) {
      throw new IllegalArgumentException("image-size: must be >= 1 (or 0 for the dataset's), got " + imageSize);
    }
    if (channels < 0) {
      throw new IllegalArgumentException("channels: must be >= 1 (or 0 for the dataset's), got " + channels);
    }
    normMean = normMean == null ? List.of() : List.copyOf(normMean);
    normStd = normStd == null ? List.of() : List.copyOf(normStd);
    if (normMean.size() != normStd.size()) {
      throw new IllegalArgumentException("norm: mean and std must have the same length, got " + normMean + ", " + normStd);
    }
    if (sampler == null) {
      throw new IllegalArgumentException("sampler: must not be null");
    }
    if (!(cropScaleMin > 0 && cropScaleMin <= 1)) {
      throw new IllegalArgumentException("crop-scale-min: must be in (0, 1], got " + cropScaleMin);
    }
  }

  /**
   * Every class, every image, sizes and normalisation from the data, shuffled batches.
   *
   * @param spec the dataset
   * @return the data part
   */
  public static DataConfig of(DataSpec spec) {
    return new DataConfig(spec, List.of(), 0, 0, 0, 0, List.of(), List.of(), Sampler.SHUFFLE, DEFAULT_CROP_SCALE_MIN);
  }

  /**
   * @param v classes to train on, empty for all
   * @return a copy with the class list
   */
  public DataConfig withClasses(List<Integer> v) {
    return new DataConfig(spec, v, trainPerClass, testPerClass, imageSize, channels, normMean, normStd, sampler, cropScaleMin);
  }

  /**
   * @param train training images per class, 0 for all
   * @param test test images per class, 0 for all
   * @return a copy with the per-class counts
   */
  public DataConfig withPerClass(int train, int test) {
    return new DataConfig(spec, classes, train, test, imageSize, channels, normMean, normStd, sampler, cropScaleMin);
  }

  /**
   * @param v the model's input size, 0 = the dataset's
   * @return a copy with the input size
   */
  public DataConfig withImageSize(int v) {
    return new DataConfig(spec, classes, trainPerClass, testPerClass, v, channels, normMean, normStd, sampler, cropScaleMin);
  }

  /**
   * @param v input channels, 0 = the dataset's
   * @return a copy with the channels
   */
  public DataConfig withChannels(int v) {
    return new DataConfig(spec, classes, trainPerClass, testPerClass, imageSize, v, normMean, normStd, sampler, cropScaleMin);
  }

  /**
   * @param mean per-channel mean, empty = the training subset's
   * @param std per-channel standard deviation, empty = the training subset's
   * @return a copy with the normalisation
   */
  public DataConfig withNormalisation(List<Double> mean, List<Double> std) {
    return new DataConfig(spec, classes, trainPerClass, testPerClass, imageSize, channels, mean, std, sampler, cropScaleMin);
  }

  /**
   * @param v the sampler
   * @return a copy with the sampler
   */
  public DataConfig withSampler(Sampler v) {
    return new DataConfig(spec, classes, trainPerClass, testPerClass, imageSize, channels, normMean, normStd, v, cropScaleMin);
  }

  /**
   * @param v smallest crop area fraction in (0, 1]
   * @return a copy with the crop scale
   */
  public DataConfig withCropScaleMin(double v) {
    return new DataConfig(spec, classes, trainPerClass, testPerClass, imageSize, channels, normMean, normStd, sampler, v);
  }

  /** @return whether input size, channels and normalisation are all set */
  @JsonIgnore
  public boolean isResolved() {
    return imageSize > 0 && channels > 0 && !normMean.isEmpty();
  }

  /**
   * This part with the values left to the data filled in.
   *
   * @param size the dataset's image size (used when {@link #imageSize()} is 0)
   * @param dataChannels the dataset's channels (must equal {@link #channels()} unless that is 0)
   * @param mean the training subset's per-channel mean (used when none is set)
   * @param std the training subset's per-channel standard deviation (used when none is set)
   * @return the resolved part
   */
  public DataConfig resolved(int size, int dataChannels, List<Double> mean, List<Double> std) {
    if (channels != 0 && channels != dataChannels) {
      throw new IllegalArgumentException("channels: the model is configured for " + channels
          + " channels, the data has " + dataChannels);
    }
    DataConfig d = withChannels(dataChannels);
    if (imageSize == 0) {
      d = d.withImageSize(size);
    }
    return normMean.isEmpty() ? d.withNormalisation(mean, std) : d;
  }
}

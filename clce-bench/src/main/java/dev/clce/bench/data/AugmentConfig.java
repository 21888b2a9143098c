package dev.clce.bench.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters of the two-view augmentation (the paper's {@code Aug(.)}), following the torchvision
 * pipeline used by supervised contrastive learning: {@code RandomResizedCrop(size, scale, ratio)},
 * {@code RandomHorizontalFlip(p)}, {@code RandomApply([ColorJitter(b, c, s, h)], p)},
 * {@code RandomGrayscale(p)}, {@code ToTensor()}, {@code Normalize(mean, std)}. The colour steps
 * apply to 3-channel images only.
 *
 * @param outHeight output height in pixels
 * @param outWidth output width in pixels
 * @param scaleMin smallest crop area as a fraction of the image (torchvision default 0.08)
 * @param scaleMax largest crop area fraction (default 1.0)
 * @param ratioMin smallest crop aspect ratio width/height (default 3/4)
 * @param ratioMax largest crop aspect ratio (default 4/3)
 * @param flipProb probability of a horizontal flip (default 0.5)
 * @param jitterProb probability of applying colour jitter (default 0.8)
 * @param brightness brightness jitter strength: factor in {@code [max(0, 1-b), 1+b]} (default 0.4)
 * @param contrast contrast jitter strength (default 0.4)
 * @param saturation saturation jitter strength (default 0.4)
 * @param hue hue shift in {@code [-hue, hue]} of a full turn, at most 0.5 (default 0.1)
 * @param grayscaleProb probability of converting to grey (default 0.2)
 * @param mean per-channel mean subtracted after scaling pixels to [0, 1]
 * @param std per-channel standard deviation divided by
 */
public record AugmentConfig(int outHeight, int outWidth, double scaleMin, double scaleMax,
    double ratioMin, double ratioMax, double flipProb, double jitterProb, double brightness,
    double contrast, double saturation, double hue, double grayscaleProb, List<Double> mean,
    List<Double> std) {

  /** torchvision's default RandomResizedCrop scale range. */
  public static final double DEFAULT_SCALE_MIN = 0.08;
  /** torchvision's default RandomResizedCrop aspect-ratio range, lower end. */
  public static final double DEFAULT_RATIO_MIN = 3.0 / 4.0;
  /** torchvision's default RandomResizedCrop aspect-ratio range, upper end. */
  public static final double DEFAULT_RATIO_MAX = 4.0 / 3.0;

  /**
   * Validates the fields.
   *
   * @param outHeight output height
   * @param outWidth output width
   * @param scaleMin smallest crop area fraction
   * @param scaleMax largest crop area fraction
   * @param ratioMin smallest aspect ratio
   * @param ratioMax largest aspect ratio
   * @param flipProb flip probability
   * @param jitterProb colour jitter probability
   * @param brightness brightness strength
   * @param contrast contrast strength
   * @param saturation saturation strength
   * @param hue hue strength
   * @param grayscaleProb grayscale probability
   * @param mean per-channel mean
   * @param std per-channel standard deviation
   */
  public AugmentConfig {
    if (outHeight <= 0 || outWidth <= 0) {
      throw new IllegalArgumentException("outHeight, outWidth: must be > 0, got " + outHeight + "x" + outWidth);
    }
    if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1)) {
      throw new IllegalArgumentException("scaleMin, scaleMax: must satisfy 0 < min <= max <= 1, got "
          + scaleMin + ", " + scaleMax);
    }
    if (!(ratioMin > 0 && ratioMin <= ratioMax && Double.isFinite(ratioMax))) {
      throw new IllegalArgumentException("ratioMin, ratioMax: must satisfy 0 < min <= max, got "
          + ratioMin + ", " + ratioMax);
    }
    checkProb("flipProb", flipProb);
    checkProb("jitterProb", jitterProb);
    checkProb("grayscaleProb", grayscaleProb);
    checkStrength("brightness", brightness);
    checkStrength("contrast", contrast);
    checkStrength("saturation", saturation);
    if (!(hue >= 0 && hue <= 0.5)) {
      throw new IllegalArgumentException("hue: must be in [0, 0.5], got " + hue);
    }
    if (mean == null || std == null || mean.isEmpty() || mean.size() != std.size()
        || (mean.size() != 1 && mean.size() != 3)) {
      throw new IllegalArgumentException("mean, std: must both list 1 or 3 values, got " + mean + ", " + std);
    }
    for (int c = 0; c < mean.size(); c++) {
      if (mean.get(c) == null || !Double.isFinite(mean.get(c)) || std.get(c) == null
          || !(std.get(c) > 0) || !Double.isFinite(std.get(c))) {
        throw new IllegalArgumentException("mean, std: must be finite with std > 0, got " + mean + ", " + std);
      }
    }
    mean = List.copyOf(mean);
    std = List.copyOf(std);
  }

  private static void checkProb(String name, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + ": must be a probability in [0, 1], got " + p);
    }
  }

  private static void checkStrength(String name, double v) {
    if (!(v >= 0 && Double.isFinite(v))) {
      throw new IllegalArgumentException(name + ": must be finite and >= 0, got " + v);
    }
  }

  /**
   * The defaults (torchvision crop defaults, flip 0.5, jitter 0.4/0.4/0.4/0.1 with p 0.8, grayscale
   * 0.2) for a given output size and normalisation.
   *
   * @param outHeight output height
   * @param outWidth output width
   * @param mean per-channel mean
   * @param std per-channel standard deviation
   * @return the configuration
   */
  public static AugmentConfig defaults(int outHeight, int outWidth, List<Double> mean, List<Double> std) {
    return new AugmentConfig(outHeight, outWidth, DEFAULT_SCALE_MIN, 1.0, DEFAULT_RATIO_MIN,
        DEFAULT_RATIO_MAX, 0.5, 0.8, 0.4, 0.4, 0.4, 0.1, 0.2, mean, std);
  }

  /**
   * The defaults at the dataset's own image size, normalised with the dataset's own per-channel
   * pixel mean and standard deviation ({@link #channelStats}).
   *
   * @param dataset the training data
   * @return the configuration
   */
  public static AugmentConfig forDataset(ImageDataset dataset) {
    double[][] stats = channelStats(dataset);
    return defaults(dataset.height(), dataset.width(), toList(stats[0]), toList(stats[1]));
  }

  /**
   * The same configuration with another output size.
   *
   * @param height output height
   * @param width output width
   * @return the new configuration
   */
  public AugmentConfig withOutputSize(int height, int width) {
    return new AugmentConfig(height, width, scaleMin, scaleMax, ratioMin, ratioMax, flipProb, jitterProb,
        brightness, contrast, saturation, hue, grayscaleProb, mean, std);
  }

  /**
   * The same configuration with another crop scale range.
   *
   * @param min smallest crop area fraction
   * @param max largest crop area fraction
   * @return the new configuration
   */
  public AugmentConfig withScale(double min, double max) {
    return new AugmentConfig(outHeight, outWidth, min, max, ratioMin, ratioMax, flipProb, jitterProb,
        brightness, contrast, saturation, hue, grayscaleProb, mean, std);
  }

  /**
   * The same configuration with other probabilities (0 turns a step off).
   *
   * @param flip flip probability
   * @param jitter colour jitter probability
   * @param grayscale grayscale probability
   * @return the new configuration
   */
  public AugmentConfig withProbabilities(double flip, double jitter, double grayscale) {
    return new AugmentConfig(outHeight, outWidth, scaleMin, scaleMax, ratioMin, ratioMax, flip, jitter,
        brightness, contrast, saturation, hue, grayscale, mean, std);
  }

  /**
   * The per-channel mean and (population) standard deviation of a dataset's pixels scaled to [0, 1],
   * computed exactly with integer sums (a constant channel gets standard deviation 1, so that
   * normalising it is still defined).
   *
   * @param dataset the data
   * @return {@code {mean[C], std[C]}}
   */
  public static double[][] channelStats(ImageDataset dataset) {
    int c = dataset.channels();
    int plane = dataset.height() * dataset.width();
    long[] sum = new long[c];
    long[] sumSq = new long[c];
    byte[] px = dataset.rawPixels();
    for (int i = 0; i < dataset.size(); i++) {
      for (int ch = 0; ch < c; ch++) {
        int base = (i * c + ch) * plane;
        long s = 0;
        long s2 = 0;
        for (int p = 0; p < plane; p++) {
          int v = px[base + p] & 0xFF;
          s += v;
          s2 += v * v;
        }
        sum[ch] += s;
        sumSq[ch] += s2;
      }
    }
    double n = (double) dataset.size() * plane;
    double[] mean = new double[c];
    double[] std = new double[c];
    for (int ch = 0; ch < c; ch++) {
      double m = sum[ch] / n;
      double var = sumSq[ch] / n - m * m;
      mean[ch] = m / 255.0;
      std[ch] = Math.sqrt(Math.max(var, 0)) / 255.0;
      if (!(std[ch] > 0)) {
        std[ch] = 1.0;
      }
    }
    return new double[][] {mean, std};
  }

  private static List<Double> toList(double[] v) {
    Double[] boxed = new Double[v.length];
    for (int i = 0; i < v.length; i++) {
      boxed[i] = v[i];
    }
    return List.of(boxed);
  }

  /**
   * A description for run records.
   *
   * @return the parameters by name
   */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("out_height", outHeight);
    m.put("out_width", outWidth);
    m.put("crop_scale", List.of(scaleMin, scaleMax));
    m.put("crop_ratio", List.of(ratioMin, ratioMax));
    m.put("flip_p", flipProb);
    m.put("jitter_p", jitterProb);
    m.put("jitter", List.of(brightness, contrast, saturation, hue));
    m.put("grayscale_p", grayscaleProb);
    m.put("mean", mean);
    m.put("std", std);
    return m;
  }
}

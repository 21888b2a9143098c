package dev.clce.bench.data;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The paper's {@code Aug(.)}: turns a batch of {@code B} image indices into {@code 2B} augmented
 * views, on the fly from the dataset's bytes (the dataset is never copied or materialised twice).
 *
 * <p><b>Layout.</b> Row {@code i} of the output holds the first view of image {@code indices[i]} and
 * row {@code B + i} its second view (as {@code torch.cat([view1, view2])} in supervised contrastive
 * learning code); the labels follow the same layout.
 *
 * <p><b>Determinism.</b> Every view draws its random numbers from its own generator seeded by
 * {@link Seeds#mix}{@code (seed, step, slot, view)}, where {@code slot} is the position in the batch.
 * The same seed, step and indices therefore give the same bytes whatever the thread count or timing.
 *
 * <p><b>Steps, per view, in torchvision's order.</b>
 * <ol>
 *   <li>Random resized crop: torchvision's {@code RandomResizedCrop.get_params} (10 tries of area
 *       fraction in {@code [scaleMin, scaleMax]} and log-uniform aspect ratio, rounded sides, uniform
 *       position; then the central fallback), resized to the output size with bilinear interpolation
 *       (half-pixel centres, {@code align_corners=False}, no antialiasing).
 *   <li>Horizontal flip with probability {@code flipProb}.
 *   <li>3-channel images only: with probability {@code jitterProb}, brightness, contrast, saturation
 *       and hue jitter in a random order (torchvision {@code ColorJitter}: factors uniform in
 *       {@code [max(0, 1-s), 1+s]}, hue shift uniform in {@code [-hue, hue]} applied in HSV; contrast
 *       blends with the mean grey level of the image; results clamped to [0, 1]); then with
 *       probability {@code grayscaleProb} conversion to grey (0.2989 R + 0.587 G + 0.114 B, torchvision's
 *       weights) in all three
 *       channels.
 *   <li>Scaling to [0, 1] and normalisation {@code (x - mean[c]) / std[c]}.
 * </ol>
 * Work is done on primitive arrays, one small buffer per view, in parallel over views.
 */
public final class TwoViewAugmenter {

  /** Luma weights exactly as torchvision's {@code rgb_to_grayscale} (0.2989, 0.587, 0.114). */
  private static final float LUMA_R = 0.2989f;
  private static final float LUMA_G = 0.587f;
  private static final float LUMA_B = 0.114f;
  private static final int CROP_TRIES = 10;

  private final ImageDataset dataset;
  private final AugmentConfig config;
  private final long seed;
  private final boolean parallel;
  private final float[] mean;
  private final float[] invStd;

  /**
   * Creates an augmenter that runs views in parallel.
   *
   * @param dataset the images
   * @param config the augmentation parameters (mean/std must match the dataset's channel count)
   * @param seed the base seed
   */
  public TwoViewAugmenter(ImageDataset dataset, AugmentConfig config, long seed) {
    this(dataset, config, seed, true);
  }

  /**
   * Creates an augmenter.
   *
   * @param dataset the images
   * @param config the augmentation parameters (mean/std must match the dataset's channel count)
   * @param seed the base seed
   * @param parallel whether to process views in parallel (the result is the same either way)
   */
  public TwoViewAugmenter(ImageDataset dataset, AugmentConfig config, long seed, boolean parallel) {
    if (dataset == null || config == null) {
      throw new IllegalArgumentException("dataset, config: must not be null");
    }
    if (config.mean().size() != dataset.channels()) {
      throw new IllegalArgumentException("config: mean/std list " + config.mean().size()
          + " channels but the dataset has " + dataset.channels());
    }
    this.dataset = dataset;
    this.config = config;
    this.seed = seed;
    this.parallel = parallel;
    int c = dataset.channels();
    this.mean = new float[c];
    this.invStd = new float[c];
    for (int ch = 0; ch < c; ch++) {
      mean[ch] = config.mean().get(ch).floatValue();
      invStd[ch] = (float) (1.0 / config.std().get(ch));
    }
  }

  /**
   * The dataset the views come from.
   *
   * @return the dataset
   */
  public ImageDataset dataset() {
    return dataset;
  }

  /**
   * The augmentation parameters.
   *
   * @return the configuration
   */
  public AugmentConfig config() {
    return config;
  }

  /**
   * The base seed.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Two augmented views of each image of a batch.
   *
   * @param indices dataset indices of the {@code B} images
   * @param step the global training step (part of the random seed)
   * @return features {@code [2B, C, outH, outW]} float32 and labels {@code [2B]} int32
   */
  public TwoViewBatch augment(int[] indices, long step) {
    checkIndices(indices);
    int b = indices.length;
    int c = dataset.channels();
    int viewSize = c * config.outHeight() * config.outWidth();
    float[] out = new float[2 * b * viewSize];
    augmentInto(indices, step, out);
    int[] labels = new int[2 * b];
    for (int i = 0; i < b; i++) {
      labels[i] = dataset.label(indices[i]);
      labels[b + i] = labels[i];
    }
    INDArray features = Nd4j.create(out,
        new long[] {2L * b, c, config.outHeight(), config.outWidth()}, DataType.FLOAT);
    return new TwoViewBatch(features, Nd4j.createFromArray(labels), indices.clone(), step);
  }

  /**
   * Writes the {@code 2B} augmented views into a float array (NCHW, layout as {@link #augment}).
   *
   * @param indices dataset indices of the {@code B} images
   * @param step the global training step
   * @param out destination of length {@code 2B * C * outH * outW}
   */
  public void augmentInto(int[] indices, long step, float[] out) {
    checkIndices(indices);
    int b = indices.length;
    int viewSize = dataset.channels() * config.outHeight() * config.outWidth();
    if (out == null || out.length != 2 * b * viewSize) {
      throw new IllegalArgumentException("out: must hold " + (2 * b * viewSize) + " floats, got "
          + (out == null ? "null" : out.length));
    }
    IntStream views = IntStream.range(0, 2 * b);
    if (parallel) {
      views = views.parallel();
    }
    views.forEach(v -> {
      int slot = v % b;
      int view = v / b;
      SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, step, slot, view));
      augmentView(indices[slot], rng, out, v * viewSize);
    });
  }

  /**
   * The images without augmentation (for evaluation): each whole image resized to the output size
   * with bilinear interpolation (an exact copy when the sizes agree) and normalised.
   *
   * @param indices dataset indices
   * @return features {@code [n, C, outH, outW]} float32
   */
  public INDArray plain(int[] indices) {
    checkIndices(indices);
    int c = dataset.channels();
    int oh = config.outHeight();
    int ow = config.outWidth();
    int viewSize = c * oh * ow;
    float[] out = new float[indices.length * viewSize];
    float[] buf = new float[viewSize];
    for (int k = 0; k < indices.length; k++) {
      resample(indices[k], 0, 0, dataset.height(), dataset.width(), false, buf);
      normalise(buf, out, k * viewSize);
    }
    return Nd4j.create(out, new long[] {indices.length, c, oh, ow}, DataType.FLOAT);
  }

  private void checkIndices(int[] indices) {
    if (indices == null || indices.length == 0) {
      throw new IllegalArgumentException("indices: must list at least one image");
    }
    for (int i : indices) {
      if (i < 0 || i >= dataset.size()) {
        throw new IllegalArgumentException("indices: " + i + " is outside [0, " + dataset.size() + ")");
      }
    }
  }

  /** Crop parameters {top, left, height, width}, exactly as torchvision's get_params. */
  static int[] cropParams(SplittableRandom rng, int height, int width, double scaleMin, double scaleMax,
      double ratioMin, double ratioMax) {
    double area = (double) height * width;
    double logRatioMin = Math.log(ratioMin);
    double logRatioMax = Math.log(ratioMax);
    for (int t = 0; t < CROP_TRIES; t++) {
      double targetArea = area * uniform(rng, scaleMin, scaleMax);
      double aspect = Math.exp(uniform(rng, logRatioMin, logRatioMax));
      int w = (int) Math.round(Math.sqrt(targetArea * aspect));
      int h = (int) Math.round(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int top = rng.nextInt(height - h + 1);
        int left = rng.nextInt(width - w + 1);
        return new int[] {top, left, h, w};
      }
    }
    double inRatio = (double) width / height;
    int w;
    int h;
    if (inRatio < ratioMin) {
      w = width;
      h = (int) Math.round(w / ratioMin);
    } else if (inRatio > ratioMax) {
      h = height;
      w = (int) Math.round(h * ratioMax);
    } else {
      w = width;
      h = height;
    }
    return new int[] {(height - h) / 2, (width - w) / 2, h, w};
  }

  private static double uniform(SplittableRandom rng, double lo, double hi) {
    return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
  }

  private void augmentView(int index, SplittableRandom rng, float[] out, int offset) {
    int c = dataset.channels();
    int plane = config.outHeight() * config.outWidth();
    float[] buf = new float[c * plane];
    int[] crop = cropParams(rng, dataset.height(), dataset.width(), config.scaleMin(), config.scaleMax(),
        config.ratioMin(), config.ratioMax());
    boolean flip = rng.nextDouble() < config.flipProb();
    resample(index, crop[0], crop[1], crop[2], crop[3], flip, buf);
    if (c == 3) {
      if (rng.nextDouble() < config.jitterProb()) {
        colourJitter(buf, plane, rng);
      }
      if (rng.nextDouble() < config.grayscaleProb()) {
        grayscale(buf, plane);
      }
    }
    normalise(buf, out, offset);
  }

  private void resample(int index, int top, int left, int h, int w, boolean flip, float[] buf) {
    resizedCrop(dataset.rawPixels(), index, dataset.channels(), dataset.height(), dataset.width(), top, left,
        h, w, config.outHeight(), config.outWidth(), flip, buf);
  }

  /**
   * Bilinear resize of the crop {@code [top, top+h) x [left, left+w)} of image {@code index} of an
   * NCHW byte array into {@code buf} ({@code C x oh x ow}, values in [0, 1]), mirrored horizontally
   * when {@code flip}: torchvision's {@code resized_crop} on a tensor (bilinear, half-pixel centres,
   * sources clamped to the crop, no antialiasing).
   *
   * @param px the images
   * @param index which image
   * @param c channels
   * @param ih image height
   * @param iw image width
   * @param top crop top row
   * @param left crop left column
   * @param h crop height
   * @param w crop width
   * @param oh output height
   * @param ow output width
   * @param flip mirror horizontally
   * @param buf destination of {@code c * oh * ow} floats
   */
  static void resizedCrop(byte[] px, int index, int c, int ih, int iw, int top, int left, int h, int w,
      int oh, int ow, boolean flip, float[] buf) {
    int[] x0 = new int[ow];
    int[] x1 = new int[ow];
    float[] wx = new float[ow];
    double sx = (double) w / ow;
    for (int ox = 0; ox < ow; ox++) {
      double src = Math.min(Math.max((ox + 0.5) * sx - 0.5, 0.0), w - 1.0);
      int f = (int) Math.floor(src);
      int dst = flip ? ow - 1 - ox : ox;
      x0[dst] = left + f;
      x1[dst] = left + Math.min(f + 1, w - 1);
      wx[dst] = (float) (src - f);
    }
    double sy = (double) h / oh;
    float scale = 1f / 255f;
    for (int ch = 0; ch < c; ch++) {
      int imgBase = (index * c + ch) * ih * iw;
      int bufBase = ch * oh * ow;
      for (int oy = 0; oy < oh; oy++) {
        double src = Math.min(Math.max((oy + 0.5) * sy - 0.5, 0.0), h - 1.0);
        int f = (int) Math.floor(src);
        int r0 = imgBase + (top + f) * iw;
        int r1 = imgBase + (top + Math.min(f + 1, h - 1)) * iw;
        float wy = (float) (src - f);
        int o = bufBase + oy * ow;
        for (int ox = 0; ox < ow; ox++) {
          float a = px[r0 + x0[ox]] & 0xFF;
          float b = px[r0 + x1[ox]] & 0xFF;
          float cc = px[r1 + x0[ox]] & 0xFF;
          float d = px[r1 + x1[ox]] & 0xFF;
          float top0 = a + (b - a) * wx[ox];
          float bot = cc + (d - cc) * wx[ox];
          buf[o + ox] = (top0 + (bot - top0) * wy) * scale;
        }
      }
    }
  }

  private void colourJitter(float[] buf, int plane, SplittableRandom rng) {
    int[] order = {0, 1, 2, 3};
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    float brightness = (float) uniform(rng, Math.max(0, 1 - config.brightness()), 1 + config.brightness());
    float contrast = (float) uniform(rng, Math.max(0, 1 - config.contrast()), 1 + config.contrast());
    float saturation = (float) uniform(rng, Math.max(0, 1 - config.saturation()), 1 + config.saturation());
    float hue = (float) uniform(rng, -config.hue(), config.hue());
    for (int op : order) {
      switch (op) {
        case 0 -> {
          if (config.brightness() > 0) {
            adjustBrightness(buf, brightness);
          }
        }
        case 1 -> {
          if (config.contrast() > 0) {
            adjustContrast(buf, plane, contrast);
          }
        }
        case 2 -> {
          if (config.saturation() > 0) {
            adjustSaturation(buf, plane, saturation);
          }
        }
        default -> {
          if (config.hue() > 0) {
            shiftHue(buf, plane, hue);
          }
        }
      }
    }
  }

  /**
   * torchvision's {@code adjust_brightness}: {@code clamp(f x, 0, 1)}.
   *
   * @param buf RGB planes in [0, 1], changed in place
   * @param factor the brightness factor
   */
  static void adjustBrightness(float[] buf, float factor) {
    for (int i = 0; i < buf.length; i++) {
      buf[i] = clamp01(buf[i] * factor);
    }
  }

  /**
   * torchvision's {@code adjust_contrast}: blend with the image's mean grey level,
   * {@code clamp(f x + (1 - f) mean(grey), 0, 1)}.
   *
   * @param buf RGB planes in [0, 1], changed in place
   * @param plane pixels per channel
   * @param factor the contrast factor
   */
  static void adjustContrast(float[] buf, int plane, float factor) {
    double sum = 0;
    for (int p = 0; p < plane; p++) {
      sum += LUMA_R * buf[p] + LUMA_G * buf[plane + p] + LUMA_B * buf[2 * plane + p];
    }
    float m = (float) (sum / plane);
    for (int i = 0; i < buf.length; i++) {
      buf[i] = clamp01(factor * buf[i] + (1 - factor) * m);
    }
  }

  /**
   * torchvision's {@code adjust_saturation}: blend with each pixel's grey level,
   * {@code clamp(f x + (1 - f) grey, 0, 1)}.
   *
   * @param buf RGB planes in [0, 1], changed in place
   * @param plane pixels per channel
   * @param factor the saturation factor
   */
  static void adjustSaturation(float[] buf, int plane, float factor) {
    for (int p = 0; p < plane; p++) {
      float g = LUMA_R * buf[p] + LUMA_G * buf[plane + p] + LUMA_B * buf[2 * plane + p];
      for (int ch = 0; ch < 3; ch++) {
        int i = ch * plane + p;
        buf[i] = clamp01(factor * buf[i] + (1 - factor) * g);
      }
    }
  }

  /**
   * Hue rotation in HSV space by {@code shift} of a full turn (torchvision's adjust_hue), without
   * data-dependent branches in the inner loop: hue in sixths from the largest channel, then the
   * closed-form HSV to RGB {@code f(n) = V - V S clamp(min(k, 4 - k), 0, 1)} with
   * {@code k = (n + 6 h) mod 6}, {@code n = 5, 3, 1} for R, G, B and {@code V S = max - min}.
   *
   * @param buf RGB planes in [0, 1], changed in place
   * @param plane pixels per channel
   * @param shift the hue shift in turns, in [-0.5, 0.5]
   */
  static void shiftHue(float[] buf, int plane, float shift) {
    float shift6 = 6f * shift;
    for (int p = 0; p < plane; p++) {
      float r = buf[p];
      float g = buf[plane + p];
      float b = buf[2 * plane + p];
      float max = Math.max(r, Math.max(g, b));
      float min = Math.min(r, Math.min(g, b));
      float delta = max - min;
      if (delta <= 0) {
        continue;
      }
      float inv = 1f / delta;
      float hr = (g - b) * inv;
      float hg = 2f + (b - r) * inv;
      float hb = 4f + (r - g) * inv;
      float h = max == r ? hr : (max == g ? hg : hb);
      h += shift6;
      h = h < 0 ? h + 6f : h;
      h = h < 0 ? h + 6f : h;
      h = h >= 6f ? h - 6f : h;
      h = h >= 6f ? h - 6f : h;
      buf[p] = max - delta * hsvWeight(5f + h);
      buf[plane + p] = max - delta * hsvWeight(3f + h);
      buf[2 * plane + p] = max - delta * hsvWeight(1f + h);
    }
  }

  /** {@code clamp(min(k, 4 - k), 0, 1)} for {@code k} taken mod 6, given {@code k} in [0, 12). */
  private static float hsvWeight(float k) {
    k = k >= 6f ? k - 6f : k;
    return Math.max(0f, Math.min(1f, Math.min(k, 4f - k)));
  }

  /**
   * torchvision's {@code rgb_to_grayscale(img, 3)}: the grey level in all three channels.
   *
   * @param buf RGB planes in [0, 1], changed in place
   * @param plane pixels per channel
   */
  static void grayscale(float[] buf, int plane) {
    for (int p = 0; p < plane; p++) {
      float g = LUMA_R * buf[p] + LUMA_G * buf[plane + p] + LUMA_B * buf[2 * plane + p];
      buf[p] = g;
      buf[plane + p] = g;
      buf[2 * plane + p] = g;
    }
  }

  private static float clamp01(float v) {
    return v < 0 ? 0 : (v > 1 ? 1 : v);
  }

  private void normalise(float[] buf, float[] out, int offset) {
    int plane = config.outHeight() * config.outWidth();
    for (int ch = 0; ch < dataset.channels(); ch++) {
      float m = mean[ch];
      float is = invStd[ch];
      int base = ch * plane;
      for (int p = 0; p < plane; p++) {
        out[offset + base + p] = (buf[base + p] - m) * is;
      }
    }
  }
}

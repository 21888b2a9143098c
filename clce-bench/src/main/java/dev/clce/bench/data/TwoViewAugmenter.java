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
 *       probability {@code grayscaleProb} conversion to grey (0.299 R + 0.587 G + 0.114 B) in all three
 *       channels.
 *   <li>Scaling to [0, 1] and normalisation {@code (x - mean[c]) / std[c]}.
 * </ol>
 * Work is done on primitive arrays, one small buffer per view, in parallel over views.
 */
public final class TwoViewAugmenter {

  /** ITU-R 601 luma weights, as torchvision's {@code rgb_to_grayscale}. */
  private static final float LUMA_R = 0.299f;
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

  /**
   * Bilinear resize of the crop {@code [top, top+h) x [left, left+w)} of one image into {@code buf}
   * ({@code C x outH x outW}, values in [0, 1]), mirrored horizontally when {@code flip}.
   */
  private void resample(int index, int top, int left, int h, int w, boolean flip, float[] buf) {
    int c = dataset.channels();
    int ih = dataset.height();
    int iw = dataset.width();
    int oh = config.outHeight();
    int ow = config.outWidth();
    byte[] px = dataset.rawPixels();
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
            for (int i = 0; i < buf.length; i++) {
              buf[i] = clamp01(buf[i] * brightness);
            }
          }
        }
        case 1 -> {
          if (config.contrast() > 0) {
            double sum = 0;
            for (int p = 0; p < plane; p++) {
              sum += LUMA_R * buf[p] + LUMA_G * buf[plane + p] + LUMA_B * buf[2 * plane + p];
            }
            float m = (float) (sum / plane);
            for (int i = 0; i < buf.length; i++) {
              buf[i] = clamp01(contrast * buf[i] + (1 - contrast) * m);
            }
          }
        }
        case 2 -> {
          if (config.saturation() > 0) {
            for (int p = 0; p < plane; p++) {
              float g = LUMA_R * buf[p] + LUMA_G * buf[plane + p] + LUMA_B * buf[2 * plane + p];
              for (int ch = 0; ch < 3; ch++) {
                int i = ch * plane + p;
                buf[i] = clamp01(saturation * buf[i] + (1 - saturation) * g);
              }
            }
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

  /** Hue rotation in HSV space by {@code shift} of a full turn (torchvision's adjust_hue). */
  private static void shiftHue(float[] buf, int plane, float shift) {
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
      float h;
      if (max == r) {
        h = (g - b) / delta;
      } else if (max == g) {
        h = 2 + (b - r) / delta;
      } else {
        h = 4 + (r - g) / delta;
      }
      h = h / 6f + shift;
      h -= (float) Math.floor(h);
      float s = delta / max;
      float v = max;
      float h6 = h * 6f;
      int sector = Math.min((int) h6, 5);
      float f = h6 - sector;
      float pp = v * (1 - s);
      float q = v * (1 - s * f);
      float t = v * (1 - s * (1 - f));
      switch (sector) {
        case 0 -> { r = v; g = t; b = pp; }
        case 1 -> { r = q; g = v; b = pp; }
        case 2 -> { r = pp; g = v; b = t; }
        case 3 -> { r = pp; g = q; b = v; }
        case 4 -> { r = t; g = pp; b = v; }
        default -> { r = v; g = pp; b = q; }
      }
      buf[p] = r;
      buf[plane + p] = g;
      buf[2 * plane + p] = b;
    }
  }

  private static void grayscale(float[] buf, int plane) {
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

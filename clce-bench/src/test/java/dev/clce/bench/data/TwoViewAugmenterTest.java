package dev.clce.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The two-view augmentation: layout, determinism, and that each step does what it claims. */
class TwoViewAugmenterTest {

  static final List<Double> ZERO3 = List.of(0.0, 0.0, 0.0);
  static final List<Double> ONE3 = List.of(1.0, 1.0, 1.0);

  /** RGB ramps: R = 7x, G = 7y, B = 100 + x + y, on a side x side image; n copies, label i % 3. */
  static ImageDataset ramps(int n, int side) {
    byte[] px = new byte[n * 3 * side * side];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          int base = i * 3 * side * side + y * side + x;
          px[base] = (byte) (7 * x);
          px[base + side * side] = (byte) (7 * y);
          px[base + 2 * side * side] = (byte) (100 + x + y);
        }
      }
    }
    return new ImageDataset("ramps", px, labels, List.of("a", "b", "c"), 3, side, side);
  }

  /** Pseudo-random grey or RGB images. */
  static ImageDataset noise(int n, int channels, int side, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    byte[] px = new byte[n * channels * side * side];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) r.nextInt(256);
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
    }
    List<String> names = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    return new ImageDataset("noise", px, labels, names, channels, side, side);
  }

  static AugmentConfig plainConfig(int side) {
    return AugmentConfig.defaults(side, side, ZERO3, ONE3).withProbabilities(0.5, 0, 0);
  }

  static float at(float[] out, int row, int c, int y, int x, int side) {
    return out[((row * 3 + c) * side + y) * side + x];
  }

  @Test
  void layoutShapesAndLabels() {
    ImageDataset ds = noise(20, 1, 28, 1);
    AugmentConfig cfg = AugmentConfig.forDataset(ds).withOutputSize(24, 20);
    TwoViewAugmenter aug = new TwoViewAugmenter(ds, cfg, 7);
    int[] idx = {3, 14, 5, 0};
    TwoViewBatch b = aug.augment(idx, 11);
    assertArrayEquals(new long[] {8, 1, 24, 20}, b.features().shape());
    assertEquals(DataType.FLOAT, b.features().dataType());
    assertArrayEquals(new long[] {8}, b.labels().shape());
    assertEquals(DataType.INT32, b.labels().dataType());
    int[] labels = b.labels().toIntVector();
    for (int i = 0; i < idx.length; i++) {
      assertEquals(ds.label(idx[i]), labels[i]);
      assertEquals(ds.label(idx[i]), labels[idx.length + i]);
    }
    assertEquals(11, b.step());
    assertEquals(4, b.images());
  }

  @Test
  void sameSeedAndStepGiveSameBytesWhateverTheThreads() {
    ImageDataset ds = noise(40, 3, 32, 2);
    AugmentConfig cfg = AugmentConfig.forDataset(ds);
    int[] idx = {1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 2, 4};
    float[] a = new float[2 * idx.length * 3 * 32 * 32];
    float[] b = new float[a.length];
    float[] c = new float[a.length];
    float[] d = new float[a.length];
    new TwoViewAugmenter(ds, cfg, 42, true).augmentInto(idx, 5, a);
    new TwoViewAugmenter(ds, cfg, 42, false).augmentInto(idx, 5, b);
    new TwoViewAugmenter(ds, cfg, 43, true).augmentInto(idx, 5, c);
    new TwoViewAugmenter(ds, cfg, 42, true).augmentInto(idx, 6, d);
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c), "a different seed must give different views");
    assertFalse(Arrays.equals(a, d), "a different step must give different views");
    // the two views of one image differ
    int view = 3 * 32 * 32;
    assertFalse(Arrays.equals(Arrays.copyOfRange(a, 0, view),
        Arrays.copyOfRange(a, idx.length * view, (idx.length + 1) * view)));
  }

  /**
   * On RGB ramps (R = 7x, G = 7y) a crop-and-resize is again a ramp: recover each view's crop from
   * it, check the crop obeys the scale and ratio limits, and check every pixel against the bilinear
   * formula (half-pixel centres, edge clamp) computed here.
   */
  @Test
  void cropAndFlipDoWhatTheyClaim() {
    int side = 32;
    ImageDataset ds = ramps(1, side);
    AugmentConfig cfg = plainConfig(side);
    int views = 2 * 100;
    int[] idx = new int[views / 2];
    float[] out = new float[views * 3 * side * side];
    new TwoViewAugmenter(ds, cfg, 3).augmentInto(idx, 0, out);
    int flipped = 0;
    for (int v = 0; v < views; v++) {
      boolean flip = at(out, v, 0, 0, 0, side) > at(out, v, 0, 0, side - 1, side);
      if (flip) {
        flipped++;
      }
      double[] cx = recoverCrop(out, v, 0, side, flip, true);
      double[] cy = recoverCrop(out, v, 1, side, false, false);
      double left = cx[0];
      double w = cx[1];
      double top = cy[0];
      double h = cy[1];
      assertEquals(Math.rint(w), w, 1e-3);
      assertEquals(Math.rint(h), h, 1e-3);
      assertEquals(Math.rint(left), left, 1e-3);
      assertEquals(Math.rint(top), top, 1e-3);
      assertTrue(left >= -1e-3 && left + w <= side + 1e-3 && top >= -1e-3 && top + h <= side + 1e-3);
      double fraction = w * h / (side * side);
      boolean fullImage = Math.rint(w) == side && Math.rint(h) == side;
      // rounding each side to an integer moves area and ratio a little beyond their sampled ranges
      assertTrue(fullImage || (fraction >= 0.08 * 0.8 && fraction <= 1.0), "area fraction " + fraction);
      double ratio = w / h;
      assertTrue(ratio >= 0.75 * 0.85 && ratio <= 4.0 / 3.0 / 0.85, "ratio " + ratio);
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          int sx = flip ? side - 1 - x : x;
          double ex = 7 * (left + clamp((sx + 0.5) * w / side - 0.5, 0, w - 1));
          double ey = 7 * (top + clamp((y + 0.5) * h / side - 0.5, 0, h - 1));
          assertEquals(ex / 255, at(out, v, 0, y, x, side), 2e-5);
          assertEquals(ey / 255, at(out, v, 1, y, x, side), 2e-5);
          assertEquals((100 + (ex + ey) / 7) / 255, at(out, v, 2, y, x, side), 2e-5);
        }
      }
    }
    assertTrue(flipped > 65 && flipped < 135, "about half the views flipped, got " + flipped + " of 200");
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  /**
   * From a ramp channel (value 7 * coordinate), the crop start and length: the two middle samples
   * are never clamped when the crop is at least 2 pixels, so their difference gives 7 w / side.
   */
  private static double[] recoverCrop(float[] out, int v, int c, int side, boolean flip, boolean alongX) {
    int m0 = side / 2 - 1;
    int m1 = side / 2;
    double a = alongX ? at(out, v, c, 0, flip ? side - 1 - m0 : m0, side)
        : at(out, v, c, m0, 0, side);
    double b = alongX ? at(out, v, c, 0, flip ? side - 1 - m1 : m1, side)
        : at(out, v, c, m1, 0, side);
    double w = (b - a) * 255 / 7 * side;
    double src0 = (m0 + 0.5) * w / side - 0.5;
    double start = a * 255 / 7 - src0;
    return new double[] {start, w};
  }

  @Test
  void noFlipNoCropIsIdentityAndFlipMirrors() {
    int side = 12;
    ImageDataset ds = noise(3, 3, side, 9);
    AugmentConfig full = AugmentConfig.defaults(side, side, List.of(0.5, 0.25, 0.0), List.of(0.5, 2.0, 1.0))
        .withScale(1.0, 1.0).withProbabilities(0, 0, 0);
    float[] out = new float[2 * 3 * 3 * side * side];
    new TwoViewAugmenter(ds, full, 1).augmentInto(new int[] {0, 1, 2}, 0, out);
    float[] mirrored = new float[out.length];
    new TwoViewAugmenter(ds, full.withProbabilities(1, 0, 0), 1).augmentInto(new int[] {0, 1, 2}, 0, mirrored);
    double[] mean = {0.5, 0.25, 0.0};
    double[] std = {0.5, 2.0, 1.0};
    for (int v = 0; v < 6; v++) {
      int img = v % 3;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < side; y++) {
          for (int x = 0; x < side; x++) {
            double expected = (ds.pixel(img, c, y, x) / 255.0 - mean[c]) / std[c];
            double expectedMirror = (ds.pixel(img, c, y, side - 1 - x) / 255.0 - mean[c]) / std[c];
            assertEquals(expected, at(out, v, c, y, x, side), 1e-5);
            assertEquals(expectedMirror, at(mirrored, v, c, y, x, side), 1e-5);
          }
        }
      }
    }
    INDArray plain = new TwoViewAugmenter(ds, full, 1).plain(new int[] {2});
    assertEquals((ds.pixel(2, 1, 4, 7) / 255.0 - 0.25) / 2.0, plain.getDouble(0, 1, 4, 7), 1e-6);
  }

  /** Colour steps checked by what they must preserve, against a copy without them (same crop). */
  @Test
  void colourStepsKeepWhatTheyMustKeep() {
    int side = 16;
    int n = 6;
    ImageDataset ds = noise(n, 3, side, 4);
    int[] idx = {0, 1, 2, 3, 4, 5};
    AugmentConfig none = AugmentConfig.defaults(side, side, ZERO3, ONE3).withProbabilities(0.5, 0, 0);
    float[] base = new float[2 * n * 3 * side * side];
    new TwoViewAugmenter(ds, none, 8).augmentInto(idx, 2, base);
    int plane = side * side;
    int views = 2 * n;

    // brightness only: every unclamped pixel scaled by one factor in [0.6, 1.4]
    float[] bright = run(ds, jitter(side, 0.4, 0, 0, 0), idx, views);
    for (int v = 0; v < views; v++) {
      double factor = Double.NaN;
      for (int i = v * 3 * plane; i < (v + 1) * 3 * plane; i++) {
        if (base[i] > 0.05 && bright[i] < 0.999) {
          double f = bright[i] / base[i];
          if (Double.isNaN(factor)) {
            factor = f;
          }
          assertEquals(factor, f, 1e-4);
        }
      }
      assertTrue(factor >= 0.6 - 1e-6 && factor <= 1.4 + 1e-6, "brightness factor " + factor);
    }

    // saturation only: blending with the grey level keeps each pixel's luma
    float[] sat = run(ds, jitter(side, 0, 0, 0.4, 0), idx, views);
    boolean changed = false;
    for (int v = 0; v < views; v++) {
      for (int p = 0; p < plane; p++) {
        int o = v * 3 * plane + p;
        double lumaBase = 0.2989 * base[o] + 0.587 * base[o + plane] + 0.114 * base[o + 2 * plane];
        double lumaSat = 0.2989 * sat[o] + 0.587 * sat[o + plane] + 0.114 * sat[o + 2 * plane];
        boolean clamped = false;
        for (int c = 0; c < 3; c++) {
          clamped |= sat[o + c * plane] <= 0 || sat[o + c * plane] >= 1;
          changed |= Math.abs(sat[o + c * plane] - base[o + c * plane]) > 1e-3;
        }
        if (!clamped) {
          // exact up to torchvision's weights summing to 0.9999, not 1: |1 - s| * grey * 1e-4
          assertEquals(lumaBase, lumaSat, 6e-5);
        }
      }
    }
    assertTrue(changed);

    // hue only: a rotation in HSV keeps each pixel's max and min channel
    float[] hue = run(ds, jitter(side, 0, 0, 0, 0.1), idx, views);
    changed = false;
    for (int v = 0; v < views; v++) {
      for (int p = 0; p < plane; p++) {
        int o = v * 3 * plane + p;
        float[] a = {base[o], base[o + plane], base[o + 2 * plane]};
        float[] b = {hue[o], hue[o + plane], hue[o + 2 * plane]};
        assertEquals(Math.max(a[0], Math.max(a[1], a[2])), Math.max(b[0], Math.max(b[1], b[2])), 1e-5);
        assertEquals(Math.min(a[0], Math.min(a[1], a[2])), Math.min(b[0], Math.min(b[1], b[2])), 1e-5);
        changed |= Math.abs(a[0] - b[0]) > 1e-3;
      }
    }
    assertTrue(changed);

    // contrast only: (out - m) / (in - m) is one factor per view, m the view's mean luma
    float[] con = run(ds, jitter(side, 0, 0.4, 0, 0), idx, views);
    for (int v = 0; v < views; v++) {
      double sum = 0;
      for (int p = 0; p < plane; p++) {
        int o = v * 3 * plane + p;
        sum += 0.2989 * base[o] + 0.587 * base[o + plane] + 0.114 * base[o + 2 * plane];
      }
      double m = sum / plane;
      double factor = Double.NaN;
      for (int i = v * 3 * plane; i < (v + 1) * 3 * plane; i++) {
        if (Math.abs(base[i] - m) > 0.1 && con[i] > 0 && con[i] < 1) {
          double f = (con[i] - m) / (base[i] - m);
          if (Double.isNaN(factor)) {
            factor = f;
          }
          assertEquals(factor, f, 1e-3);
        }
      }
      assertTrue(factor >= 0.6 - 1e-3 && factor <= 1.4 + 1e-3, "contrast factor " + factor);
    }

    // grayscale always: three equal channels holding the luma
    AugmentConfig grey = none.withProbabilities(0.5, 0, 1);
    float[] g = run(ds, grey, idx, views);
    for (int v = 0; v < views; v++) {
      for (int p = 0; p < plane; p++) {
        int o = v * 3 * plane + p;
        double luma = 0.2989 * base[o] + 0.587 * base[o + plane] + 0.114 * base[o + 2 * plane];
        assertEquals(luma, g[o], 1e-5);
        assertEquals(luma, g[o + plane], 1e-5);
        assertEquals(luma, g[o + 2 * plane], 1e-5);
      }
    }
  }

  private static AugmentConfig jitter(int side, double b, double c, double s, double h) {
    return new AugmentConfig(side, side, 0.08, 1.0, 0.75, 4.0 / 3.0, 0.5, 1.0, b, c, s, h, 0.0, ZERO3, ONE3);
  }

  private static float[] run(ImageDataset ds, AugmentConfig cfg, int[] idx, int views) {
    float[] out = new float[views * ds.imageBytes()];
    new TwoViewAugmenter(ds, cfg, 8).augmentInto(idx, 2, out);
    return out;
  }

  @Test
  void greyImagesGetNoColourSteps() {
    ImageDataset ds = noise(4, 1, 10, 5);
    AugmentConfig base = AugmentConfig.defaults(10, 10, List.of(0.0), List.of(1.0)).withProbabilities(0.5, 0, 0);
    AugmentConfig colour = base.withProbabilities(0.5, 1, 1);
    float[] a = new float[2 * 4 * 100];
    float[] b = new float[a.length];
    new TwoViewAugmenter(ds, base, 1).augmentInto(new int[] {0, 1, 2, 3}, 0, a);
    new TwoViewAugmenter(ds, colour, 1).augmentInto(new int[] {0, 1, 2, 3}, 0, b);
    assertArrayEquals(a, b);
  }

  @Test
  void refusesBadInput() {
    ImageDataset ds = noise(4, 1, 10, 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TwoViewAugmenter(ds, AugmentConfig.defaults(10, 10, ZERO3, ONE3), 1));
    assertTrue(e.getMessage().startsWith("config:"), e.getMessage());
    TwoViewAugmenter aug = new TwoViewAugmenter(ds, AugmentConfig.forDataset(ds), 1);
    e = assertThrows(IllegalArgumentException.class, () -> aug.augment(new int[] {4}, 0));
    assertTrue(e.getMessage().startsWith("indices: 4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> AugmentConfig.forDataset(ds).withScale(0.5, 0.2));
    assertTrue(e.getMessage().startsWith("scaleMin, scaleMax"), e.getMessage());
  }

  /** 128 Fashion-MNIST-sized images: milliseconds, not seconds. */
  @Test
  void batchOf128SmallImagesIsFast() {
    ImageDataset ds = noise(512, 1, 28, 6);
    TwoViewAugmenter aug = new TwoViewAugmenter(ds, AugmentConfig.forDataset(ds), 1);
    int[] idx = new int[128];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i * 3;
    }
    float[] out = new float[2 * 128 * 28 * 28];
    long best = Long.MAX_VALUE;
    for (int r = 0; r < 8; r++) {
      long t0 = System.nanoTime();
      aug.augmentInto(idx, r, out);
      best = Math.min(best, System.nanoTime() - t0);
    }
    assertTrue(best < 100_000_000L, "best of 8 batches took " + best / 1e6 + " ms");
  }
}

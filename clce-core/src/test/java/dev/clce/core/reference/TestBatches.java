package dev.clce.core.reference;

import java.util.Arrays;
import java.util.Random;

/**
 * Deterministic test batches (embeddings, labels, logits) for the loss tests, including the
 * degenerate shapes LOSSES.md asks for: singleton classes, one class only, duplicate rows, an
 * all-zero row, no positive at all.
 */
public final class TestBatches {
  private TestBatches() {}

  /**
   * One batch.
   *
   * @param name a readable description (used as the test name)
   * @param z [M][d] embeddings
   * @param y [M] labels in [0, C)
   * @param o [M][C] logits
   */
  public record Batch(String name, double[][] z, int[] y, double[][] o) {
    /** @return M */
    public int m() {
      return y.length;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * Two views of {@code m / 2} images (rows i and i + m/2 share the image's label), labels drawn from
   * {@code classes} classes, Gaussian embeddings and logits.
   *
   * @param m batch size (even)
   * @param d embedding width
   * @param classes number of classes C
   * @param seed random seed
   * @return the batch
   */
  public static Batch twoViews(int m, int d, int classes, long seed) {
    Random r = new Random(seed);
    int[] y = new int[m];
    int images = m / 2;
    for (int i = 0; i < images; i++) {
      y[i] = r.nextInt(classes);
      y[i + images] = y[i];
    }
    if (m % 2 == 1) {
      y[m - 1] = r.nextInt(classes);
    }
    return new Batch("two views M=" + m + " d=" + d + " C=" + classes, gaussian(r, m, d), y, gaussian(r, m, classes));
  }

  /**
   * Labels drawn independently (so some classes have a single member: anchors without positives).
   *
   * @param m batch size
   * @param d embedding width
   * @param classes number of classes
   * @param seed random seed
   * @return the batch, with at least one singleton class and one class of two or more members
   */
  public static Batch withSingletons(int m, int d, int classes, long seed) {
    Random r = new Random(seed);
    int[] y = new int[m];
    for (int i = 0; i < m; i++) {
      y[i] = r.nextInt(classes - 1);
    }
    y[0] = classes - 1; // a guaranteed singleton
    y[2] = y[1]; // a guaranteed pair
    return new Batch("singletons M=" + m, gaussian(r, m, d), y, gaussian(r, m, classes));
  }

  /**
   * All rows in one class: no negatives anywhere.
   *
   * @param m batch size
   * @param d embedding width
   * @param seed random seed
   * @return the batch (C = 3, label 1)
   */
  public static Batch oneClass(int m, int d, long seed) {
    Random r = new Random(seed);
    int[] y = new int[m];
    Arrays.fill(y, 1);
    return new Batch("one class M=" + m, gaussian(r, m, d), y, gaussian(r, m, 3));
  }

  /**
   * Every label distinct: no anchor has a positive.
   *
   * @param m batch size
   * @param d embedding width
   * @param seed random seed
   * @return the batch (C = m)
   */
  public static Batch noPositive(int m, int d, long seed) {
    Random r = new Random(seed);
    int[] y = new int[m];
    for (int i = 0; i < m; i++) {
      y[i] = i;
    }
    return new Batch("no positive M=" + m, gaussian(r, m, d), y, gaussian(r, m, m));
  }

  /**
   * A two-view batch whose rows 1 and 2 repeat row 0 (one of the copies in another class).
   *
   * @param m batch size (&gt;= 6, even)
   * @param d embedding width
   * @param seed random seed
   * @return the batch
   */
  public static Batch duplicateRows(int m, int d, long seed) {
    Batch b = twoViews(m, d, 3, seed);
    b.z()[1] = b.z()[0].clone();
    b.z()[2] = b.z()[0].clone();
    b.y()[2] = (b.y()[0] + 1) % 3;
    return new Batch("duplicate rows M=" + m, b.z(), b.y(), b.o());
  }

  /**
   * A two-view batch with row 1 all zeros.
   *
   * @param m batch size
   * @param d embedding width
   * @param seed random seed
   * @return the batch
   */
  public static Batch zeroRow(int m, int d, long seed) {
    Batch b = twoViews(m, d, 3, seed);
    Arrays.fill(b.z()[1], 0.0);
    return new Batch("zero row M=" + m, b.z(), b.y(), b.o());
  }

  /**
   * A well-separated two-view batch: each class has a random unit centre, each image sits within
   * {@code spread} of its class's centre and its two views within {@code spread / 4} of the image,
   * so positives are far more similar than negatives and at a small tau the negative mass is many
   * orders of magnitude below the positive one (the regime where a log-of-mean form cancels).
   *
   * @param m batch size (even)
   * @param d embedding width
   * @param classes number of classes C (at most m / 2)
   * @param spread how far images lie from their centre (for example 0.05)
   * @param seed random seed
   * @return the batch; every class has at least one image
   */
  public static Batch separated(int m, int d, int classes, double spread, long seed) {
    Random r = new Random(seed);
    double[][] centres = gaussian(r, classes, d);
    for (double[] c : centres) {
      double n = 0;
      for (double v : c) {
        n += v * v;
      }
      n = Math.sqrt(n);
      for (int k = 0; k < d; k++) {
        c[k] /= n;
      }
    }
    int images = m / 2;
    int[] y = new int[m];
    double[][] z = new double[m][d];
    for (int i = 0; i < images; i++) {
      int c = i < classes ? i : r.nextInt(classes);
      y[i] = c;
      y[i + images] = c;
      double[] image = new double[d];
      for (int k = 0; k < d; k++) {
        image[k] = centres[c][k] + spread * r.nextGaussian() / Math.sqrt(d);
      }
      double scale = 1 + 0.5 * r.nextDouble(); // rows of different norms
      for (int k = 0; k < d; k++) {
        z[i][k] = scale * (image[k] + 0.25 * spread * r.nextGaussian() / Math.sqrt(d));
        z[i + images][k] = image[k] + 0.25 * spread * r.nextGaussian() / Math.sqrt(d);
      }
    }
    return new Batch("separated M=" + m + " d=" + d + " C=" + classes + " spread=" + spread, z, y,
        gaussian(r, m, classes));
  }

  private static double[][] gaussian(Random r, int rows, int cols) {
    double[][] a = new double[rows][cols];
    for (double[] row : a) {
      for (int k = 0; k < cols; k++) {
        row[k] = r.nextGaussian();
      }
    }
    return a;
  }
}

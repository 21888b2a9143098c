package dev.clce.bench.metrics;

import java.util.SplittableRandom;

/**
 * Exact t-SNE (van der Maaten and Hinton, 2008) to two dimensions on plain double arrays: Gaussian
 * input affinities whose precision is calibrated per point by binary search to the requested
 * perplexity, symmetrised {@code P = (P + P^T) / 2n}; Student-t output affinities; gradient descent
 * with momentum (0.5, then 0.8), per-coordinate gains (+0.2 / x0.8, at least 0.01) and early
 * exaggeration of P during the first iterations; seeded initialisation {@code N(0, 1e-4)}. O(n^2)
 * time and memory per iteration: meant for a few thousand points at most.
 */
public final class Tsne {

  /** Relative tolerance of the perplexity calibration (on the entropy, in nats). */
  static final double ENTROPY_TOL = 1e-5;
  /** Most bisection steps per point. */
  static final int CALIBRATION_STEPS = 100;
  private static final double MIN_GAIN = 0.01;
  private static final double P_FLOOR = 1e-12;
  private static final double INIT_SD = 1e-4;

  /**
   * Settings.
   *
   * @param perplexity the effective number of neighbours, &gt; 0 and below the number of points
   * @param iterations gradient steps, at least 1
   * @param learningRate step size, &gt; 0
   * @param exaggeration factor on P during early exaggeration, &gt;= 1
   * @param exaggerationIterations steps with exaggeration and momentum 0.5, &gt;= 0
   * @param seed seed of the initial map
   */
  public record Options(double perplexity, int iterations, double learningRate, double exaggeration,
      int exaggerationIterations, long seed) {

    /** Checks every field. */
    public Options {
      if (!(perplexity > 0) || !Double.isFinite(perplexity)) {
        throw new IllegalArgumentException("perplexity: must be finite and > 0, got " + perplexity);
      }
      if (iterations < 1) {
        throw new IllegalArgumentException("iterations: must be >= 1, got " + iterations);
      }
      if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
        throw new IllegalArgumentException("learningRate: must be finite and > 0, got " + learningRate);
      }
      if (!(exaggeration >= 1) || !Double.isFinite(exaggeration)) {
        throw new IllegalArgumentException("exaggeration: must be finite and >= 1, got " + exaggeration);
      }
      if (exaggerationIterations < 0) {
        throw new IllegalArgumentException("exaggerationIterations: must be >= 0, got " + exaggerationIterations);
      }
    }

    /**
     * The usual settings: perplexity 30, 1,000 iterations, learning rate 200, exaggeration 12 for 250.
     *
     * @param seed seed of the initial map
     * @return the settings
     */
    public static Options defaults(long seed) {
      return new Options(30, 1000, 200, 12, 250, seed);
    }
  }

  private Tsne() {}

  /**
   * Maps points to two dimensions.
   *
   * @param x n rows of d finite values; n must exceed the perplexity
   * @param options the settings
   * @return n rows of 2 values, centred at the origin
   */
  public static double[][] embed(double[][] x, Options options) {
    if (options == null) {
      throw new IllegalArgumentException("options: must not be null");
    }
    checkRows(x);
    int n = x.length;
    if (options.perplexity() >= n) {
      throw new IllegalArgumentException("perplexity: must be below the number of points " + n + ", got "
          + options.perplexity());
    }
    double[][] p = jointProbabilities(x, options.perplexity());
    SplittableRandom rnd = new SplittableRandom(options.seed());
    double[][] y = new double[n][2];
    for (double[] row : y) {
      row[0] = gaussian(rnd) * INIT_SD;
      row[1] = gaussian(rnd) * INIT_SD;
    }
    double[][] update = new double[n][2];
    double[][] gains = new double[n][2];
    for (double[] g : gains) {
      g[0] = 1;
      g[1] = 1;
    }
    double[][] num = new double[n][n];
    double[][] grad = new double[n][2];
    for (int it = 0; it < options.iterations(); it++) {
      boolean early = it < options.exaggerationIterations();
      double exag = early ? options.exaggeration() : 1.0;
      double momentum = early ? 0.5 : 0.8;
      double sumNum = 0;
      for (int i = 0; i < n; i++) {
        num[i][i] = 0;
        for (int j = i + 1; j < n; j++) {
          double dx = y[i][0] - y[j][0];
          double dy = y[i][1] - y[j][1];
          double q = 1.0 / (1.0 + dx * dx + dy * dy);
          num[i][j] = q;
          num[j][i] = q;
          sumNum += 2 * q;
        }
      }
      for (int i = 0; i < n; i++) {
        double g0 = 0;
        double g1 = 0;
        double[] pi = p[i];
        double[] ni = num[i];
        for (int j = 0; j < n; j++) {
          if (j == i) {
            continue;
          }
          double mult = (exag * pi[j] - ni[j] / sumNum) * ni[j];
          g0 += mult * (y[i][0] - y[j][0]);
          g1 += mult * (y[i][1] - y[j][1]);
        }
        grad[i][0] = 4 * g0;
        grad[i][1] = 4 * g1;
      }
      double mean0 = 0;
      double mean1 = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
          boolean sameSign = (grad[i][k] > 0) == (update[i][k] > 0);
          gains[i][k] = Math.max(MIN_GAIN, sameSign ? gains[i][k] * 0.8 : gains[i][k] + 0.2);
          update[i][k] = momentum * update[i][k] - options.learningRate() * gains[i][k] * grad[i][k];
          y[i][k] += update[i][k];
        }
        mean0 += y[i][0];
        mean1 += y[i][1];
      }
      mean0 /= n;
      mean1 /= n;
      for (double[] row : y) {
        row[0] -= mean0;
        row[1] -= mean1;
      }
    }
    return y;
  }

  /**
   * The symmetrised input affinities {@code (P_{j|i} + P_{i|j}) / 2n}, each conditional row
   * calibrated to the perplexity (entropy {@code log(perplexity)} in nats).
   *
   * @param x the points
   * @param perplexity the perplexity
   * @return the n x n joint probabilities (zero diagonal, floored at 1e-12 elsewhere)
   */
  static double[][] jointProbabilities(double[][] x, double perplexity) {
    int n = x.length;
    double[][] cond = new double[n][];
    double[] dist = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < x[i].length; k++) {
          double t = x[i][k] - x[j][k];
          s += t * t;
        }
        dist[j] = s;
      }
      cond[i] = conditionalRow(dist, i, perplexity);
    }
    double[][] p = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i != j) {
          p[i][j] = Math.max(P_FLOOR, (cond[i][j] + cond[j][i]) / (2.0 * n));
        }
      }
    }
    return p;
  }

  /**
   * One conditional row {@code P_{j|i}} whose entropy matches {@code log(perplexity)}: bisection on the
   * precision {@code beta} of {@code exp(-beta * d_ij)}.
   *
   * @param dist squared distances from point i (dist[i] ignored)
   * @param i the point
   * @param perplexity the perplexity
   * @return the row (zero at i)
   */
  static double[] conditionalRow(double[] dist, int i, double perplexity) {
    int n = dist.length;
    double target = Math.log(perplexity);
    double minD = Double.POSITIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      if (j != i) {
        minD = Math.min(minD, dist[j]);
      }
    }
    double beta = 1.0;
    double lo = 0;
    double hi = Double.POSITIVE_INFINITY;
    double[] row = new double[n];
    for (int step = 0; step < CALIBRATION_STEPS; step++) {
      // Shift by the smallest distance so the largest weight is exp(0) = 1: no underflow of every term.
      double sum = 0;
      double weighted = 0;
      for (int j = 0; j < n; j++) {
        if (j == i) {
          row[j] = 0;
          continue;
        }
        double w = Math.exp(-beta * (dist[j] - minD));
        row[j] = w;
        sum += w;
        weighted += w * (dist[j] - minD);
      }
      double entropy = Math.log(sum) + beta * weighted / sum;
      double diff = entropy - target;
      for (int j = 0; j < n; j++) {
        row[j] /= sum;
      }
      if (Math.abs(diff) < ENTROPY_TOL) {
        break;
      }
      if (diff > 0) { // too flat: sharpen
        lo = beta;
        beta = Double.isInfinite(hi) ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    return row;
  }

  private static double gaussian(SplittableRandom rnd) {
    double u1 = 1.0 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  private static void checkRows(double[][] x) {
    if (x == null || x.length < 2) {
      throw new IllegalArgumentException("x: must hold at least 2 rows, got " + (x == null ? "null" : x.length));
    }
    int d = x[0] == null ? 0 : x[0].length;
    for (int i = 0; i < x.length; i++) {
      if (x[i] == null || x[i].length != d || d == 0) {
        throw new IllegalArgumentException("x: every row must have the same non-zero length " + d + ", row " + i
            + " has " + (x[i] == null ? "none" : x[i].length));
      }
      for (double v : x[i]) {
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException("x: must be finite, got " + v + " at row " + i);
        }
      }
    }
  }
}

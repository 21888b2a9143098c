package dev.clce.bench.metrics;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * The paired two-sided Student t-test of {@code a - b} (same seeds, same budget), with the 95%
 * confidence interval of the mean difference {@code mean +- t_{0.975, n-1} * sd / sqrt(n)}. The
 * Student t distribution is commons-math3's (regularized incomplete beta). A standard deviation of the
 * differences below 1e-12 of the largest input is taken as 0 (rounding, not spread).
 *
 * @param n number of pairs
 * @param meanDiff mean of {@code a - b}
 * @param sdDiff sample standard deviation of the differences (divisor n - 1)
 * @param t the t statistic (infinite when every difference is equal and non-zero; NaN when all are 0)
 * @param df degrees of freedom, n - 1
 * @param p two-sided p-value (1 when every difference is 0, 0 when they are equal and non-zero)
 * @param ciLow lower end of the 95% interval of the mean difference
 * @param ciHigh upper end
 */
public record PairedTTest(int n, double meanDiff, double sdDiff, double t, int df, double p, double ciLow,
    double ciHigh) {

  /**
   * Runs the test.
   *
   * @param a first sample (at least 2 finite values)
   * @param b second sample, paired with {@code a} (same length)
   * @return the result
   */
  public static PairedTTest of(double[] a, double[] b) {
    if (a == null || a.length < 2) {
      throw new IllegalArgumentException("a: must hold at least 2 values, got " + (a == null ? "null" : a.length));
    }
    if (b == null || b.length != a.length) {
      throw new IllegalArgumentException("b: must hold as many values as a (" + a.length + "), got "
          + (b == null ? "null" : b.length));
    }
    int n = a.length;
    double[] d = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(a[i]) || !Double.isFinite(b[i])) {
        throw new IllegalArgumentException("a, b: must be finite, got " + a[i] + ", " + b[i] + " at " + i);
      }
      d[i] = a[i] - b[i];
      sum += d[i];
    }
    double mean = sum / n;
    double ss = 0;
    for (double x : d) {
      ss += (x - mean) * (x - mean);
    }
    double sd = Math.sqrt(ss / (n - 1));
    // Differences equal up to rounding (for example 0.52 - 0.48 and 0.57 - 0.53 in double) have no spread.
    double scale = 0;
    for (int i = 0; i < n; i++) {
      scale = Math.max(scale, Math.max(Math.abs(a[i]), Math.abs(b[i])));
    }
    if (sd <= 1e-12 * scale) {
      sd = 0;
    }
    int df = n - 1;
    double se = sd / Math.sqrt(n);
    TDistribution dist = new TDistribution(null, df);
    double q = dist.inverseCumulativeProbability(0.975);
    double t;
    double p;
    if (se == 0) {
      t = mean == 0 ? Double.NaN : Math.copySign(Double.POSITIVE_INFINITY, mean);
      p = mean == 0 ? 1.0 : 0.0;
    } else {
      t = mean / se;
      p = 2.0 * dist.cumulativeProbability(-Math.abs(t));
    }
    return new PairedTTest(n, mean, sd, t, df, p, mean - q * se, mean + q * se);
  }

  /**
   * Whether the differences vary: without spread the t statistic is infinite or undefined and the
   * p-value says nothing (the report shows it as not applicable).
   *
   * @return true when the sample sd of the differences is positive
   */
  public boolean hasSpread() {
    return sdDiff > 0;
  }

}

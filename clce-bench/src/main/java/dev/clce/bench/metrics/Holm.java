package dev.clce.bench.metrics;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Holm's step-down correction for testing several hypotheses at once (Holm 1979): sort the m
 * p-values, multiply the i-th smallest by {@code m - i + 1}, cap at 1 and make the sequence
 * non-decreasing. Rejecting where the adjusted p is below alpha keeps the family-wise error rate at
 * alpha, with no assumption about how the tests depend on each other (the bench's claims share arms).
 */
public final class Holm {
  private Holm() {}

  /**
   * Adjusted p-values, in the input's order. NaN entries (claims without a test) are left NaN and do
   * not count in m.
   *
   * @param p raw p-values in [0, 1] or NaN
   * @return the adjusted p-values
   */
  public static double[] adjust(double[] p) {
    if (p == null) {
      throw new IllegalArgumentException("p: must not be null");
    }
    for (int i = 0; i < p.length; i++) {
      if (!Double.isNaN(p[i]) && (p[i] < 0 || p[i] > 1)) {
        throw new IllegalArgumentException("p: must be in [0, 1] or NaN, got " + p[i] + " at " + i);
      }
    }
    Integer[] order = new Integer[p.length];
    int m = 0;
    for (int i = 0; i < p.length; i++) {
      if (!Double.isNaN(p[i])) {
        order[m++] = i;
      }
    }
    Integer[] tested = Arrays.copyOf(order, m);
    Arrays.sort(tested, Comparator.comparingDouble(i -> p[i]));
    double[] out = new double[p.length];
    Arrays.fill(out, Double.NaN);
    double running = 0;
    for (int k = 0; k < m; k++) {
      running = Math.max(running, Math.min(1.0, (m - k) * p[tested[k]]));
      out[tested[k]] = running;
    }
    return out;
  }
}

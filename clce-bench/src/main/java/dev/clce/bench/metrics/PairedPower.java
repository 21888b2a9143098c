package dev.clce.bench.metrics;

import java.util.OptionalInt;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Power of the two-sided t-test and the number of pairs a paired comparison needs, so that the
 * report can say how many seeds a claim would need at the spread it measured. commons-math3 has no
 * non-central t distribution; its tail is the expectation over {@code V ~ chi2(df)} of a normal tail,
 * {@code P(T' > c) = E[1 - Phi(c sqrt(V / df) - ncp)]}, integrated with Simpson's rule over
 * {@code S = sqrt(V / df)}, whose density is bounded for every df (the chi-squared density itself is
 * unbounded at 0 for df = 1).
 */
public final class PairedPower {
  /** The power the report asks for. */
  public static final double TARGET_POWER = 0.8;
  /** The largest number of pairs the search considers. */
  public static final int MAX_PAIRS = 100_000;
  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);
  /** Simpson intervals of the integral over S (even). */
  private static final int STEPS = 4000;

  private PairedPower() {}

  /**
   * Two-sided power of a t-test: the probability that |T| exceeds the {@code 1 - alpha/2} quantile of
   * Student's t when T follows the non-central t distribution.
   *
   * @param df degrees of freedom (at least 1)
   * @param ncp non-centrality (for a paired test: mean difference / sd of differences * sqrt(n))
   * @param alpha two-sided level in (0, 1)
   * @return the power in [alpha, 1]
   */
  public static double power(int df, double ncp, double alpha) {
    if (df < 1) {
      throw new IllegalArgumentException("df: must be >= 1, got " + df);
    }
    if (!Double.isFinite(ncp)) {
      throw new IllegalArgumentException("ncp: must be finite, got " + ncp);
    }
    checkAlpha(alpha);
    double c = new TDistribution(null, df).inverseCumulativeProbability(1 - alpha / 2);
    ChiSquaredDistribution chi = new ChiSquaredDistribution(null, df);
    // S = sqrt(V / df) has density 2 df s f_chi2(df s^2), bounded for every df, and lies within
    // 1 +- 15 / sqrt(df) up to a mass far below double precision.
    double half = 15 / Math.sqrt(df);
    double lo = Math.max(0, 1 - half);
    double hi = 1 + half;
    double h = (hi - lo) / STEPS;
    double sum = 0;
    for (int i = 0; i <= STEPS; i++) {
      double s = lo + i * h;
      double w = i == 0 || i == STEPS ? 1 : i % 2 == 1 ? 4 : 2;
      double density = s == 0 ? (df == 1 ? Math.sqrt(2 / Math.PI) : 0)
          : Math.exp(Math.log(2.0 * df * s) + chi.logDensity(df * s * s));
      sum += w * density * (NORMAL.cumulativeProbability(ncp - c * s) + NORMAL.cumulativeProbability(-c * s - ncp));
    }
    double p = sum * h / 3;
    return Math.min(1, Math.max(0, p));
  }

  /**
   * The smallest number of pairs n (at least 2) at which the two-sided paired t-test at level alpha
   * reaches the target power, if the true mean difference and sd of differences are the measured
   * ones.
   *
   * @param meanDiff mean of the differences
   * @param sdDiff sample standard deviation of the differences
   * @param alpha two-sided level in (0, 1)
   * @param target power in (alpha, 1)
   * @return n, or empty when the question has no answer: no spread (sd 0: any n "suffices", the
   *     t-test does not apply), no effect (mean 0), or more than {@link #MAX_PAIRS}
   */
  public static OptionalInt pairsNeeded(double meanDiff, double sdDiff, double alpha, double target) {
    checkAlpha(alpha);
    if (!(target > alpha && target < 1)) {
      throw new IllegalArgumentException("target: must be in (alpha, 1), got " + target);
    }
    if (!Double.isFinite(meanDiff) || !Double.isFinite(sdDiff) || sdDiff < 0) {
      throw new IllegalArgumentException("meanDiff, sdDiff: must be finite with sdDiff >= 0, got " + meanDiff + ", "
          + sdDiff);
    }
    if (sdDiff == 0 || meanDiff == 0) {
      return OptionalInt.empty();
    }
    double d = Math.abs(meanDiff) / sdDiff;
    if (reaches(2, d, alpha, target)) {
      return OptionalInt.of(2);
    }
    // Power grows with n: double until reached, then bisect.
    int lo = 2;
    int hi = 4;
    while (!reaches(hi, d, alpha, target)) {
      if (hi >= MAX_PAIRS) {
        return OptionalInt.empty();
      }
      lo = hi;
      hi = Math.min(MAX_PAIRS, hi * 2);
    }
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (reaches(mid, d, alpha, target)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return OptionalInt.of(hi);
  }

  private static boolean reaches(int n, double d, double alpha, double target) {
    return power(n - 1, d * Math.sqrt(n), alpha) >= target;
  }

  private static void checkAlpha(double alpha) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha: must be in (0, 1), got " + alpha);
    }
  }
}

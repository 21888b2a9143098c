package dev.clce.bench.perf;

import java.util.Arrays;

/**
 * Wall times of repeated steps, in seconds, with the statistics the benchmarks report.
 *
 * @param seconds one entry per timed step, in the order they ran
 */
public record StepTimes(double[] seconds) {

  /** @param seconds one entry per timed step (copied), at least one */
  public StepTimes {
    if (seconds == null || seconds.length == 0) {
      throw new IllegalArgumentException("seconds: must hold at least one step time, got "
          + (seconds == null ? "null" : "none"));
    }
    seconds = seconds.clone();
  }

  /** @return a copy of the step times */
  @Override
  public double[] seconds() {
    return seconds.clone();
  }

  /** @return the median step time */
  public double median() {
    return median(seconds);
  }

  /** @return the fastest step */
  public double min() {
    return Arrays.stream(seconds).min().orElseThrow();
  }

  /** @return the slowest step */
  public double max() {
    return Arrays.stream(seconds).max().orElseThrow();
  }

  /** @return the median of the first half of the steps (the first step when there is one) */
  public double earlyMedian() {
    return median(Arrays.copyOfRange(seconds, 0, Math.max(1, seconds.length / 2)));
  }

  /** @return the median of the second half of the steps (the last step when there is one) */
  public double lateMedian() {
    return median(Arrays.copyOfRange(seconds, seconds.length / 2, seconds.length));
  }

  /**
   * The median of some values.
   *
   * @param v at least one value (not changed)
   * @return the middle value, or the mean of the two middle values
   */
  public static double median(double[] v) {
    if (v == null || v.length == 0) {
      throw new IllegalArgumentException("v: must hold at least one value");
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }
}

package dev.clce.bench.eval;

import com.google.common.math.Stats;
import org.apache.commons.math3.distribution.TDistribution;
import java.util.Locale;

/**
 * The mean of {@code n} values with its 95% confidence half-width {@code t * sd / sqrt(n)}, where
 * {@code sd} is the sample standard deviation (divisor {@code n - 1}) and {@code t} the 0.975 quantile
 * of Student's t distribution with {@code n - 1} degrees of freedom (the normal quantile 1.96 would
 * understate the interval for few episodes: t is 2.78 at n = 5, 2.09 at n = 20). For {@code n = 1}
 * the standard deviation and the half-width are NaN.
 *
 * @param mean the mean
 * @param sd the sample standard deviation
 * @param ci95 the half-width of the 95% confidence interval
 * @param n the number of values
 */
public record MeanCi(double mean, double sd, double ci95, int n) {

  /**
   * The two-sided 95% quantile of Student's t distribution.
   *
   * @param degreesOfFreedom n - 1, &gt;= 1
   * @return the 0.975 quantile
   */
  public static double t95(int degreesOfFreedom) {
    return new TDistribution(null, degreesOfFreedom).inverseCumulativeProbability(0.975);
  }

  /**
   * Summarises values (Guava {@link Stats}: mean and sample standard deviation in double precision).
   *
   * @param values at least one finite value
   * @return mean, sd, 95% half-width, n
   */
  public static MeanCi of(double[] values) {
    if (values == null || values.length == 0) {
      throw new IllegalArgumentException("values: must hold at least one value, got "
          + (values == null ? "null" : "none"));
    }
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("values: must be finite, got " + v);
      }
    }
    Stats stats = Stats.of(values);
    int n = values.length;
    if (n == 1) {
      return new MeanCi(stats.mean(), Double.NaN, Double.NaN, 1);
    }
    double sd = stats.sampleStandardDeviation();
    return new MeanCi(stats.mean(), sd, t95(n - 1) * sd / Math.sqrt(n), n);
  }



  /**
   * As a percentage, for example {@code 83.21 +- 0.45 %} (for accuracies in [0, 1]).
   *
   * @return the text
   */
  public String toPercentString() {
    return String.format(Locale.ROOT, "%.2f +- %.2f %%", 100 * mean, 100 * ci95);
  }
}

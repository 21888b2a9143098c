package dev.clce.core.gradcheck;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of a {@link GradientCheck}: how many gradient entries were compared, whether they all
 * agreed, the worst disagreement and where it is, and the failing entries (up to a limit).
 *
 * <p>Each entry compares SameDiff's analytic gradient {@code a} with the central finite difference
 * {@code n = (L(x + eps) - L(x - eps)) / (2 eps)}. Its relative error is {@code |a - n| / (|a| + |n|)}
 * (0 when both are 0) and its absolute error {@code |a - n|}. An entry <em>fails</em> when either
 * value is NaN or infinite, or when its relative error exceeds {@link #maxRelativeError()} and its
 * absolute error exceeds {@link #minAbsoluteError()} (the absolute floor excuses round-off around
 * zero, for example 1e-13 against 0).
 *
 * <p>{@link #toString()} is meant to be read by a person, for example printed by a failing test.
 */
public final class GradientCheckReport {

  /**
   * One compared gradient entry.
   *
   * @param variable the variable (or placeholder) name
   * @param index the position of the entry in the variable, in C order
   * @param analytic SameDiff's gradient there
   * @param numeric the central finite difference there
   * @param relativeError {@code |analytic - numeric| / (|analytic| + |numeric|)}, 0 when both are 0,
   *     NaN when either is not finite
   * @param absoluteError {@code |analytic - numeric|}
   * @param failed whether this entry failed the thresholds
   */
  public record Entry(
      String variable,
      long[] index,
      double analytic,
      double numeric,
      double relativeError,
      double absoluteError,
      boolean failed) {

    /** @return for example {@code w[1, 3]} */
    public String where() {
      return variable + Arrays.toString(index);
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%s: analytic=%.10g numeric=%.10g relErr=%.3g absErr=%.3g%s",
          where(),
          analytic,
          numeric,
          relativeError,
          absoluteError,
          failed ? " FAILED" : "");
    }
  }

  private final String loss;
  private final double lossValue;
  private final double epsilon;
  private final double maxRelativeError;
  private final double minAbsoluteError;
  private final Map<String, Long> checkedPerVariable;
  private final Map<String, Long> failedPerVariable;
  private final List<String> withoutGradient;
  private final long checked;
  private final long failed;
  private final Entry worst;
  private final List<Entry> failures;

  GradientCheckReport(
      String loss,
      double lossValue,
      double epsilon,
      double maxRelativeError,
      double minAbsoluteError,
      Map<String, Long> checkedPerVariable,
      Map<String, Long> failedPerVariable,
      List<String> withoutGradient,
      long checked,
      long failed,
      Entry worst,
      List<Entry> failures) {
    this.loss = loss;
    this.lossValue = lossValue;
    this.epsilon = epsilon;
    this.maxRelativeError = maxRelativeError;
    this.minAbsoluteError = minAbsoluteError;
    this.checkedPerVariable = Map.copyOf(checkedPerVariable);
    this.failedPerVariable = Map.copyOf(failedPerVariable);
    this.withoutGradient = List.copyOf(withoutGradient);
    this.checked = checked;
    this.failed = failed;
    this.worst = worst;
    this.failures = List.copyOf(failures);
  }

  /** @return true when no checked entry failed */
  public boolean passed() {
    return failed == 0;
  }

  /**
   * Fails a unit test when the check failed: throws an {@link AssertionError} (a test failure in
   * JUnit, TestNG and plain {@code assert}-style harnesses alike, without depending on any of them)
   * whose first line names the worst parameter and entry, followed by the whole report.
   *
   * <pre>{@code
   * GradientCheck.builder(sd).setLoss("loss").setVariables("w", "b").optPlaceholders(ph).build().run().assertPassed();
   * }</pre>
   *
   * @return this report, when it passed
   * @throws AssertionError when any checked entry failed
   */
  public GradientCheckReport assertPassed() {
    if (passed()) {
      return this;
    }
    String head;
    if (worst == null) {
      head = String.format(Locale.ROOT, "gradient check of '%s' failed: %d of %d entries", loss, failed, checked);
    } else {
      long inWorst = failedPerVariable.getOrDefault(worst.variable(), 0L);
      head = String.format(Locale.ROOT,
          "gradient check of '%s' failed: worst parameter '%s' (%d of %d entries failed there), worst entry %s;"
              + " %d of %d entries failed in all",
          loss, worst.variable(), inWorst, checkedPerVariable.getOrDefault(worst.variable(), 0L), worst, failed, checked);
    }
    throw new AssertionError(head + System.lineSeparator() + this);
  }

  /** @return the name of the loss that was checked */
  public String loss() {
    return loss;
  }

  /** @return the loss value at the unperturbed point (in double) */
  public double lossValue() {
    return lossValue;
  }

  /** @return the finite-difference step used */
  public double epsilon() {
    return epsilon;
  }

  /** @return the relative-error threshold used */
  public double maxRelativeError() {
    return maxRelativeError;
  }

  /** @return the absolute-error floor used */
  public double minAbsoluteError() {
    return minAbsoluteError;
  }

  /** @return the number of gradient entries compared */
  public long checkedCount() {
    return checked;
  }

  /** @return the number of entries that failed */
  public long failedCount() {
    return failed;
  }

  /** @return entries compared per variable name */
  public Map<String, Long> checkedPerVariable() {
    return checkedPerVariable;
  }

  /** @return failed entries per variable name (variables without failures are absent) */
  public Map<String, Long> failedPerVariable() {
    return failedPerVariable;
  }

  /**
   * The checked variables for which SameDiff built no gradient at all (their analytic gradient is
   * taken as zero, so any non-zero finite difference fails them).
   *
   * @return their names, possibly empty
   */
  public List<String> variablesWithoutGradient() {
    return withoutGradient;
  }

  /**
   * The worst entry: the one with the largest relative error among the entries whose absolute
   * error is above the floor (a NaN or infinite entry counts as worst of all); when every entry is
   * within the floor, the one with the largest absolute error.
   *
   * @return the worst entry, empty only when nothing was checked
   */
  public Optional<Entry> worst() {
    return Optional.ofNullable(worst);
  }

  /**
   * The largest relative error among entries whose absolute error exceeds the floor (NaN when an
   * entry was not finite; 0 when every entry is within the floor).
   *
   * @return the worst relative error that counts
   */
  public double worstRelativeError() {
    if (worst == null || !(worst.absoluteError() > minAbsoluteError || Double.isNaN(worst.relativeError()))) {
      return 0.0;
    }
    return worst.relativeError();
  }

  /**
   * The failing entries, in the order they were checked, up to the limit set with {@link
   * GradientCheck.Builder#optMaxReportedFailures(int)}; {@link #failedCount()} has the full count.
   *
   * @return the failing entries kept
   */
  public List<Entry> failures() {
    return failures;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(
        Locale.ROOT,
        "Gradient check of '%s' (value %.10g): %s, %d of %d entries failed"
            + " (eps=%.1e, maxRelErr=%.1e, minAbsErr=%.1e)%n",
        loss, lossValue, passed() ? "PASSED" : "FAILED", failed, checked, epsilon, maxRelativeError,
        minAbsoluteError));
    for (Map.Entry<String, Long> e : new java.util.TreeMap<>(checkedPerVariable).entrySet()) {
      long f = failedPerVariable.getOrDefault(e.getKey(), 0L);
      sb.append(String.format(Locale.ROOT, "  %-24s %6d checked, %6d failed%s%n", e.getKey(), e.getValue(), f,
          withoutGradient.contains(e.getKey()) ? " (SameDiff built no gradient for it)" : ""));
    }
    if (worst != null) {
      sb.append(String.format(Locale.ROOT, "  worst relative error %.3g at %s%n", worstRelativeError(), worst));
    }
    if (!failures.isEmpty()) {
      sb.append("  failing entries");
      if (failures.size() < failed) {
        sb.append(" (first ").append(failures.size()).append(" of ").append(failed).append(')');
      }
      sb.append(":\n");
      for (Entry e : failures) {
        sb.append("    ").append(e).append('\n');
      }
    }
    return sb.toString().stripTrailing();
  }
}

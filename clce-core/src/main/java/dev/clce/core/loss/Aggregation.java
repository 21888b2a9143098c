package dev.clce.core.loss;

import java.util.Locale;

/** How LACLN (and CL) combine the positives of one anchor. See {@code LOSSES.md}. */
public enum Aggregation {
  /**
   * The paper's Eq. 3 as printed: {@code -log( S+ / (|P| (S+ + W)) )}, the log of the mean over
   * positives. The default.
   */
  LOG_OF_MEAN,
  /** SupCon's L_out form: {@code -(1/|P|) sum_p log( e_p / (S+ + W) )}, the mean of the logs. */
  MEAN_OF_LOG;

  /** @return the command-line spelling, {@code log-of-mean} or {@code mean-of-log} */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses {@code log-of-mean} or {@code mean-of-log} (underscores and case are accepted too).
   *
   * @param name the spelling
   * @return the aggregation
   * @throws IllegalArgumentException naming the value when it is unknown
   */
  public static Aggregation parse(String name) {
    String n = name == null ? "" : name.trim().replace('_', '-');
    for (Aggregation a : values()) {
      if (a.cliName().equalsIgnoreCase(n)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "aggregation: unknown value '" + name + "' (expected log-of-mean or mean-of-log)");
  }
}

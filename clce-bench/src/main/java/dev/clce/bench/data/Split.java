package dev.clce.bench.data;

/** The official split of a dataset. */
public enum Split {
  /** The training split. */
  TRAIN,
  /** The test split. */
  TEST;

  /**
   * The lower-case name used in file layouts and JSON ({@code train}, {@code test}).
   *
   * @return the name
   */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

package dev.clce.bench.train;

/**
 * How much a run trains: images per batch and a length in steps or in epochs (exactly one of the
 * two is &gt; 0).
 *
 * @param batch images per batch (the loss sees two views of each), &gt;= 2
 * @param steps training steps, 0 when the length is in epochs
 * @param epochs training epochs, 0 when the length is in steps
 */
public record Budget(int batch, long steps, int epochs) {
  /** Default images per batch. */
  public static final int DEFAULT_BATCH = 64;

  /** Checks every field. */
  public Budget {
    if (batch < 2) {
      throw new IllegalArgumentException("batch: must be >= 2, got " + batch);
    }
    if (steps < 0 || epochs < 0 || (steps > 0) == (epochs > 0)) {
      throw new IllegalArgumentException("steps: give exactly one of --steps S or --epochs E (> 0), got steps="
          + steps + ", epochs=" + epochs);
    }
  }

  /**
   * @param batch images per batch
   * @param steps training steps
   * @return the budget
   */
  public static Budget ofSteps(int batch, long steps) {
    return new Budget(batch, steps, 0);
  }

  /**
   * @param batch images per batch
   * @param epochs training epochs
   * @return the budget
   */
  public static Budget ofEpochs(int batch, int epochs) {
    return new Budget(batch, 0, epochs);
  }

  /**
   * The total number of steps.
   *
   * @param stepsPerEpoch batches per epoch of the sampler
   * @return {@link #steps()} if set, else {@code epochs * stepsPerEpoch}
   */
  public long totalSteps(int stepsPerEpoch) {
    return steps > 0 ? steps : (long) epochs * stepsPerEpoch;
  }
}

package dev.clce.bench.train;

/**
 * How a run is recorded and shown; nothing here changes the trained weights, so these fields may
 * differ between a run and its resumption.
 *
 * @param checkpointEvery steps between checkpoints, 0 = only at the end
 * @param keepCheckpoints how many of the newest checkpoints are kept, &gt;= 1
 * @param logEvery steps between step records in {@code metrics.jsonl}, 0 = none (epoch and final
 *     records are always written)
 * @param progressEvery steps between progress lines when standard error is not a terminal, 0 = no
 *     progress at all
 * @param evalBatch images per evaluation forward pass, &gt;= 1
 */
public record RunPolicy(long checkpointEvery, int keepCheckpoints, int logEvery, int progressEvery, int evalBatch) {
  /** Default number of checkpoints kept. */
  public static final int DEFAULT_KEEP_CHECKPOINTS = 2;
  /** Default images per evaluation forward pass. */
  public static final int DEFAULT_EVAL_BATCH = 256;
  /** Default progress interval on a non-terminal. */
  public static final int DEFAULT_PROGRESS_EVERY = 10;
  /** Checkpoint at the end only, keep 2, a record per step, progress every 10 steps. */
  public static final RunPolicy DEFAULT = new RunPolicy(0, DEFAULT_KEEP_CHECKPOINTS, 1, DEFAULT_PROGRESS_EVERY,
      DEFAULT_EVAL_BATCH);

  /** Checks every field. */
  public RunPolicy {
    if (checkpointEvery < 0) {
      throw new IllegalArgumentException("checkpoint-every: must be >= 0 (0 = only at the end), got " + checkpointEvery);
    }
    if (keepCheckpoints < 1) {
      throw new IllegalArgumentException("keep-checkpoints: must be >= 1, got " + keepCheckpoints);
    }
    if (logEvery < 0) {
      throw new IllegalArgumentException("log-every: must be >= 0 (0 = no step records), got " + logEvery);
    }
    if (progressEvery < 0) {
      throw new IllegalArgumentException("progress-every: must be >= 0 (0 = no progress), got " + progressEvery);
    }
    if (evalBatch < 1) {
      throw new IllegalArgumentException("eval-batch: must be >= 1, got " + evalBatch);
    }
  }

  /**
   * @param v steps between checkpoints, 0 = only at the end
   * @return a copy with it
   */
  public RunPolicy withCheckpointEvery(long v) {
    return new RunPolicy(v, keepCheckpoints, logEvery, progressEvery, evalBatch);
  }

  /**
   * @param v checkpoints kept
   * @return a copy with it
   */
  public RunPolicy withKeepCheckpoints(int v) {
    return new RunPolicy(checkpointEvery, v, logEvery, progressEvery, evalBatch);
  }

  /**
   * @param v steps between progress lines, 0 = no progress
   * @return a copy with it
   */
  public RunPolicy withProgressEvery(int v) {
    return new RunPolicy(checkpointEvery, keepCheckpoints, logEvery, v, evalBatch);
  }
}

package dev.clce.bench.train;

import java.util.regex.Pattern;

/** File names in a run directory and graph names the trainer adds to a model. */
public final class TrainNames {
  /** The run's configuration, {@link TrainConfig} as JSON ({@link TrainJson}). */
  public static final String CONFIG_JSON = "config.json";
  /** The metrics log, JSON lines. */
  public static final String METRICS_JSONL = "metrics.jsonl";
  /** The final result, {@link TrainResult} as JSON. */
  public static final String FINAL_JSON = "final.json";
  /**
   * The name the run-directory write check's probe stands for: no file of this name is written; the
   * probe is a temporary file for it ({@code .clce-write-check.<digits>.tmp}).
   */
  public static final String WRITE_CHECK = "clce-write-check";
  /** Labels placeholder added to the model graph: INT32 [2B]. */
  public static final String LABELS = "train.labels";
  /** The scalar loss added to the model graph. */
  public static final String LOSS = "train.loss";

  /**
   * Every name the trainer writes to in a run directory, as targets of atomic writes: the
   * configuration, the metrics log, the final result, the checkpoints and the write check's probe.
   * A run killed during one of these writes leaves a temporary file of such a target, and only those
   * are removed when the directory is used again ({@link dev.clce.core.internal.AtomicFiles#removeTemporaryFiles}).
   */
  static final Pattern RUN_DIR_TARGETS = Pattern.compile(String.join("|", Pattern.quote(CONFIG_JSON),
      Pattern.quote(METRICS_JSONL), Pattern.quote(FINAL_JSON), Checkpoint.NAME.pattern(), Pattern.quote(WRITE_CHECK)));

  private TrainNames() {}
}

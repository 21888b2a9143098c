package dev.clce.bench.train;

/** File names in a run directory and graph names the trainer adds to a model. */
public final class TrainNames {
  /** The run's configuration, {@link TrainConfig} as JSON ({@link TrainJson}). */
  public static final String CONFIG_JSON = "config.json";
  /** The metrics log, JSON lines. */
  public static final String METRICS_JSONL = "metrics.jsonl";
  /** The final result, {@link TrainResult} as JSON. */
  public static final String FINAL_JSON = "final.json";
  /** Labels placeholder added to the model graph: INT32 [2B]. */
  public static final String LABELS = "train.labels";
  /** The scalar loss added to the model graph. */
  public static final String LOSS = "train.loss";

  private TrainNames() {}
}

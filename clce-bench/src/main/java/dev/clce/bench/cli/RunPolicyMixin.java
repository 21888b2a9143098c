package dev.clce.bench.cli;

import dev.clce.bench.train.RunPolicy;
import picocli.CommandLine.Option;

/** The run-policy options ({@link RunPolicy}) of {@code train}; they may change on {@code --resume}. */
public final class RunPolicyMixin {

  @Option(names = "--checkpoint-every", paramLabel = "N", description = "steps between checkpoints, 0 = only at the end")
  long checkpointEvery;

  @Option(names = "--keep-checkpoints", paramLabel = "N", description = "newest checkpoints kept (default ${DEFAULT-VALUE})")
  int keepCheckpoints = RunPolicy.DEFAULT_KEEP_CHECKPOINTS;

  @Option(names = "--log-every", paramLabel = "N", description = "steps between step records in metrics.jsonl, 0 = none (default 1)")
  int logEvery = 1;

  @Option(names = "--progress-every", paramLabel = "N",
      description = "steps between progress lines when stderr is not a terminal, 0 = no progress (default ${DEFAULT-VALUE})")
  int progressEvery = RunPolicy.DEFAULT_PROGRESS_EVERY;

  @Option(names = "--eval-batch", paramLabel = "N", description = "images per evaluation forward pass (default ${DEFAULT-VALUE})")
  int evalBatch = RunPolicy.DEFAULT_EVAL_BATCH;

  /** @return the run policy (checked) */
  RunPolicy config() {
    return new RunPolicy(checkpointEvery, keepCheckpoints, logEvery, progressEvery, evalBatch);
  }
}

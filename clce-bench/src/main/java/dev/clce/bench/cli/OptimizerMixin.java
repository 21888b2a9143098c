package dev.clce.bench.cli;

import dev.clce.bench.train.OptimizerConfig;
import dev.clce.bench.train.OptimizerKind;
import picocli.CommandLine.Option;

/** The optimiser options ({@link OptimizerConfig}) of {@code train}. */
public final class OptimizerMixin {

  @Option(names = "--optimizer", paramLabel = "OPT", completionCandidates = CliTypes.Optimizers.class,
      description = "${COMPLETION-CANDIDATES}; sgd uses Nesterov momentum (default ${DEFAULT-VALUE})")
  String kind = OptimizerKind.SGD.cliName();

  @Option(names = "--lr", paramLabel = "LR", description = "peak learning rate (default ${DEFAULT-VALUE})")
  double lr = OptimizerConfig.DEFAULT_LR;

  @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum in [0, 1) (default ${DEFAULT-VALUE})")
  double momentum = OptimizerConfig.DEFAULT_MOMENTUM;

  @Option(names = "--weight-decay", paramLabel = "WD", description = "weight decay (default ${DEFAULT-VALUE})")
  double weightDecay = OptimizerConfig.DEFAULT_WEIGHT_DECAY;

  @Option(names = "--warmup-steps", paramLabel = "N", description = "linear warm-up steps before the cosine decay (default 0)")
  long warmupSteps;

  /** @return the optimiser part (checked) */
  OptimizerConfig config() {
    return new OptimizerConfig(new CliTypes.Optimizers().parse(kind), lr, momentum, weightDecay, warmupSteps);
  }
}

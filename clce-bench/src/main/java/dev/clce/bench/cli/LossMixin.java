package dev.clce.bench.cli;

import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import picocli.CommandLine.Option;

/**
 * The loss options ({@link LossConfig}) for every command that builds a loss (train, loss, perf):
 * {@code --loss --tau --lambda --beta --aggregation --detach-weights}; unset values keep the loss's
 * defaults.
 */
public final class LossMixin {

  @Option(names = "--loss", paramLabel = "LOSS", completionCandidates = CliTypes.Losses.class,
      description = "${COMPLETION-CANDIDATES}")
  String loss;

  @Option(names = "--tau", paramLabel = "TAU", description = "temperature > 0 (default 0.5)")
  Double tau;

  @Option(names = "--lambda", paramLabel = "LAMBDA",
      description = "weight of the contrastive term in clce, ce+supcon, ce+cl; in [0, 1] (default 0.9)")
  Double lambda;

  @Option(names = "--beta", paramLabel = "BETA", description = "H-SCL concentration >= 0 (default 0.5)")
  Double beta;

  @Option(names = "--aggregation", paramLabel = "AGG", completionCandidates = CliTypes.Aggregations.class,
      description = "${COMPLETION-CANDIDATES} (default log-of-mean)")
  String aggregation;

  @Option(names = "--detach-weights", description = "treat LACLN's hard-negative weights as constants in backward")
  boolean detachWeights;

  /**
   * @param fallback the loss when {@code --loss} is not given, or null when it is required
   * @return the loss (checked)
   * @throws IllegalArgumentException naming the bad option
   */
  LossConfig config(LossKind fallback) {
    LossKind kind = loss != null ? new CliTypes.Losses().parse(loss) : fallback;
    if (kind == null) {
      throw new IllegalArgumentException("loss: --loss is required (one of " + String.join(", ", new CliTypes.Losses())
          + ")");
    }
    LossConfig.Builder b = LossConfig.builder(kind);
    if (tau != null) {
      b.optTau(tau);
    }
    if (lambda != null) {
      b.optLambda(lambda);
    }
    if (beta != null) {
      b.optBeta(beta);
    }
    if (aggregation != null) {
      b.optAggregation(new CliTypes.Aggregations().parse(aggregation));
    }
    return b.optDetachWeights(detachWeights).build();
  }
}

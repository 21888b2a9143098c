package dev.clce.bench.cli;

import dev.clce.bench.train.Budget;
import picocli.CommandLine.Option;

/** The budget options ({@link Budget}) of {@code train}: {@code --batch} and {@code --epochs} or {@code --steps}. */
public final class BudgetMixin {

  @Option(names = "--batch", paramLabel = "B", description = "images per batch, 2 views each (default ${DEFAULT-VALUE})")
  int batch = Budget.DEFAULT_BATCH;

  @Option(names = "--epochs", paramLabel = "E", description = "training length in epochs (or --steps)")
  Integer epochs;

  @Option(names = "--steps", paramLabel = "S", description = "training length in steps (or --epochs)")
  Long steps;

  /**
   * @return the budget (checked)
   * @throws IllegalArgumentException naming {@code steps}, {@code epochs} or {@code batch}
   */
  Budget config() {
    if ((epochs == null) == (steps == null)) {
      throw new IllegalArgumentException("steps: give exactly one of --epochs E or --steps S");
    }
    if (epochs != null && epochs < 1) {
      throw new IllegalArgumentException("epochs: must be >= 1, got " + epochs);
    }
    if (steps != null && steps < 1) {
      throw new IllegalArgumentException("steps: must be >= 1, got " + steps);
    }
    return steps != null ? Budget.ofSteps(batch, steps) : Budget.ofEpochs(batch, epochs);
  }
}

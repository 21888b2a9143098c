package dev.clce.bench.cli;

import dev.clce.bench.train.Budget;
import picocli.CommandLine.Option;

/** The budget options ({@link Budget}) of {@code train}: {@code --batch}, {@code --epochs} or {@code --steps}, and {@code --chunk}. */
public final class BudgetMixin {

  @Option(names = "--batch", paramLabel = "B", description = "images per batch, 2 views each (default ${DEFAULT-VALUE})")
  int batch = Budget.DEFAULT_BATCH;

  @Option(names = "--epochs", paramLabel = "E", description = "training length in epochs (or --steps)")
  Integer epochs;

  @Option(names = "--steps", paramLabel = "S", description = "training length in steps (or --epochs)")
  Long steps;

  @Option(names = "--chunk", paramLabel = "N", description = "take each batch through the encoder N images at a time "
      + "(gradient caching: the same gradient of the whole batch's loss on the memory of N images; BatchNorm then "
      + "normalises per chunk); default: the whole batch at once")
  Integer chunk;

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
    if (chunk != null && (chunk < 1 || chunk > batch)) {
      throw new IllegalArgumentException("chunk: must be in [1, --batch = " + batch + "] images, got " + chunk);
    }
    Budget b = steps != null ? Budget.ofSteps(batch, steps) : Budget.ofEpochs(batch, epochs);
    return chunk == null ? b : b.withChunk(chunk);
  }
}

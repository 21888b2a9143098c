package dev.clce.bench.train;

import java.util.Locale;

/**
 * The optimisers of the trainer, all built on ND4J's updaters (M2.1 has no AdamW class: AdamW is
 * ND4J's {@code Adam} plus decoupled weight decay applied by the trainer, as PyTorch's AdamW).
 */
public enum OptimizerKind {
  /**
   * Stochastic gradient descent: ND4J's {@code Nesterovs} updater (Nesterov momentum) when momentum
   * &gt; 0, plain {@code Sgd} when it is 0. Weight decay is L2: {@code wd * w} added to the gradient.
   */
  SGD,
  /** ND4J's {@code Adam}; weight decay is L2 (added to the gradient), as PyTorch's Adam. */
  ADAM,
  /** ND4J's {@code Adam} with decoupled weight decay {@code w -= lr * wd * w} before each step. */
  ADAMW;

  /** @return the lower-case name used on the command line */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a command-line name, case-insensitively.
   *
   * @param name sgd, adam or adamw
   * @return the optimiser
   * @throws IllegalArgumentException naming {@code optimizer} for an unknown name
   */
  public static OptimizerKind parse(String name) {
    for (OptimizerKind k : values()) {
      if (k.cliName().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return k;
      }
    }
    throw new IllegalArgumentException("optimizer: unknown value '" + name + "' (expected one of sgd, adam, adamw)");
  }
}

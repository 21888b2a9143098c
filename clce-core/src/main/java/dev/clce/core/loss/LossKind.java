package dev.clce.core.loss;

import java.util.Locale;

/**
 * The losses this library implements. The exact mathematics of each is in the project's
 * {@code LOSSES.md}; the names here are the ones the command line accepts.
 */
public enum LossKind {
  /** Cross-entropy over the classification-head logits only. */
  CE(false, true),
  /** Supervised contrastive loss (Khosla et al. 2020), embeddings only. */
  SUPCON(true, false),
  /** Supervised contrastive loss with hard negatives (Jiang et al. 2022), embeddings only. */
  HSCL(true, false),
  /** The ablation: LACLN without hard-negative weights, embeddings only. */
  CL(true, false),
  /** Label-aware contrastive loss with hard-negative mining, embeddings only. */
  LACLN(true, false),
  /** {@code (1 - lambda) * CE + lambda * LACLN}: embeddings and logits. */
  CLCE(true, true);

  private final boolean usesEmbeddings;
  private final boolean usesLogits;

  LossKind(boolean usesEmbeddings, boolean usesLogits) {
    this.usesEmbeddings = usesEmbeddings;
    this.usesLogits = usesLogits;
  }

  /** @return whether the loss reads the embeddings {@code z} */
  public boolean usesEmbeddings() {
    return usesEmbeddings;
  }

  /**
   * Whether the loss reads classification logits. For {@link #CLCE} with {@code lambda = 1} the
   * logits still have to be supplied (they get a zero gradient).
   *
   * @return whether the loss reads the logits {@code o}
   */
  public boolean usesLogits() {
    return usesLogits;
  }

  /** @return the lower-case name used on the command line, for example {@code "supcon"} */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a command-line name, case-insensitively.
   *
   * @param name for example {@code "clce"}
   * @return the loss
   * @throws IllegalArgumentException naming the value when it is not a known loss
   */
  public static LossKind parse(String name) {
    for (LossKind k : values()) {
      if (k.cliName().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "loss: unknown value '" + name + "' (expected one of ce, supcon, hscl, cl, lacln, clce)");
  }
}

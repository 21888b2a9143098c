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
  CLCE(true, true),
  /**
   * {@code (1 - lambda) * CE + lambda * SupCon}, the paper's "CE+SupCon" baseline (clce's
   * addition: the paper names it without defining it): embeddings and logits. Command-line name
   * {@code ce+supcon}.
   */
  CE_SUPCON(true, true, "ce+supcon"),
  /**
   * {@code (1 - lambda) * CE + lambda * CL}, the paper's "CE+CL" ablation (CLCE without hard-negative
   * mining; clce's addition): embeddings and logits. Command-line name {@code ce+cl}.
   */
  CE_CL(true, true, "ce+cl");

  private final boolean usesEmbeddings;
  private final boolean usesLogits;
  private final String cliName;

  LossKind(boolean usesEmbeddings, boolean usesLogits) {
    this(usesEmbeddings, usesLogits, null);
  }

  LossKind(boolean usesEmbeddings, boolean usesLogits, String cliName) {
    this.usesEmbeddings = usesEmbeddings;
    this.usesLogits = usesLogits;
    this.cliName = cliName == null ? name().toLowerCase(Locale.ROOT) : cliName;
  }

  /** @return whether the loss reads the embeddings {@code z} */
  public boolean usesEmbeddings() {
    return usesEmbeddings;
  }

  /**
   * Whether the loss reads classification logits. For {@link #CLCE}, {@link #CE_SUPCON} and
   * {@link #CE_CL} with {@code lambda = 1} the logits still have to be supplied (they get a zero
   * gradient).
   *
   * @return whether the loss reads the logits {@code o}
   */
  public boolean usesLogits() {
    return usesLogits;
  }

  /**
   * @return the lower-case name used on the command line, for example {@code "supcon"} or
   *     {@code "ce+supcon"}
   */
  public String cliName() {
    return cliName;
  }

  /**
   * Parses a command-line name, case-insensitively. In the combinations' names {@code +},
   * {@code _} and {@code -} are interchangeable: {@code ce+supcon}, {@code ce_supcon} and
   * {@code ce-supcon} all name {@link #CE_SUPCON}.
   *
   * @param name for example {@code "clce"}
   * @return the loss
   * @throws IllegalArgumentException naming the value when it is not a known loss
   */
  public static LossKind parse(String name) {
    String key = canonical(name);
    for (LossKind k : values()) {
      if (canonical(k.cliName()).equals(key)) {
        return k;
      }
    }
    StringBuilder names = new StringBuilder();
    for (LossKind k : values()) {
      names.append(names.length() == 0 ? "" : ", ").append(k.cliName());
    }
    throw new IllegalArgumentException("loss: unknown value '" + name + "' (expected one of " + names + ")");
  }

  /** Lower case, trimmed, with {@code _} and {@code -} read as {@code +}. */
  private static String canonical(String name) {
    return name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '+').replace('-', '+');
  }
}

package dev.clce.core.loss;

import java.util.Locale;
import java.util.Optional;

/**
 * The losses this library implements. The exact mathematics of each is in the project's
 * {@code LOSSES.md}; the names here are the ones the command line accepts.
 *
 * <p>Each kind knows its parts, here and nowhere else: whether it has a cross-entropy term, and
 * which contrastive term it has, with that term's {@link NegativeWeighting} and, where the term
 * fixes it, its {@link Aggregation}. A combination ({@link #CLCE}, {@link #CE_SUPCON},
 * {@link #CE_CL}) is cross-entropy plus one of the purely contrastive kinds, weighted by lambda;
 * {@link LossParts#of(LossConfig)} resolves a configuration into the weights and pieces that the
 * SameDiff form, the eager form and the DL4J adapter read.
 */
public enum LossKind {
  /** Cross-entropy over the classification-head logits only. */
  CE(true, null),
  /** Supervised contrastive loss (Khosla et al. 2020), embeddings only. */
  SUPCON(NegativeWeighting.UNIFORM, Aggregation.MEAN_OF_LOG),
  /** Supervised contrastive loss with hard negatives (Jiang et al. 2022), embeddings only. */
  HSCL(NegativeWeighting.IMPORTANCE, null),
  /** The ablation: LACLN without hard-negative weights, embeddings only. */
  CL(NegativeWeighting.UNIFORM, null),
  /** Label-aware contrastive loss with hard-negative mining, embeddings only. */
  LACLN(NegativeWeighting.HARD, null),
  /** {@code (1 - lambda) * CE + lambda * LACLN}: embeddings and logits. */
  CLCE(true, LACLN),
  /**
   * {@code (1 - lambda) * CE + lambda * SupCon}, the paper's "CE+SupCon" baseline (clce's
   * addition: the paper names it without defining it): embeddings and logits. Command-line name
   * {@code ce+supcon}.
   */
  CE_SUPCON(true, SUPCON, "ce+supcon"),
  /**
   * {@code (1 - lambda) * CE + lambda * CL}, the paper's "CE+CL" ablation (CLCE without hard-negative
   * mining; clce's addition): embeddings and logits. Command-line name {@code ce+cl}.
   */
  CE_CL(true, CL, "ce+cl");

  private final boolean crossEntropy;
  /** The contrastive term: this kind itself, the kind a combination weights, or null (CE). */
  private final LossKind contrastiveTerm;
  /** How a purely contrastive kind weights its negatives (null for CE and the combinations). */
  private final NegativeWeighting negatives;
  /** The aggregation a purely contrastive kind fixes, or null when the configuration chooses. */
  private final Aggregation fixedAggregation;
  private final String cliName;

  /** A purely contrastive kind. */
  LossKind(NegativeWeighting negatives, Aggregation fixedAggregation) {
    this.crossEntropy = false;
    this.contrastiveTerm = this;
    this.negatives = negatives;
    this.fixedAggregation = fixedAggregation;
    this.cliName = name().toLowerCase(Locale.ROOT);
  }

  /** Cross-entropy, alone ({@code term} null) or weighted with a purely contrastive kind. */
  LossKind(boolean crossEntropy, LossKind term) {
    this(crossEntropy, term, null);
  }

  LossKind(boolean crossEntropy, LossKind term, String cliName) {
    this.crossEntropy = crossEntropy;
    this.contrastiveTerm = term;
    this.negatives = null;
    this.fixedAggregation = null;
    this.cliName = cliName == null ? name().toLowerCase(Locale.ROOT) : cliName;
  }

  /** @return whether the loss reads the embeddings {@code z} (it has a contrastive term) */
  public boolean usesEmbeddings() {
    return contrastiveTerm != null;
  }

  /**
   * Whether the loss reads classification logits (it has a cross-entropy term). For {@link #CLCE},
   * {@link #CE_SUPCON} and {@link #CE_CL} with {@code lambda = 1} the logits still have to be
   * supplied (they get a zero gradient).
   *
   * @return whether the loss reads the logits {@code o}
   */
  public boolean usesLogits() {
    return crossEntropy;
  }

  /**
   * The contrastive term as a loss of its own: this kind for {@link #SUPCON}, {@link #HSCL},
   * {@link #CL} and {@link #LACLN}; {@link #LACLN}, {@link #SUPCON} and {@link #CL} for
   * {@link #CLCE}, {@link #CE_SUPCON} and {@link #CE_CL}.
   *
   * @return the purely contrastive kind, or empty for {@link #CE}
   */
  public Optional<LossKind> contrastiveTerm() {
    return Optional.ofNullable(contrastiveTerm);
  }

  /** @return whether this kind is a contrastive term alone (no cross-entropy) */
  public boolean isContrastiveOnly() {
    return contrastiveTerm == this;
  }

  /**
   * How the contrastive term weights its negatives, the weights detached or not.
   *
   * @param detachWeights whether hard-negative weights are constants in the backward pass
   * @return the weighting, or null for {@link #CE}
   */
  NegativeWeighting negatives(boolean detachWeights) {
    if (contrastiveTerm == null) {
      return null;
    }
    NegativeWeighting n = contrastiveTerm.negatives;
    return n == NegativeWeighting.HARD && detachWeights ? NegativeWeighting.HARD_DETACHED : n;
  }

  /**
   * How the contrastive term combines the positives of an anchor.
   *
   * @param configured the configuration's choice
   * @return SupCon's fixed mean of logs, {@code configured} for CL and LACLN, null for H-SCL
   *     (mean over positive pairs, neither) and CE
   */
  Aggregation aggregation(Aggregation configured) {
    if (contrastiveTerm == null || contrastiveTerm.negatives == NegativeWeighting.IMPORTANCE) {
      return null;
    }
    return contrastiveTerm.fixedAggregation != null ? contrastiveTerm.fixedAggregation : configured;
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

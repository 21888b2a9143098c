package dev.clce.core.loss;

/**
 * What a configured loss is made of: {@code ceWeight * CE + contrastiveWeight * term}, in the
 * spirit of a loss composed of pieces and combined by weights. The one place where a
 * {@link LossConfig} becomes pieces; the SameDiff form ({@link SDClceLoss}), the eager form
 * ({@link EagerLoss}) and the DL4J adapter read it.
 *
 * @param crossEntropy whether the loss has a cross-entropy term (then it reads logits, even at
 *     weight 0)
 * @param ceWeight the cross-entropy term's weight: 1 for CE, {@code 1 - lambda} for the
 *     combinations, 0 otherwise
 * @param contrastiveTerm the contrastive term as a loss of its own (SUPCON, HSCL, CL or LACLN), or
 *     null when there is none (CE)
 * @param contrastiveWeight its weight: 1 for a contrastive loss alone, {@code lambda} for the
 *     combinations, 0 for CE
 * @param negatives how the term weights its negatives, null for CE
 * @param aggregation how the term combines an anchor's positives; null for H-SCL (a mean over
 *     positive pairs) and CE
 */
public record LossParts(boolean crossEntropy, double ceWeight, LossKind contrastiveTerm, double contrastiveWeight,
    NegativeWeighting negatives, Aggregation aggregation) {

  /**
   * Resolves a configuration.
   *
   * @param config the loss
   * @return its parts
   * @throws IllegalArgumentException when {@code config} is null
   */
  public static LossParts of(LossConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config: must not be null");
    }
    LossKind kind = config.kind();
    LossKind term = kind.contrastiveTerm().orElse(null);
    boolean ce = kind.usesLogits();
    double contrastiveWeight = term == null ? 0.0 : ce ? config.lambda() : 1.0;
    double ceWeight = !ce ? 0.0 : term == null ? 1.0 : 1.0 - config.lambda();
    return new LossParts(ce, ceWeight, term, contrastiveWeight, kind.negatives(config.detachWeights()),
        kind.aggregation(config.aggregation()));
  }

  /** @return whether the loss has a contrastive term (then it reads embeddings) */
  public boolean contrastive() {
    return contrastiveTerm != null;
  }
}

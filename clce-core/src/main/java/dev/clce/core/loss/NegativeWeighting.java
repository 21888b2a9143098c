package dev.clce.core.loss;

/**
 * How a contrastive term weights the negatives of an anchor in its denominator (LOSSES.md, the
 * negative mass {@code W_i}); one of the parts a {@link LossKind} is made of.
 */
public enum NegativeWeighting {
  /** Every negative weighs 1: {@code W_i = sum_k exp(s_ik)} (CL, SupCon). */
  UNIFORM,
  /**
   * LACLN's hard-negative weights {@code w_ik = exp(s_ik) / mean_k exp(s_ik)}, differentiated:
   * {@code W_i = sum_k w_ik exp(s_ik)}.
   */
  HARD,
  /** The same value as {@link #HARD}, the weights held constant in the backward pass. */
  HARD_DETACHED,
  /**
   * H-SCL's importance weights {@code exp(beta s_ik)} in a weighted mean of the negatives, per
   * positive pair (its own form, with {@code beta}).
   */
  IMPORTANCE
}

package dev.clce.core.loss;

import java.util.Objects;

/**
 * An immutable, validated description of one loss: which loss and its hyper-parameters.
 *
 * <pre>{@code
 * LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
 * }</pre>
 *
 * <p>Defaults follow the paper: {@code tau = 0.5}, {@code lambda = 0.9}; H-SCL's {@code beta = 0.5};
 * LACLN's aggregation is {@link Aggregation#LOG_OF_MEAN} (Eq. 3 as printed) with weights that are
 * differentiated through ({@code detachWeights = false}); input checking is on.
 * Every rule is checked in {@link Builder#build()}, with an exception that names the argument and
 * the value.
 */
public final class LossConfig {

  /** The paper's temperature. */
  public static final double DEFAULT_TAU = 0.5;
  /** The paper's weight of the contrastive term. */
  public static final double DEFAULT_LAMBDA = 0.9;
  /** H-SCL's default concentration. */
  public static final double DEFAULT_BETA = 0.5;
  /**
   * The epsilon of the L2 normalisation: LOSSES.md's {@code x / max(||x||, eps)}; the SameDiff and
   * eager forms use the smooth {@code x * rsqrt(||x||^2 + eps^2)} (identical at an all-zero row,
   * relative difference {@code eps^2 / (2 ||x||^2)} elsewhere; see {@link SDClceLoss}).
   */
  public static final double NORM_EPS = 1e-12;

  private final LossKind kind;
  private final double tau;
  private final double lambda;
  private final double beta;
  private final Aggregation aggregation;
  private final boolean detachWeights;
  private final boolean checkInputs;

  private LossConfig(Builder b) {
    this.kind = b.kind;
    this.tau = b.tau;
    this.lambda = b.lambda;
    this.beta = b.beta;
    this.aggregation = b.aggregation;
    this.detachWeights = b.detachWeights;
    this.checkInputs = b.checkInputs;
  }

  /**
   * Starts a configuration.
   *
   * @param kind the loss (required)
   * @return a builder with the paper's defaults
   */
  public static Builder builder(LossKind kind) {
    return new Builder(kind);
  }

  /** @return a builder holding this configuration's values */
  public Builder toBuilder() {
    return new Builder(kind)
        .optTau(tau)
        .optLambda(lambda)
        .optBeta(beta)
        .optAggregation(aggregation)
        .optDetachWeights(detachWeights)
        .optCheckInputs(checkInputs);
  }

  /** @return the loss */
  public LossKind kind() {
    return kind;
  }

  /** @return the temperature, &gt; 0 */
  public double tau() {
    return tau;
  }

  /** @return the weight of the contrastive term in CLCE, CE+SupCon and CE+CL, in [0, 1] (only they read it) */
  public double lambda() {
    return lambda;
  }

  /** @return H-SCL's concentration, &gt;= 0 (only H-SCL reads it) */
  public double beta() {
    return beta;
  }

  /** @return how LACLN/CL/CLCE/CE+CL aggregate positives */
  public Aggregation aggregation() {
    return aggregation;
  }

  /** @return whether LACLN's hard-negative weights are constants in the backward pass */
  public boolean detachWeights() {
    return detachWeights;
  }

  /** @return whether inputs are checked for NaN and infinity before computing */
  public boolean checkInputs() {
    return checkInputs;
  }

  /** @return what this loss is made of: its terms and their weights (see {@link LossParts}) */
  public LossParts parts() {
    return LossParts.of(this);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LossConfig)) {
      return false;
    }
    LossConfig c = (LossConfig) o;
    return kind == c.kind
        && Double.compare(tau, c.tau) == 0
        && Double.compare(lambda, c.lambda) == 0
        && Double.compare(beta, c.beta) == 0
        && aggregation == c.aggregation
        && detachWeights == c.detachWeights
        && checkInputs == c.checkInputs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, tau, lambda, beta, aggregation, detachWeights, checkInputs);
  }

  @Override
  public String toString() {
    return "LossConfig{loss=" + kind.cliName() + ", tau=" + tau + ", lambda=" + lambda + ", beta=" + beta
        + ", aggregation=" + aggregation.cliName() + ", detachWeights=" + detachWeights
        + ", checkInputs=" + checkInputs + "}";
  }

  /** Builder: the loss is required, everything else optional ({@code optX}). */
  public static final class Builder {
    private final LossKind kind;
    private double tau = DEFAULT_TAU;
    private double lambda = DEFAULT_LAMBDA;
    private double beta = DEFAULT_BETA;
    private Aggregation aggregation = Aggregation.LOG_OF_MEAN;
    private boolean detachWeights;
    private boolean checkInputs = true;

    private Builder(LossKind kind) {
      if (kind == null) {
        throw new IllegalArgumentException("loss: must not be null");
      }
      this.kind = kind;
    }

    /** @param tau temperature, finite and &gt; 0 @return this */
    public Builder optTau(double tau) {
      this.tau = tau;
      return this;
    }

    /** @param lambda weight of the contrastive term in CLCE, CE+SupCon and CE+CL, in [0, 1] @return this */
    public Builder optLambda(double lambda) {
      this.lambda = lambda;
      return this;
    }

    /** @param beta H-SCL concentration, finite and &gt;= 0 @return this */
    public Builder optBeta(double beta) {
      this.beta = beta;
      return this;
    }

    /** @param aggregation LACLN aggregation, not null @return this */
    public Builder optAggregation(Aggregation aggregation) {
      this.aggregation = aggregation;
      return this;
    }

    /** @param detachWeights treat hard-negative weights as constants in backward @return this */
    public Builder optDetachWeights(boolean detachWeights) {
      this.detachWeights = detachWeights;
      return this;
    }

    /** @param checkInputs check inputs for NaN/infinity (default true) @return this */
    public Builder optCheckInputs(boolean checkInputs) {
      this.checkInputs = checkInputs;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the configuration
     * @throws IllegalArgumentException naming the argument and value that break a rule
     */
    public LossConfig build() {
      if (!(tau > 0) || !Double.isFinite(tau)) {
        throw new IllegalArgumentException("tau: must be finite and > 0, got " + tau);
      }
      if (!(lambda >= 0 && lambda <= 1)) {
        throw new IllegalArgumentException("lambda: must be in [0, 1], got " + lambda);
      }
      if (!(beta >= 0) || !Double.isFinite(beta)) {
        throw new IllegalArgumentException("beta: must be finite and >= 0, got " + beta);
      }
      if (aggregation == null) {
        throw new IllegalArgumentException("aggregation: must not be null");
      }
      return new LossConfig(this);
    }
  }
}

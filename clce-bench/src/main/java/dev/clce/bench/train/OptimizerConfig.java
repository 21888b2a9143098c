package dev.clce.bench.train;

/**
 * The optimiser part of a run: which updater, its learning-rate schedule (linear warm-up, then cosine
 * decay to zero over the run, {@link WarmupCosineSchedule}) and weight decay.
 *
 * @param kind the optimiser
 * @param lr the peak learning rate
 * @param momentum SGD momentum in [0, 1) (Adam and AdamW do not read it)
 * @param weightDecay weight decay &gt;= 0
 * @param warmupSteps linear warm-up steps before the cosine decay
 */
public record OptimizerConfig(OptimizerKind kind, double lr, double momentum, double weightDecay, long warmupSteps) {
  /** Default peak learning rate. */
  public static final double DEFAULT_LR = 0.05;
  /** Default SGD momentum. */
  public static final double DEFAULT_MOMENTUM = 0.9;
  /** Default weight decay. */
  public static final double DEFAULT_WEIGHT_DECAY = 1e-4;
  /** SGD with Nesterov momentum at the defaults, no warm-up. */
  public static final OptimizerConfig DEFAULT =
      new OptimizerConfig(OptimizerKind.SGD, DEFAULT_LR, DEFAULT_MOMENTUM, DEFAULT_WEIGHT_DECAY, 0);

  /** Checks every field. */
  public OptimizerConfig {
    if (kind == null) {
      throw new IllegalArgumentException("optimizer: must not be null");
    }
    if (!(lr > 0) || !Double.isFinite(lr)) {
      throw new IllegalArgumentException("lr: must be finite and > 0, got " + lr);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum: must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weight-decay: must be finite and >= 0, got " + weightDecay);
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warmup-steps: must be >= 0, got " + warmupSteps);
    }
  }

  /**
   * An optimiser at a learning rate, the other fields at their defaults.
   *
   * @param kind the optimiser
   * @param lr the peak learning rate
   * @return the part
   */
  public static OptimizerConfig of(OptimizerKind kind, double lr) {
    return new OptimizerConfig(kind, lr, DEFAULT_MOMENTUM, DEFAULT_WEIGHT_DECAY, 0);
  }

  /**
   * @param v weight decay
   * @return a copy with it
   */
  public OptimizerConfig withWeightDecay(double v) {
    return new OptimizerConfig(kind, lr, momentum, v, warmupSteps);
  }

  /**
   * @param v peak learning rate
   * @return a copy with it
   */
  public OptimizerConfig withLr(double v) {
    return new OptimizerConfig(kind, v, momentum, weightDecay, warmupSteps);
  }

  /**
   * @param v warm-up steps
   * @return a copy with them
   */
  public OptimizerConfig withWarmupSteps(long v) {
    return new OptimizerConfig(kind, lr, momentum, weightDecay, v);
  }
}

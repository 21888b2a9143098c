package dev.clce.bench.train;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * Learning rate with a linear warm-up followed by a cosine decay to zero, as an ND4J
 * {@link ISchedule} (the iteration is the global step, starting at 0):
 *
 * <pre>
 * lr(t) = base * (t + 1) / warmup                                        for t &lt; warmup
 * lr(t) = base * 0.5 * (1 + cos(pi * (t - warmup) / (total - warmup)))   for warmup &lt;= t &lt; total
 * </pre>
 *
 * and 0 from {@code total} on. With {@code warmup = 0} it is the plain cosine schedule.
 */
public final class WarmupCosineSchedule implements ISchedule {
  private static final long serialVersionUID = 1L;

  private final double base;
  private final long warmup;
  private final long total;

  /**
   * Creates the schedule.
   *
   * @param base peak learning rate, finite and &gt; 0
   * @param warmup number of warm-up steps, in [0, total)
   * @param total total number of steps, &gt;= 1
   */
  public WarmupCosineSchedule(double base, long warmup, long total) {
    if (!(base > 0) || !Double.isFinite(base)) {
      throw new IllegalArgumentException("lr: must be finite and > 0, got " + base);
    }
    if (total < 1) {
      throw new IllegalArgumentException("steps: must be >= 1, got " + total);
    }
    if (warmup < 0 || warmup >= total) {
      throw new IllegalArgumentException("warmupSteps: must be in [0, " + total + "), got " + warmup);
    }
    this.base = base;
    this.warmup = warmup;
    this.total = total;
  }

  /**
   * The learning rate at a global step.
   *
   * @param step the global step, from 0
   * @return the learning rate
   */
  public double at(long step) {
    if (step < warmup) {
      return base * (step + 1) / (double) warmup;
    }
    if (step >= total) {
      return 0.0;
    }
    double progress = (step - warmup) / (double) (total - warmup);
    return base * 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    return at(iteration);
  }

  @Override
  public ISchedule clone() {
    return new WarmupCosineSchedule(base, warmup, total);
  }
}

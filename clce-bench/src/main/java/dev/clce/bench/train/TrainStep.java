package dev.clce.bench.train;

import dev.clce.bench.data.TwoViewBatch;

/**
 * One optimisation step on a batch of views: forward, loss, gradients, BatchNorm statistics and the
 * parameter update. The {@link Trainer} loop calls it and nothing else per step, so a step that
 * computes the same gradients another way (in chunks, say) replaces it without touching the loop.
 */
@FunctionalInterface
public interface TrainStep {

  /**
   * Runs one step and closes the batch's arrays.
   *
   * @param batch the views and their labels
   * @param globalStep steps completed before this one
   * @param epoch the epoch of this step (from 0)
   * @return the loss (finite)
   * @throws NonFiniteException when the loss or a gradient is not finite ({@link FiniteCheck}); the
   *     parameters and BatchNorm statistics are then unchanged
   */
  double run(TwoViewBatch batch, long globalStep, int epoch);
}

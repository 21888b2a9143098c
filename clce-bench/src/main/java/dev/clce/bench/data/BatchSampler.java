package dev.clce.bench.data;

import java.util.Map;

/**
 * Chooses the images of each training batch, as a pure function of (seed, epoch, step): nothing to
 * save but the position, so a resumed run sees exactly the batches an uninterrupted one would.
 * Epochs drop their last incomplete batch, so every batch has exactly {@link #batchSize()} images.
 */
public interface BatchSampler {

  /**
   * Images per batch.
   *
   * @return B
   */
  int batchSize();

  /**
   * Batches per epoch.
   *
   * @return the number of full batches in one epoch, at least 1
   */
  int stepsPerEpoch();

  /**
   * The dataset indices of one batch.
   *
   * @param epoch the epoch, from 0
   * @param step the step within the epoch, in {@code [0, stepsPerEpoch())}
   * @return {@link #batchSize()} indices
   */
  int[] batch(long epoch, int step);

  /**
   * A description for run records.
   *
   * @return the sampler's kind and parameters
   */
  Map<String, Object> describe();
}

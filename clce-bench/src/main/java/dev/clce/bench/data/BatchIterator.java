package dev.clce.bench.data;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Walks a {@link BatchSampler} epoch by epoch, step by step, and turns each batch into two augmented
 * views. Its whole state is the global step (the number of batches already returned), so a trainer
 * checkpoints {@link #position()} and resumes with {@link #seek(long)}: the batches (and their
 * augmentations, seeded by the global step) are then exactly those of an uninterrupted run.
 */
public final class BatchIterator {

  /** Where an iterator stands: the next batch is step {@code step} of epoch {@code epoch}. */
  public record Position(long epoch, int step, long globalStep) {

    /**
     * A description for checkpoints and logs.
     *
     * @return {@code {"epoch", "step", "global_step"}}
     */
    public Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", epoch);
      m.put("step", step);
      m.put("global_step", globalStep);
      return m;
    }
  }

  private final BatchSampler sampler;
  private final TwoViewAugmenter augmenter;
  private long globalStep;

  /**
   * Creates an iterator at the start of epoch 0.
   *
   * @param sampler which images form each batch
   * @param augmenter how they become two views (its dataset must be the sampler's)
   */
  public BatchIterator(BatchSampler sampler, TwoViewAugmenter augmenter) {
    if (sampler == null || augmenter == null) {
      throw new IllegalArgumentException("sampler, augmenter: must not be null");
    }
    this.sampler = sampler;
    this.augmenter = augmenter;
  }

  /**
   * The position of the next batch.
   *
   * @return epoch, step in epoch, global step
   */
  public Position position() {
    int per = sampler.stepsPerEpoch();
    return new Position(globalStep / per, (int) (globalStep % per), globalStep);
  }

  /**
   * Moves to a global step (the number of batches already consumed).
   *
   * @param step the global step, &gt;= 0
   */
  public void seek(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step: must be >= 0, got " + step);
    }
    this.globalStep = step;
  }

  /**
   * The indices of the next batch, without augmenting it, and advances.
   *
   * @return the batch's dataset indices
   */
  public int[] nextIndices() {
    Position p = position();
    int[] idx = sampler.batch(p.epoch(), p.step());
    globalStep++;
    return idx;
  }

  /**
   * The next batch as two views, and advances.
   *
   * @return the batch
   */
  public TwoViewBatch next() {
    long step = globalStep;
    int[] idx = nextIndices();
    return augmenter.augment(idx, step);
  }

  /**
   * The sampler.
   *
   * @return the sampler
   */
  public BatchSampler sampler() {
    return sampler;
  }

  /**
   * The augmenter.
   *
   * @return the augmenter
   */
  public TwoViewAugmenter augmenter() {
    return augmenter;
  }
}

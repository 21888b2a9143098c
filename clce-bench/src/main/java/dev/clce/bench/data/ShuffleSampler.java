package dev.clce.bench.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Plain shuffled batches: each epoch is a fresh permutation of the dataset (seeded by
 * {@code (seed, epoch)}), cut into {@code floor(N / B)} batches; the remainder is left out of that
 * epoch (a different remainder each epoch).
 */
public final class ShuffleSampler implements BatchSampler {

  /** Sampler kind recorded by {@link #describe()}. */
  public static final String KIND = "shuffle";

  private final int size;
  private final int batchSize;
  private final long seed;
  private long cachedEpoch = -1;
  private int[] cachedOrder;

  /**
   * Creates the sampler.
   *
   * @param size the number of images in the dataset
   * @param batchSize images per batch, in {@code [1, size]}
   * @param seed the base seed
   */
  public ShuffleSampler(int size, int batchSize, long seed) {
    if (batchSize <= 0 || batchSize > size) {
      throw new IllegalArgumentException("batchSize: must be in [1, " + size + "] (the dataset size), got "
          + batchSize);
    }
    this.size = size;
    this.batchSize = batchSize;
    this.seed = seed;
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public int stepsPerEpoch() {
    return size / batchSize;
  }

  @Override
  public int[] batch(long epoch, int step) {
    checkPosition(epoch, step, stepsPerEpoch());
    int[] order = order(epoch);
    return Arrays.copyOfRange(order, step * batchSize, (step + 1) * batchSize);
  }

  private synchronized int[] order(long epoch) {
    if (epoch != cachedEpoch) {
      int[] order = new int[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      shuffle(order, new SplittableRandom(Seeds.mix(seed, epoch)));
      cachedOrder = order;
      cachedEpoch = epoch;
    }
    return cachedOrder;
  }

  /** Fisher-Yates shuffle. */
  static void shuffle(int[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  static void checkPosition(long epoch, int step, int stepsPerEpoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch: must be >= 0, got " + epoch);
    }
    if (step < 0 || step >= stepsPerEpoch) {
      throw new IllegalArgumentException("step: must be in [0, " + stepsPerEpoch + "), got " + step);
    }
  }

  @Override
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", KIND);
    m.put("batch_size", batchSize);
    m.put("seed", seed);
    return m;
  }
}

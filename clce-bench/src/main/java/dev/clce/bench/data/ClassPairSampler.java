package dev.clce.bench.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Batches in which every class present appears at least twice (as distinct images), so that each
 * image has a same-class partner besides its own second view.
 *
 * <p>Each epoch (seeded by {@code (seed, epoch)}): the images of every class are shuffled and cut into
 * pairs (a class with an odd count leaves its last shuffled image out of that epoch, a different one
 * each epoch); all pairs are shuffled together and cut into batches of {@code B / 2} pairs, dropping the
 * last incomplete batch. A batch thus holds whole pairs only: every class in it appears an even number
 * of times, at least twice, and no image appears twice.
 */
public final class ClassPairSampler implements BatchSampler {

  /** Sampler kind recorded by {@link #describe()}. */
  public static final String KIND = "class-pairs";

  private final int[][] classIndices;
  private final int pairs;
  private final int batchSize;
  private final long seed;
  private long cachedEpoch = -1;
  private int[] cachedOrder;

  /**
   * Creates the sampler.
   *
   * @param labels the label of every image of the dataset
   * @param batchSize images per batch: even, at least 2, at most twice the number of pairs
   * @param seed the base seed
   * @throws IllegalArgumentException if the batch size is odd or too large, or a class has exactly one
   *     image
   */
  public ClassPairSampler(int[] labels, int batchSize, long seed) {
    if (labels == null || labels.length == 0) {
      throw new IllegalArgumentException("labels: must not be empty");
    }
    if (batchSize < 2 || batchSize % 2 != 0) {
      throw new IllegalArgumentException("batchSize: must be even and >= 2 for the class-pair sampler, got "
          + batchSize);
    }
    int max = 0;
    for (int l : labels) {
      if (l < 0) {
        throw new IllegalArgumentException("labels: must be >= 0, got " + l);
      }
      max = Math.max(max, l);
    }
    int[] counts = new int[max + 1];
    for (int l : labels) {
      counts[l]++;
    }
    classIndices = new int[max + 1][];
    int pairCount = 0;
    for (int c = 0; c <= max; c++) {
      if (counts[c] == 1) {
        throw new IllegalArgumentException("labels: class " + c
            + " has a single image; the class-pair sampler needs at least 2 per class");
      }
      classIndices[c] = new int[counts[c]];
      pairCount += counts[c] / 2;
    }
    int[] fill = new int[max + 1];
    for (int i = 0; i < labels.length; i++) {
      classIndices[labels[i]][fill[labels[i]]++] = i;
    }
    if (batchSize > 2 * pairCount) {
      throw new IllegalArgumentException("batchSize: must be at most " + (2 * pairCount)
          + " (twice the number of same-class pairs), got " + batchSize);
    }
    this.pairs = pairCount;
    this.batchSize = batchSize;
    this.seed = seed;
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public int stepsPerEpoch() {
    return pairs / (batchSize / 2);
  }

  @Override
  public int[] batch(long epoch, int step) {
    ShuffleSampler.checkPosition(epoch, step, stepsPerEpoch());
    int[] order = order(epoch);
    return Arrays.copyOfRange(order, step * batchSize, (step + 1) * batchSize);
  }

  /** The epoch's images, pair after pair. */
  private synchronized int[] order(long epoch) {
    if (epoch != cachedEpoch) {
      SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, epoch));
      int[][] pairList = new int[pairs][];
      int k = 0;
      for (int[] members : classIndices) {
        int[] shuffled = members.clone();
        ShuffleSampler.shuffle(shuffled, rng);
        for (int i = 0; i + 1 < shuffled.length; i += 2) {
          pairList[k++] = new int[] {shuffled[i], shuffled[i + 1]};
        }
      }
      for (int i = pairList.length - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int[] t = pairList[i];
        pairList[i] = pairList[j];
        pairList[j] = t;
      }
      int[] order = new int[2 * pairs];
      for (int p = 0; p < pairs; p++) {
        order[2 * p] = pairList[p][0];
        order[2 * p + 1] = pairList[p][1];
      }
      cachedOrder = order;
      cachedEpoch = epoch;
    }
    return cachedOrder;
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

package dev.clce.bench.eval;

import dev.clce.bench.data.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws N-way K-shot episodes from given (novel) classes. Episode {@code e} is a pure function of
 * {@code (seed, e)}: N distinct classes uniformly without replacement, then for each class K + Q
 * distinct examples uniformly without replacement, the first K the support and the other Q the
 * queries. No example is both support and query, and every class has exactly K supports and Q queries.
 */
public final class EpisodeSampler {

  private final int[] classes;
  private final int[][] members;
  private final int ways;
  private final int shots;
  private final int queries;
  private final long seed;

  /**
   * Creates the sampler.
   *
   * @param labels the dataset class of every embedding
   * @param novelClasses the classes episodes draw from (distinct)
   * @param ways N, in {@code [2, novelClasses.size()]}
   * @param shots K &gt;= 1
   * @param queries Q &gt;= 1
   * @param seed the base seed
   * @throws IllegalArgumentException if a class has fewer than K + Q examples
   */
  public EpisodeSampler(int[] labels, List<Integer> novelClasses, int ways, int shots, int queries, long seed) {
    if (labels == null || labels.length == 0) {
      throw new IllegalArgumentException("labels: must not be empty");
    }
    if (novelClasses == null || novelClasses.isEmpty()) {
      throw new IllegalArgumentException("novelClasses: must list at least " + Math.max(ways, 2)
          + " classes, got " + novelClasses);
    }
    if (ways < 2 || ways > novelClasses.size()) {
      throw new IllegalArgumentException("ways: must be in [2, " + novelClasses.size()
          + "] (the number of novel classes), got " + ways);
    }
    if (shots < 1) {
      throw new IllegalArgumentException("shots: must be >= 1, got " + shots);
    }
    if (queries < 1) {
      throw new IllegalArgumentException("queries: must be >= 1, got " + queries);
    }
    this.classes = novelClasses.stream().mapToInt(Integer::intValue).toArray();
    if (Arrays.stream(classes).distinct().count() != classes.length) {
      throw new IllegalArgumentException("novelClasses: must be distinct, got " + novelClasses);
    }
    this.members = new int[classes.length][];
    for (int j = 0; j < classes.length; j++) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] == classes[j]) {
          idx.add(i);
        }
      }
      if (idx.size() < shots + queries) {
        throw new IllegalArgumentException("novelClasses: class " + classes[j] + " has " + idx.size()
            + " examples, an episode needs " + (shots + queries) + " (shots " + shots + " + queries "
            + queries + ")");
      }
      members[j] = idx.stream().mapToInt(Integer::intValue).toArray();
    }
    this.ways = ways;
    this.shots = shots;
    this.queries = queries;
    this.seed = seed;
  }

  /**
   * Draws one episode.
   *
   * @param episode the episode number, &gt;= 0
   * @return the episode
   */
  public Episode episode(long episode) {
    if (episode < 0) {
      throw new IllegalArgumentException("episode: must be >= 0, got " + episode);
    }
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, ways, shots, queries, episode));
    int[] chosen = sampleWithoutReplacement(rng, classes.length, ways);
    int[] episodeClasses = new int[ways];
    int[] support = new int[ways * shots];
    int[] supportLabels = new int[ways * shots];
    int[] query = new int[ways * queries];
    int[] queryLabels = new int[ways * queries];
    for (int j = 0; j < ways; j++) {
      int[] pool = members[chosen[j]];
      episodeClasses[j] = classes[chosen[j]];
      int[] pick = sampleWithoutReplacement(rng, pool.length, shots + queries);
      for (int s = 0; s < shots; s++) {
        support[j * shots + s] = pool[pick[s]];
        supportLabels[j * shots + s] = j;
      }
      for (int q = 0; q < queries; q++) {
        query[j * queries + q] = pool[pick[shots + q]];
        queryLabels[j * queries + q] = j;
      }
    }
    return new Episode(episodeClasses, support, supportLabels, query, queryLabels);
  }

  /**
   * k distinct values of {@code [0, n)} in uniformly random order: Floyd's algorithm for the set,
   * then a Fisher-Yates shuffle of it. Cost O(k^2), independent of n.
   */
  static int[] sampleWithoutReplacement(SplittableRandom rng, int n, int k) {
    int[] out = new int[k];
    int size = 0;
    for (int j = n - k; j < n; j++) {
      int t = rng.nextInt(j + 1);
      boolean present = false;
      for (int m = 0; m < size; m++) {
        if (out[m] == t) {
          present = true;
          break;
        }
      }
      out[size++] = present ? j : t;
    }
    for (int i = k - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }
}

package dev.clce.bench.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Parameters of a few-shot evaluation.
 *
 * @param ways N classes per episode (default 5)
 * @param shots the K values to evaluate, each with its own episodes (default 1 and 5)
 * @param queries Q query examples per class (default 15)
 * @param episodes episodes per K (default 3,000)
 * @param seed the base seed
 * @param c logistic regression's inverse regularisation strength (default 1, as scikit-learn)
 */
public record FewShotConfig(int ways, List<Integer> shots, int queries, int episodes, long seed,
    @JsonProperty("logreg_c") double c) {

  /** Default N. */
  public static final int DEFAULT_WAYS = 5;
  /** Default K values. */
  public static final List<Integer> DEFAULT_SHOTS = List.of(1, 5);
  /** Default Q. */
  public static final int DEFAULT_QUERIES = 15;
  /** Default number of episodes. */
  public static final int DEFAULT_EPISODES = 3000;

  /**
   * Validates the fields.
   *
   * @param ways N
   * @param shots K values
   * @param queries Q
   * @param episodes episodes per K
   * @param seed seed
   * @param c logistic regression C
   */
  public FewShotConfig {
    if (ways < 2) {
      throw new IllegalArgumentException("ways: must be >= 2, got " + ways);
    }
    if (shots == null || shots.isEmpty()) {
      throw new IllegalArgumentException("shots: must list at least one K, got " + shots);
    }
    for (Integer k : shots) {
      if (k == null || k < 1) {
        throw new IllegalArgumentException("shots: every K must be >= 1, got " + shots);
      }
    }
    if (queries < 1) {
      throw new IllegalArgumentException("queries: must be >= 1, got " + queries);
    }
    if (episodes < 1) {
      throw new IllegalArgumentException("episodes: must be >= 1, got " + episodes);
    }
    if (!(c > 0) || !Double.isFinite(c)) {
      throw new IllegalArgumentException("c: must be finite and > 0, got " + c);
    }
    shots = List.copyOf(shots);
  }

  /**
   * The defaults (5-way, K in {1, 5}, 15 queries, 3,000 episodes, C = 1) with a seed.
   *
   * @param seed the seed
   * @return the configuration
   */
  public static FewShotConfig defaults(long seed) {
    return new FewShotConfig(DEFAULT_WAYS, DEFAULT_SHOTS, DEFAULT_QUERIES, DEFAULT_EPISODES, seed,
        LogisticRegression.DEFAULT_C);
  }

}

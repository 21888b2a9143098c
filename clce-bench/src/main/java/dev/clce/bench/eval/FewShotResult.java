package dev.clce.bench.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Few-shot accuracy for one K: mean over episodes with 95% confidence interval, for both classifiers.
 *
 * @param ways N
 * @param shots K
 * @param queries Q per class
 * @param logisticRegression accuracy of logistic regression on the support set
 * @param nearestCentroid accuracy of the cosine nearest centroid of the support set
 */
public record FewShotResult(int ways, int shots, int queries, MeanCi logisticRegression,
    MeanCi nearestCentroid) {

  /**
   * A description for JSON output.
   *
   * @return {@code {"ways", "shots", "queries", "episodes", "logreg": {...}, "nearest_centroid": {...}}}
   */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ways", ways);
    m.put("shots", shots);
    m.put("queries", queries);
    m.put("episodes", logisticRegression.n());
    m.put("logreg", logisticRegression);
    m.put("nearest_centroid", nearestCentroid);
    return m;
  }
}

package dev.clce.bench.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Few-shot evaluation on frozen embeddings (Tian et al. 2020): for each K, draw episodes from the
 * novel classes ({@link EpisodeSampler}), fit a logistic regression and a cosine nearest centroid on
 * the support set, score both on the queries, and report the mean accuracy with its 95% confidence
 * interval ({@link MeanCi}). Embeddings are L2-normalised first (a no-op for normalised input).
 * Episodes run in parallel; each depends only on {@code (seed, N, K, Q, episode)}, so the result is
 * the same on any number of threads.
 */
public final class FewShotEvaluator {

  private FewShotEvaluator() {}

  /**
   * Evaluates every K of the configuration.
   *
   * @param embeddings {@code [N, d]} embeddings of the evaluation split
   * @param labels {@code [N]} dataset classes
   * @param novelClasses the classes episodes draw from
   * @param config ways, shots, queries, episodes, seed, C
   * @return one result per K, in the configuration's order
   */
  public static List<FewShotResult> evaluate(INDArray embeddings, INDArray labels, List<Integer> novelClasses,
      FewShotConfig config) {
    if (labels == null) {
      throw new IllegalArgumentException("labels: must not be null");
    }
    return evaluate(Embeddings.toRows(embeddings), labels.toIntVector(), novelClasses, config);
  }

  /**
   * Evaluates every K of the configuration.
   *
   * @param embeddings rows of the evaluation split
   * @param labels their dataset classes
   * @param novelClasses the classes episodes draw from
   * @param config ways, shots, queries, episodes, seed, C
   * @return one result per K, in the configuration's order
   */
  public static List<FewShotResult> evaluate(float[][] embeddings, int[] labels, List<Integer> novelClasses,
      FewShotConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config: must not be null");
    }
    Embeddings.check(embeddings, labels);
    float[][] unit = Embeddings.l2Normalise(embeddings);
    List<FewShotResult> results = new ArrayList<>();
    for (int shots : config.shots()) {
      EpisodeSampler sampler = new EpisodeSampler(labels, novelClasses, config.ways(), shots,
          config.queries(), config.seed());
      double[] lr = new double[config.episodes()];
      double[] nc = new double[config.episodes()];
      IntStream.range(0, config.episodes()).parallel().forEach(e -> {
        double[] acc = runEpisode(unit, sampler.episode(e), config.ways(), config.c());
        lr[e] = acc[0];
        nc[e] = acc[1];
      });
      results.add(new FewShotResult(config.ways(), shots, config.queries(), MeanCi.of(lr), MeanCi.of(nc)));
    }
    return results;
  }

  /**
   * Accuracies of both classifiers on one episode.
   *
   * @param unit L2-normalised embeddings
   * @param episode the episode
   * @param ways N
   * @param c logistic regression C
   * @return {logistic regression accuracy, nearest-centroid accuracy}
   */
  static double[] runEpisode(float[][] unit, Episode episode, int ways, double c) {
    int[] support = episode.support();
    double[][] xs = new double[support.length][];
    float[][] fs = new float[support.length][];
    for (int i = 0; i < support.length; i++) {
      fs[i] = unit[support[i]];
      xs[i] = toDouble(fs[i]);
    }
    LogisticRegression lr = LogisticRegression.fit(xs, episode.supportLabels(), ways, c,
        LogisticRegression.DEFAULT_MAX_ITERATIONS, LogisticRegression.DEFAULT_TOLERANCE);
    NearestCentroid nc = NearestCentroid.fit(fs, episode.supportLabels(), ways);
    int lrCorrect = 0;
    int ncCorrect = 0;
    int[] query = episode.query();
    for (int i = 0; i < query.length; i++) {
      int truth = episode.queryLabels()[i];
      if (lr.predict(toDouble(unit[query[i]])) == truth) {
        lrCorrect++;
      }
      if (nc.predict(unit[query[i]]) == truth) {
        ncCorrect++;
      }
    }
    return new double[] {(double) lrCorrect / query.length, (double) ncCorrect / query.length};
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}

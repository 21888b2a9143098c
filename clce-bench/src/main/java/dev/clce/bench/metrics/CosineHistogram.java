package dev.clce.bench.metrics;

/**
 * Histograms of the cosine similarity of positive pairs (two different images of one class) and
 * negative pairs (one image of each of two classes), as paper Figs. 3-4: equal-width bins over
 * [-1, 1], counts normalised to densities (each histogram integrates to 1).
 *
 * @param edges bin edges, {@code bins + 1} values from -1 to 1
 * @param positive density of positive-pair similarities per bin
 * @param negative density of negative-pair similarities per bin
 * @param positiveMean mean positive similarity
 * @param negativeMean mean negative similarity
 * @param positivePairs number of positive pairs
 * @param negativePairs number of negative pairs
 */
public record CosineHistogram(double[] edges, double[] positive, double[] negative, double positiveMean,
    double negativeMean, long positivePairs, long negativePairs) {

  /**
   * Every positive pair within class {@code classA} and within {@code classB}, every negative pair
   * across them.
   *
   * @param embeddings rows (normalised here; none all zero)
   * @param labels one label per row
   * @param classA the first class (at least 2 rows)
   * @param classB the second class (at least 2 rows), different from {@code classA}
   * @param bins number of bins, at least 1
   * @return the histograms
   */
  public static CosineHistogram of(double[][] embeddings, int[] labels, int classA, int classB, int bins) {
    if (bins < 1) {
      throw new IllegalArgumentException("bins: must be >= 1, got " + bins);
    }
    if (classA == classB) {
      throw new IllegalArgumentException("classB: must differ from classA, got " + classB);
    }
    double[][] v = Isotropy.normalisedRows(embeddings, "embeddings");
    if (labels == null || labels.length != v.length) {
      throw new IllegalArgumentException("labels: must hold one label per row (" + v.length + "), got "
          + (labels == null ? "null" : labels.length));
    }
    int na = 0;
    int nb = 0;
    for (int l : labels) {
      na += l == classA ? 1 : 0;
      nb += l == classB ? 1 : 0;
    }
    if (na < 2 || nb < 2) {
      throw new IllegalArgumentException("labels: classes " + classA + " and " + classB
          + " need at least 2 rows each, got " + na + " and " + nb);
    }
    double[] edges = new double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      edges[i] = -1.0 + 2.0 * i / bins;
    }
    long[] pos = new long[bins];
    long[] neg = new long[bins];
    double posSum = 0;
    double negSum = 0;
    long np = 0;
    long nn = 0;
    for (int i = 0; i < v.length; i++) {
      if (labels[i] != classA && labels[i] != classB) {
        continue;
      }
      for (int j = i + 1; j < v.length; j++) {
        if (labels[j] != classA && labels[j] != classB) {
          continue;
        }
        double s = 0;
        for (int k = 0; k < v[i].length; k++) {
          s += v[i][k] * v[j][k];
        }
        int bin = (int) Math.floor((s + 1.0) / 2.0 * bins);
        bin = Math.max(0, Math.min(bins - 1, bin));
        if (labels[i] == labels[j]) {
          pos[bin]++;
          posSum += s;
          np++;
        } else {
          neg[bin]++;
          negSum += s;
          nn++;
        }
      }
    }
    double width = 2.0 / bins;
    double[] pd = new double[bins];
    double[] nd = new double[bins];
    for (int b = 0; b < bins; b++) {
      pd[b] = pos[b] / (np * width);
      nd[b] = neg[b] / (nn * width);
    }
    return new CosineHistogram(edges, pd, nd, posSum / np, negSum / nn, np, nn);
  }
}

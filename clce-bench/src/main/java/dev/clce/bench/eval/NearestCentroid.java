package dev.clce.bench.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Nearest-centroid classification by cosine similarity: each class's centroid is the mean of its
 * embeddings; an example goes to the class whose centroid has the largest cosine with it (the lowest
 * class index on a tie). Classes without examples (or with a zero centroid) are never predicted.
 * Used both for few-shot episodes (centroids from the support set) and for the trainer's per-epoch
 * top-1 (centroids from the training split, applied to the test split).
 */
public final class NearestCentroid {

  private final double[][] unitCentroids;

  private NearestCentroid(double[][] unitCentroids) {
    this.unitCentroids = unitCentroids;
  }

  /**
   * Computes the centroids.
   *
   * @param embeddings rows of {@code d} values
   * @param labels one label per row in {@code [0, numClasses)}
   * @param numClasses the number of classes
   * @return the classifier
   */
  public static NearestCentroid fit(float[][] embeddings, int[] labels, int numClasses) {
    Embeddings.check(embeddings, labels);
    if (numClasses <= 0) {
      throw new IllegalArgumentException("numClasses: must be > 0, got " + numClasses);
    }
    int d = embeddings[0].length;
    double[][] sums = new double[numClasses][];
    for (int i = 0; i < embeddings.length; i++) {
      int c = labels[i];
      if (c >= numClasses) {
        throw new IllegalArgumentException("labels: label " + c + " at " + i + " is outside [0, "
            + numClasses + ")");
      }
      if (sums[c] == null) {
        sums[c] = new double[d];
      }
      for (int j = 0; j < d; j++) {
        sums[c][j] += embeddings[i][j];
      }
    }
    for (int c = 0; c < numClasses; c++) {
      if (sums[c] == null) {
        continue;
      }
      double norm = Math.sqrt(LogisticRegression.dot(sums[c], sums[c]));
      if (norm == 0) {
        sums[c] = null;
        continue;
      }
      for (int j = 0; j < d; j++) {
        sums[c][j] /= norm;
      }
    }
    return new NearestCentroid(sums);
  }

  /**
   * Computes the centroids from arrays.
   *
   * @param embeddings {@code [N, d]}
   * @param labels {@code [N]} integer labels
   * @param numClasses the number of classes
   * @return the classifier
   */
  public static NearestCentroid fit(INDArray embeddings, INDArray labels, int numClasses) {
    return fit(Embeddings.toRows(embeddings), labels.toIntVector(), numClasses);
  }

  /**
   * The class of one example.
   *
   * @param x {@code d} values
   * @return the class whose centroid is most cosine-similar
   */
  public int predict(float[] x) {
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < unitCentroids.length; c++) {
      double[] u = unitCentroids[c];
      if (u == null) {
        continue;
      }
      if (x.length != u.length) {
        throw new IllegalArgumentException("x: must hold " + u.length + " values, got " + x.length);
      }
      double s = 0;
      for (int j = 0; j < u.length; j++) {
        s += u[j] * x[j];
      }
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    if (best < 0) {
      throw new IllegalStateException("no class has a non-zero centroid");
    }
    return best;
  }

  /**
   * The fraction of examples classified correctly.
   *
   * @param embeddings rows
   * @param labels true labels
   * @return top-1 accuracy in [0, 1]
   */
  public double accuracy(float[][] embeddings, int[] labels) {
    Embeddings.check(embeddings, labels);
    int correct = 0;
    for (int i = 0; i < embeddings.length; i++) {
      if (predict(embeddings[i]) == labels[i]) {
        correct++;
      }
    }
    return (double) correct / embeddings.length;
  }

  /**
   * The fraction of examples classified correctly.
   *
   * @param embeddings {@code [N, d]}
   * @param labels {@code [N]}
   * @return top-1 accuracy in [0, 1]
   */
  public double accuracy(INDArray embeddings, INDArray labels) {
    return accuracy(Embeddings.toRows(embeddings), labels.toIntVector());
  }

  /**
   * Top-1 accuracy of a nearest-centroid classifier fit on one labelled set and applied to another,
   * both L2-normalised first (the trainer's per-epoch evaluation).
   *
   * @param train embeddings of the labelled set
   * @param trainLabels its labels
   * @param test embeddings to classify
   * @param testLabels their labels
   * @param numClasses the number of classes
   * @return accuracy in [0, 1]
   */
  public static double top1(float[][] train, int[] trainLabels, float[][] test, int[] testLabels,
      int numClasses) {
    Embeddings.check(train, trainLabels);
    Embeddings.check(test, testLabels);
    return fit(Embeddings.l2Normalise(train), trainLabels, numClasses)
        .accuracy(Embeddings.l2Normalise(test), testLabels);
  }
}

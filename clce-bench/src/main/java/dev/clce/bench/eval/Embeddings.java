package dev.clce.bench.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Conversions and checks for embedding matrices ({@code [N, d]}, one row per example). */
public final class Embeddings {

  private Embeddings() {}

  /**
   * Copies a rank-2 array into rows of floats.
   *
   * @param embeddings {@code [N, d]}
   * @return {@code N} rows of {@code d} floats
   */
  public static float[][] toRows(INDArray embeddings) {
    if (embeddings == null || embeddings.rank() != 2 || embeddings.size(0) == 0) {
      throw new IllegalArgumentException("embeddings: must be a non-empty [N, d] array, got "
          + (embeddings == null ? "null" : java.util.Arrays.toString(embeddings.shape())));
    }
    return embeddings.toFloatMatrix();
  }

  /**
   * Checks a matrix and its labels: same count, equal row lengths, finite values, labels &gt;= 0.
   *
   * @param embeddings rows
   * @param labels one label per row
   */
  public static void check(float[][] embeddings, int[] labels) {
    if (embeddings == null || embeddings.length == 0) {
      throw new IllegalArgumentException("embeddings: must hold at least one row");
    }
    if (labels == null || labels.length != embeddings.length) {
      throw new IllegalArgumentException("labels: must hold one label per embedding (" + embeddings.length
          + "), got " + (labels == null ? "null" : labels.length));
    }
    int d = embeddings[0] == null ? 0 : embeddings[0].length;
    if (d == 0) {
      throw new IllegalArgumentException("embeddings: rows must be non-empty");
    }
    for (int i = 0; i < embeddings.length; i++) {
      if (embeddings[i] == null || embeddings[i].length != d) {
        throw new IllegalArgumentException("embeddings: row " + i + " has "
            + (embeddings[i] == null ? "no" : embeddings[i].length) + " values, row 0 has " + d);
      }
      for (float v : embeddings[i]) {
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException("embeddings: row " + i + " holds a non-finite value " + v);
        }
      }
      if (labels[i] < 0) {
        throw new IllegalArgumentException("labels: must be >= 0, got " + labels[i] + " at " + i);
      }
    }
  }

  /**
   * L2-normalises every row (in double precision), leaving the input untouched.
   *
   * @param embeddings rows
   * @return new rows of unit length
   * @throws IllegalArgumentException naming {@code embeddings} if a row is all zero
   */
  public static float[][] l2Normalise(float[][] embeddings) {
    float[][] out = new float[embeddings.length][];
    for (int i = 0; i < embeddings.length; i++) {
      double ss = 0;
      for (float v : embeddings[i]) {
        ss += (double) v * v;
      }
      if (!(ss > 0)) {
        throw new IllegalArgumentException("embeddings: row " + i + " is all zero and has no direction");
      }
      double inv = 1.0 / Math.sqrt(ss);
      out[i] = new float[embeddings[i].length];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = (float) (embeddings[i][j] * inv);
      }
    }
    return out;
  }
}

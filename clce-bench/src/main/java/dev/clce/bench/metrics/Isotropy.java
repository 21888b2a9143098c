package dev.clce.bench.metrics;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * The isotropy score of paper Eq. 4 (after Mu and Viswanath, 2018), exactly as docs/LOSSES.md
 * "Metrics used by the bench" defines it: for L2-normalised embeddings V,
 * {@code Z(c) = sum_v exp(c . v)} and {@code IS = min_c Z(c) / max_c Z(c)} over c in the eigenvectors
 * of {@code V^T V} and their negatives. The paper prints the ratio as max/min but says higher is better
 * with 1 for a perfectly isotropic space; min/max is the form with that behaviour. IS is in (0, 1].
 */
public final class Isotropy {

  private Isotropy() {}

  /**
   * The isotropy score.
   *
   * @param embeddings n rows of d values (n &gt;= 1, d &gt;= 1, every row finite and non-zero); each row is
   *     L2-normalised here
   * @return {@code min Z / max Z} over the eigenvectors of {@code V^T V} and their negatives
   */
  public static double score(double[][] embeddings) {
    double[][] v = normalisedRows(embeddings, "embeddings");
    int d = v[0].length;
    double[][] gram = new double[d][d];
    for (double[] row : v) {
      for (int a = 0; a < d; a++) {
        double ra = row[a];
        if (ra == 0) {
          continue;
        }
        for (int b = 0; b < d; b++) {
          gram[a][b] += ra * row[b];
        }
      }
    }
    EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(gram, false));
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < d; k++) {
      RealVector c = eig.getEigenvector(k);
      double[] cv = c.toArray();
      double norm = 0;
      for (double x : cv) {
        norm += x * x;
      }
      norm = Math.sqrt(norm);
      for (int sign = -1; sign <= 1; sign += 2) {
        double z = 0;
        for (double[] row : v) {
          double dot = 0;
          for (int a = 0; a < d; a++) {
            dot += cv[a] * row[a];
          }
          z += Math.exp(sign * dot / norm);
        }
        min = Math.min(min, z);
        max = Math.max(max, z);
      }
    }
    return min / max;
  }

  /**
   * Convenience for float embeddings (as the evaluator returns them).
   *
   * @param embeddings n rows of d values
   * @return the isotropy score
   */
  public static double score(float[][] embeddings) {
    return score(toDouble(embeddings, "embeddings"));
  }

  static double[][] toDouble(float[][] x, String name) {
    if (x == null || x.length == 0) {
      throw new IllegalArgumentException(name + ": must hold at least one row, got " + (x == null ? "null" : "none"));
    }
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      if (x[i] == null) {
        throw new IllegalArgumentException(name + ": row " + i + " is null");
      }
      out[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        out[i][j] = x[i][j];
      }
    }
    return out;
  }

  /** Copies and L2-normalises rows, checking shape, finiteness and non-zero norm. */
  static double[][] normalisedRows(double[][] x, String name) {
    if (x == null || x.length == 0) {
      throw new IllegalArgumentException(name + ": must hold at least one row, got " + (x == null ? "null" : "none"));
    }
    int d = x[0] == null ? 0 : x[0].length;
    if (d == 0) {
      throw new IllegalArgumentException(name + ": rows must have at least one value, got 0");
    }
    double[][] out = new double[x.length][d];
    for (int i = 0; i < x.length; i++) {
      if (x[i] == null || x[i].length != d) {
        throw new IllegalArgumentException(name + ": every row must have " + d + " values, row " + i + " has "
            + (x[i] == null ? "none" : x[i].length));
      }
      double s = 0;
      for (int j = 0; j < d; j++) {
        if (!Double.isFinite(x[i][j])) {
          throw new IllegalArgumentException(name + ": must be finite, got " + x[i][j] + " at row " + i);
        }
        s += x[i][j] * x[i][j];
      }
      if (s == 0) {
        throw new IllegalArgumentException(name + ": row " + i + " is all zero and has no direction");
      }
      double inv = 1.0 / Math.sqrt(s);
      for (int j = 0; j < d; j++) {
        out[i][j] = x[i][j] * inv;
      }
    }
    return out;
  }
}

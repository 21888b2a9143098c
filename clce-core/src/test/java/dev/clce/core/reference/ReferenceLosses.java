package dev.clce.core.reference;

import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;

/**
 * An independent double-precision implementation of every loss of {@code LOSSES.md}, written as
 * plain loops over {@code double[]} (no ND4J), with exact gradients with respect to the embeddings
 * and the logits. It follows LOSSES.md literally (normalisation {@code z / max(||z||, eps)}, one
 * shift {@code m_i = max_{j != i} s_ij}, the weights {@code w_ik = e_ik / mean e}) so that it
 * shares no reformulation with the SameDiff implementation.
 *
 * <p>Route: each loss is written as a scalar function of the similarity matrix {@code s} and the
 * logits {@code o} on a {@link Tape} (reverse-mode autodiff), then the gradient is chained by hand
 * through {@code s_ij = x_i . x_j / tau} and {@code x = z / max(||z||, eps)}.
 *
 * <p>Conventions for degenerate batches (the same as the library's): anchors without a positive do
 * not count and the loss is 0 when none has one; {@code W_i = 0} when an anchor has no negative;
 * H-SCL's weighted mean is 0 when an anchor has no negative (so {@code l_ip = 0}).
 */
public final class ReferenceLosses {
  private ReferenceLosses() {}

  /**
   * A value with its gradients.
   *
   * @param value the loss
   * @param gradEmbeddings [M][d] or null when the loss does not read the embeddings
   * @param gradLogits [M][C] or null when the loss does not read the logits
   * @param gradNormalized [M][d] the gradient with respect to the normalised rows {@code x}, before
   *     the normalisation's projection (whose cancellation sets the rounding scale of a row of
   *     {@code gradEmbeddings}), or null when the loss does not read the embeddings
   */
  public record Result(double value, double[][] gradEmbeddings, double[][] gradLogits, double[][] gradNormalized) {}

  /**
   * Computes a loss and its gradients.
   *
   * @param cfg the loss and its options
   * @param z [M][d] raw embeddings (may be null for CE)
   * @param y [M] labels
   * @param o [M][C] logits (may be null for the purely contrastive losses)
   * @return value and gradients
   */
  public static Result compute(LossConfig cfg, double[][] z, int[] y, double[][] o) {
    LossKind kind = cfg.kind();
    Tape t = new Tape();
    int m = y.length;
    int[][] sNode = null;
    double[][] x = null;
    int loss;
    if (kind.usesEmbeddings()) {
      x = normalize(z);
      double[][] s = similarities(x, cfg.tau());
      sNode = new int[m][m];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < m; j++) {
          sNode[i][j] = t.leaf(s[i][j]);
        }
      }
    }
    int[][] oNode = null;
    if (kind.usesLogits()) {
      oNode = new int[m][];
      for (int i = 0; i < m; i++) {
        oNode[i] = new int[o[i].length];
        for (int c = 0; c < o[i].length; c++) {
          oNode[i][c] = t.leaf(o[i][c]);
        }
      }
    }
    switch (kind) {
      case CE:
        loss = crossEntropy(t, oNode, y);
        break;
      case SUPCON:
        loss = supCon(t, sNode, y);
        break;
      case HSCL:
        loss = hscl(t, sNode, y, cfg.beta());
        break;
      case CL:
        loss = lacln(t, sNode, y, cfg.aggregation(), false, false);
        break;
      case LACLN:
        loss = lacln(t, sNode, y, cfg.aggregation(), true, cfg.detachWeights());
        break;
      case CLCE: {
        int ce = crossEntropy(t, oNode, y);
        int lac = lacln(t, sNode, y, cfg.aggregation(), true, cfg.detachWeights());
        loss = t.add(t.scale(ce, 1 - cfg.lambda()), t.scale(lac, cfg.lambda()));
        break;
      }
      case CE_SUPCON: {
        int ce = crossEntropy(t, oNode, y);
        int sup = supCon(t, sNode, y);
        loss = t.add(t.scale(ce, 1 - cfg.lambda()), t.scale(sup, cfg.lambda()));
        break;
      }
      case CE_CL: {
        int ce = crossEntropy(t, oNode, y);
        int cl = lacln(t, sNode, y, cfg.aggregation(), false, false);
        loss = t.add(t.scale(ce, 1 - cfg.lambda()), t.scale(cl, cfg.lambda()));
        break;
      }
      default:
        throw new IllegalStateException("unhandled " + kind);
    }
    double[] adj = t.backward(loss);
    double[][] gz = null;
    double[][] gx = null;
    if (sNode != null) {
      double[][] gs = new double[m][m];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < m; j++) {
          gs[i][j] = adj[sNode[i][j]];
        }
      }
      gx = chainToNormalized(gs, x, cfg.tau());
      gz = chainToEmbeddings(gx, x, z);
    }
    double[][] go = null;
    if (oNode != null) {
      go = new double[m][];
      for (int i = 0; i < m; i++) {
        go[i] = new double[oNode[i].length];
        for (int c = 0; c < oNode[i].length; c++) {
          go[i][c] = adj[oNode[i][c]];
        }
      }
    }
    return new Result(t.value(loss), gz, go, gx);
  }

  /**
   * {@code x_i = z_i / max(||z_i||, eps)}, the normalisation of LOSSES.md.
   *
   * @param z [M][d]
   * @return [M][d] normalised rows (an all-zero row stays zero)
   */
  public static double[][] normalize(double[][] z) {
    double[][] x = new double[z.length][];
    for (int i = 0; i < z.length; i++) {
      double n = Math.max(norm(z[i]), LossConfig.NORM_EPS);
      x[i] = new double[z[i].length];
      for (int k = 0; k < z[i].length; k++) {
        x[i][k] = z[i][k] / n;
      }
    }
    return x;
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double a : v) {
      s += a * a;
    }
    return Math.sqrt(s);
  }

  private static double[][] similarities(double[][] x, double tau) {
    int m = x.length;
    double[][] s = new double[m][m];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        double d = 0;
        for (int k = 0; k < x[i].length; k++) {
          d += x[i][k] * x[j][k];
        }
        s[i][j] = d / tau;
      }
    }
    return s;
  }

  /** Chains dL/ds through s_ij = x_i . x_j / tau: dL/dx_i = (1/tau) sum_j (G_ij + G_ji) x_j. */
  private static double[][] chainToNormalized(double[][] gs, double[][] x, double tau) {
    int m = x.length;
    int d = x[0].length;
    double[][] gx = new double[m][d];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        double g = (gs[i][j] + gs[j][i]) / tau;
        for (int k = 0; k < d; k++) {
          gx[i][k] += g * x[j][k];
        }
      }
    }
    return gx;
  }

  /** Chains dL/dx through x = z / max(||z||, eps). */
  private static double[][] chainToEmbeddings(double[][] gxAll, double[][] x, double[][] z) {
    int m = x.length;
    int d = x[0].length;
    double[][] gz = new double[m][d];
    for (int i = 0; i < m; i++) {
      double[] gx = gxAll[i];
      double n = norm(z[i]);
      if (n > LossConfig.NORM_EPS) {
        double dot = 0;
        for (int k = 0; k < d; k++) {
          dot += x[i][k] * gx[k];
        }
        for (int k = 0; k < d; k++) {
          gz[i][k] = (gx[k] - x[i][k] * dot) / n;
        }
      } else {
        for (int k = 0; k < d; k++) {
          gz[i][k] = gx[k] / LossConfig.NORM_EPS;
        }
      }
    }
    return gz;
  }

  /** m_i = max_{j != i} s_ij (a constant). */
  private static double rowShift(Tape t, int[][] s, int i) {
    double mx = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < s.length; j++) {
      if (j != i) {
        mx = Math.max(mx, t.value(s[i][j]));
      }
    }
    return mx;
  }

  /** e_ij = exp(s_ij - m_i) for j != i; -1 on the diagonal. */
  private static int[][] shiftedExp(Tape t, int[][] s) {
    int m = s.length;
    int[][] e = new int[m][m];
    for (int i = 0; i < m; i++) {
      double mi = rowShift(t, s, i);
      for (int j = 0; j < m; j++) {
        e[i][j] = j == i ? -1 : t.exp(t.shift(s[i][j], -mi));
      }
    }
    return e;
  }

  private static int crossEntropy(Tape t, int[][] o, int[] y) {
    int m = o.length;
    int[] rows = new int[m];
    for (int i = 0; i < m; i++) {
      int c = o[i].length;
      double mx = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        mx = Math.max(mx, t.value(o[i][k]));
      }
      int[] terms = new int[c];
      for (int k = 0; k < c; k++) {
        terms[k] = t.exp(t.shift(o[i][k], -mx));
      }
      int lse = t.shift(t.log(t.sum(terms, c)), mx);
      rows[i] = t.sub(lse, o[i][y[i]]);
    }
    return t.scale(t.sum(rows, m), 1.0 / m);
  }

  private static int supCon(Tape t, int[][] s, int[] y) {
    int m = s.length;
    int[][] e = shiftedExp(t, s);
    int[] anchors = new int[m];
    int count = 0;
    int[] buf = new int[m];
    for (int i = 0; i < m; i++) {
      int nAll = 0;
      for (int j = 0; j < m; j++) {
        if (j != i) {
          buf[nAll++] = e[i][j];
        }
      }
      int logAll = t.log(t.sum(buf, nAll));
      int nP = 0;
      int[] terms = new int[m];
      for (int p = 0; p < m; p++) {
        if (p != i && y[p] == y[i]) {
          terms[nP++] = t.sub(t.log(e[i][p]), logAll); // log(e_ip / sum_{j != i} e_ij)
        }
      }
      if (nP > 0) {
        anchors[count++] = t.scale(t.sum(terms, nP), -1.0 / nP);
      }
    }
    return count == 0 ? t.leaf(0) : t.scale(t.sum(anchors, count), 1.0 / count);
  }

  /** LACLN (hard = true) or CL (hard = false, w = 1). */
  private static int lacln(Tape t, int[][] s, int[] y, Aggregation agg, boolean hard, boolean detach) {
    int m = s.length;
    int[][] e = shiftedExp(t, s);
    int[] anchors = new int[m];
    int count = 0;
    int[] pos = new int[m];
    int[] negE = new int[m];
    for (int i = 0; i < m; i++) {
      int nP = 0;
      int nN = 0;
      for (int j = 0; j < m; j++) {
        if (j == i) {
          continue;
        }
        if (y[j] == y[i]) {
          pos[nP++] = e[i][j];
        } else {
          negE[nN++] = e[i][j];
        }
      }
      if (nP == 0) {
        continue;
      }
      int sPlus = t.sum(pos, nP);
      int w;
      if (nN == 0) {
        w = t.leaf(0);
      } else if (!hard) {
        w = t.sum(negE, nN);
      } else {
        int mean = t.scale(t.sum(negE, nN), 1.0 / nN);
        int[] weighted = new int[nN];
        for (int k = 0; k < nN; k++) {
          int wik = detach
              ? t.leaf(t.value(negE[k]) / t.value(mean))
              : t.div(negE[k], mean);
          weighted[k] = t.mul(wik, negE[k]);
        }
        w = t.sum(weighted, nN);
      }
      int li;
      if (agg == Aggregation.LOG_OF_MEAN) {
        // -log( S+ / (|P| (S+ + W)) ) = log |P| + log1p(W / S+): the log1p form keeps the gradient
        // accurate when W << S+ (the naive form cancels 1/(S+ + W) - 1/S+).
        li = t.shift(t.log1p(t.div(w, sPlus)), Math.log(nP));
      } else {
        int den = t.add(sPlus, w);
        int[] terms = new int[nP];
        for (int k = 0; k < nP; k++) {
          terms[k] = t.log(t.div(pos[k], den));
        }
        li = t.scale(t.sum(terms, nP), -1.0 / nP);
      }
      anchors[count++] = li;
    }
    return count == 0 ? t.leaf(0) : t.scale(t.sum(anchors, count), 1.0 / count);
  }

  private static int hscl(Tape t, int[][] s, int[] y, double beta) {
    int m = s.length;
    int[] pairs = new int[m * m];
    int count = 0;
    int[] pos = new int[m];
    int[] imp = new int[m];
    int[] impE = new int[m];
    for (int i = 0; i < m; i++) {
      double mi = rowShift(t, s, i);
      int nP = 0;
      int nN = 0;
      for (int j = 0; j < m; j++) {
        if (j == i) {
          continue;
        }
        int sh = t.shift(s[i][j], -mi);
        int eij = t.exp(sh);
        if (y[j] == y[i]) {
          pos[nP++] = eij;
        } else {
          int im = t.exp(t.scale(sh, beta)); // e_ij^beta
          imp[nN] = im;
          impE[nN++] = t.mul(im, eij);
        }
      }
      int wmean = nN == 0 ? t.leaf(0) : t.div(t.sum(impE, nN), t.sum(imp, nN));
      int kw = t.scale(wmean, m - 2);
      for (int k = 0; k < nP; k++) {
        // -log( e_ip / (e_ip + (M - 2) wmean_i) ) = log1p((M - 2) wmean_i / e_ip)
        pairs[count++] = t.log1p(t.div(kw, pos[k]));
      }
    }
    return count == 0 ? t.leaf(0) : t.scale(t.sum(pairs, count), 1.0 / count);
  }
}

package dev.clce.core.loss;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The losses computed directly from INDArrays, with their gradients, for users who are not building
 * a graph.
 *
 * <pre>{@code
 * LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
 * LossResult r = EagerLoss.compute(cfg, embeddings, labels, logits);
 * double loss = r.value();
 * INDArray dz = r.gradEmbeddings(), dLogits = r.gradLogits();
 * }</pre>
 *
 * <p>Inputs are validated first with {@link LossInputs#validate} (every "Bad input" rule of
 * LOSSES.md). The value and the gradients are then computed without a SameDiff graph: the two
 * products with {@code d} in them run as ND4J matrix products, {@code Z Z^T} in double (the
 * normalisation and the temperature are applied to it afterwards, row and column scales) and
 * {@code dL/dZ = H Z} in the inputs' data type (H folds the normalisation's backward pass into an
 * [M, M] matrix); everything on the [M, M] similarities and the [M, C] logits runs as plain
 * double-precision loops, with the gradient in closed form.
 * The closed forms are derived from LOSSES.md's definitions in clce's {@code docs/LOSSES.md}
 * ("The eager form's gradients"), for every {@link LossKind}, both {@link Aggregation}s and
 * {@code detachWeights} either way; nothing falls back to a graph. They are tested against the
 * plain-loop reverse-mode reference and against PyTorch's autograd (the committed fixtures) to the
 * tolerances of LOSSES.md, and against {@link SDClceLoss}'s autodiff. The function is the one
 * {@link SDClceLoss} computes: the normalisation {@code z * rsqrt(||z||^2 + eps^2)}, each row's
 * positives and negatives shifted by their own maximum, the same conventions for anchors without
 * positives or negatives. The value is returned in double whatever the inputs' type (the
 * computation above the two matrix products is in double).
 *
 * <p>Why: a SameDiff graph pays a fixed cost for every op however small, and the CLCE graph has
 * about a hundred of them; this form runs a handful of ND4J calls (measurements in clce's
 * {@code docs/PERFORMANCE.md}).
 *
 * <p>Memory per call: the [M, M] matrices live on the Java heap, three of them in double
 * ({@code 24 M^2} bytes), so M is limited to {@value #MAX_CONTRASTIVE_ROWS} (a Java array holds
 * fewer than 2^31 entries; larger batches are refused with an IllegalArgumentException).
 * Cross-entropy adds {@code 12 M C} bytes of heap. The off-heap temporaries (the embeddings in
 * double, {@code Z Z^T}, H: about {@code 8 M d + 12 M^2} bytes for float inputs, {@code 16 M^2}
 * for double) live in a per-thread ND4J workspace ({@value #WORKSPACE}) that is reused from call
 * to call rather than allocated and freed afresh; it keeps the largest call's size until the
 * thread's workspaces are destroyed
 * ({@code Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread()}). The returned
 * arrays are allocated outside it, in the caller's scope.
 *
 * <p>Thread-safe (no shared state; workspaces are per thread). The returned gradients are fresh
 * arrays, owned by the caller.
 */
public final class EagerLoss {
  /** Id of the per-thread workspace that holds each call's off-heap temporaries. */
  static final String WORKSPACE = "clce-eager-loss";

  /** Grows to the largest call seen, then reused. */
  private static final WorkspaceConfiguration WORKSPACE_CONFIG = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .overallocationLimit(0.2)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();

  private EagerLoss() {}

  /**
   * Computes the loss and its gradients.
   *
   * @param config the loss
   * @param embeddings [M, d] raw embeddings (null for CE)
   * @param labels [M] integer labels
   * @param logits [M, C] logits (null for purely contrastive losses)
   * @return value and gradients, in the data type of the inputs (a gradient is null when the loss
   *     does not read that input)
   * @throws IllegalArgumentException naming the argument, for any input LOSSES.md refuses
   */
  public static LossResult compute(LossConfig config, INDArray embeddings, INDArray labels, INDArray logits) {
    return compute(config, embeddings, labels, logits, null);
  }

  /**
   * The loss split over the examples of the batch: {@code v_i} with {@code mean_i v_i} the loss.
   * For cross-entropy {@code v_i} is example i's own term; a contrastive term is a mean over
   * anchors (H-SCL: over positive pairs), and {@code v_i} is anchor i's term times M over their
   * number (0 for a row that is not an anchor). The terms of one example still depend on the
   * whole batch (its positives and negatives): they are a decomposition of the batch's loss, not
   * the losses of independent examples.
   *
   * @param config the loss
   * @param embeddings [M, d] raw embeddings (null for CE)
   * @param labels [M] integer labels
   * @param logits [M, C] logits (null for purely contrastive losses)
   * @return the M per-example terms, whose mean is {@link #compute}'s value
   * @throws IllegalArgumentException naming the argument, for any input LOSSES.md refuses
   */
  public static double[] perExample(LossConfig config, INDArray embeddings, INDArray labels, INDArray logits) {
    double[] rows = new double[labels == null ? 0 : (int) Math.min(labels.length(), Integer.MAX_VALUE)];
    compute(config, embeddings, labels, logits, rows);
    return rows;
  }

  /** {@link #compute}, adding each example's term to {@code rows} when it is not null. */
  private static LossResult compute(LossConfig config, INDArray embeddings, INDArray labels, INDArray logits,
      double[] rows) {
    int m = LossInputs.validate(config, embeddings, labels, logits);
    checkSize(config, m, logits);
    LossParts parts = config.parts();
    long[] y = (labels.dataType().isIntType() ? labels : labels.castTo(DataType.INT64)).toLongVector();
    double value = 0.0;
    INDArray gz = null;
    INDArray go = null;
    if (parts.contrastive()) {
      double contrastiveWeight = parts.contrastiveWeight();
      // The result lives in the caller's scope, outside the workspace below.
      gz = Nd4j.createUninitialized(embeddings.dataType(), m, embeddings.columns());
      try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE_CONFIG, WORKSPACE)) {
        Embeddings e = new Embeddings(embeddings, m);
        // dL/ds overwrites s row by row (each row is read before it is written).
        double[] g = e.similarities(config.tau());
        double c = parts.negatives() == NegativeWeighting.IMPORTANCE
            ? hscl(g, y, m, config.beta(), g, rows)
            : contrastive(g, y, m, parts.negatives(), parts.aggregation(), g, rows);
        if (rows != null) {
          scale(rows, contrastiveWeight);
        }
        value += contrastiveWeight * c;
        e.backward(g, contrastiveWeight / config.tau(), gz);
      }
    }
    if (parts.crossEntropy()) {
      double ceWeight = parts.ceWeight();
      double[] o = flat(logits);
      int classes = (int) logits.columns();
      double ce = crossEntropy(o, y, m, classes, ceWeight, rows);
      value += ceWeight * ce;
      go = array(o, m, classes, logits.dataType());
    }
    return new LossResult(value, gz, go);
  }

  /**
   * The largest batch whose [M, M] matrices fit a Java array ({@code M^2 <= Integer.MAX_VALUE}):
   * 46,340 rows.
   */
  public static final int MAX_CONTRASTIVE_ROWS = 46_340;

  /**
   * Refuses batches whose flat Java arrays would overflow an int index: [M, M] for a contrastive
   * term, [M, C] for cross-entropy.
   */
  private static void checkSize(LossConfig config, int m, INDArray logits) {
    if (config.kind().usesEmbeddings() && m > MAX_CONTRASTIVE_ROWS) {
      throw new IllegalArgumentException("embeddings: M = " + m + " rows exceed the eager form's limit of "
          + MAX_CONTRASTIVE_ROWS + " (its [M, M] matrices are Java arrays of at most 2^31 - 1 entries, and would"
          + " take 24 M^2 bytes of heap); use SDClceLoss for larger batches");
    }
    if (config.kind().usesLogits() && (long) m * logits.columns() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("logits: shape [" + m + ", " + logits.columns()
          + "] has more than 2^31 - 9 entries, the eager form's limit (a Java array); use SDClceLoss");
    }
  }

  // ------------------------------------------------------------------------------------------
  // Normalisation and similarities

  /**
   * The embeddings with what the backward pass needs. Neither the normalised rows nor their
   * gradient is ever formed: with {@code Z0 = Z Z^T} (one product, in double),
   * {@code r_i = (Z0_ii + eps^2)^(-1/2)} and {@code x_i . x_j = r_i r_j Z0_ij}; backward,
   * {@code dL/dz_i = r_i (g_i - x_i (x_i . g_i))} with {@code g = G' X}, {@code G' = scale (G + G^T)},
   * {@code X = diag(r) Z}, is {@code dL/dZ = H Z} with {@code H = diag(r) G' diag(r) - diag(r^3 t)},
   * {@code t_i = z_i . (G' X)_i = sum_j G'_ij r_j Z0_ij}: one more product, in the inputs' type.
   */
  private static final class Embeddings {
    final int m;
    final INDArray z;
    final double[] z0; // [M * M] z_i . z_j
    final double[] r; // [M] 1 / sqrt(||z_i||^2 + eps^2)

    Embeddings(INDArray z, int m) {
      this.m = m;
      this.z = z;
      INDArray zd = z.dataType() == DataType.DOUBLE ? z : z.castTo(DataType.DOUBLE);
      z0 = flat(zd.mmul(zd.transpose()));
      r = new double[m];
      double eps2 = LossConfig.NORM_EPS * LossConfig.NORM_EPS;
      for (int i = 0; i < m; i++) {
        r[i] = 1.0 / Math.sqrt(z0[i * m + i] + eps2);
      }
    }

    /**
     * @return {@code s_ij = x_i . x_j / tau}, [M * M] row-major, from a double product whatever the
     *     inputs' type (at tau = 0.01 a float product's rounding, amplified by 1/tau, shows in
     *     the gradient at the 1e-4 level)
     */
    double[] similarities(double tau) {
      double[] s = new double[m * m];
      for (int i = 0; i < m; i++) {
        scaledRow(z0, s, i * m, m, r, r[i] / tau);
      }
      return s;
    }

    private static void scaledRow(double[] src, double[] dst, int off, int m, double[] r, double f) {
      for (int j = 0; j < m; j++) {
        dst[off + j] = src[off + j] * r[j] * f;
      }
    }

    /**
     * Chains {@code g = dL/ds} (scaled by {@code scale}, which carries {@code 1/tau} and the
     * term's weight) back to the raw embeddings (see the class documentation), into {@code out}.
     */
    void backward(double[] g, double scale, INDArray out) {
      double[] h = new double[m * m];
      for (int i = 0; i < m; i++) {
        hRow(g, z0, r, h, i, m, scale);
      }
      array(h, m, m, z.dataType()).mmul(z, out);
    }

    /** Row i of H: {@code r_i G'_ij r_j}, minus {@code r_i^3 t_i} on the diagonal. */
    private static void hRow(double[] g, double[] z0, double[] r, double[] h, int i, int m, double scale) {
      int row = i * m;
      double ri = r[i];
      double t = 0.0;
      for (int j = 0; j < m; j++) {
        double gj = scale * (g[row + j] + g[j * m + i]) * r[j];
        t += gj * z0[row + j];
        h[row + j] = ri * gj;
      }
      h[row + i] -= ri * ri * ri * t;
    }
  }

  // ------------------------------------------------------------------------------------------
  // The losses on the similarities; each writes dL/ds into g (unscaled by 1/tau; g may be s itself:
  // each row of s is read before the same row of g is written) and returns L.

  /** @return for each row, how many rows share its label (itself included) */
  private static int[] classSizes(long[] y) {
    java.util.Map<Long, Integer> counts = new java.util.HashMap<>();
    for (long v : y) {
      counts.merge(v, 1, Integer::sum);
    }
    int[] out = new int[y.length];
    for (int i = 0; i < y.length; i++) {
      out[i] = counts.get(y[i]);
    }
    return out;
  }

  /**
   * SupCon, CL and LACLN (docs/LOSSES.md, "The eager form's gradients"). Per anchor i with
   * {@code |P| >= 1}: {@code D = S+ + W}; log of mean {@code l = log D - log S+ + log |P|}, mean of
   * logs {@code l = log D - mean_p s_ip}; the loss is the mean of l over those anchors.
   */
  private static double contrastive(double[] s, long[] y, int m, NegativeWeighting mass, Aggregation aggregation,
      double[] g, double[] rows) {
    int[] sizes = classSizes(y);
    double[] e = new double[m];
    double total = 0.0;
    int anchors = 0;
    for (int i = 0; i < m; i++) {
      int nPos = sizes[i] - 1;
      if (nPos > 0) {
        anchors++;
        double l = contrastiveRow(s, y, m, i, nPos, m - sizes[i], mass, aggregation, e, g);
        total += l;
        if (rows != null) {
          rows[i] = l;
        }
      } else {
        java.util.Arrays.fill(g, i * m, (i + 1) * m, 0.0); // not an anchor: no value, no gradient
      }
    }
    if (anchors == 0) {
      return 0.0;
    }
    scale(g, 1.0 / anchors);
    if (rows != null) {
      scale(rows, (double) m / anchors);
    }
    return total / anchors;
  }

  /**
   * One anchor of {@link #contrastive} (a method of its own so that the JIT compiles it after a few
   * calls): writes {@code dl_i/ds_ij} into row i of {@code g} and returns {@code l_i}.
   */
  private static double contrastiveRow(double[] s, long[] y, int m, int i, int nPos, int nNeg, NegativeWeighting mass,
      Aggregation aggregation, double[] e, double[] g) {
    int row = i * m;
    long yi = y[i];
    double cP = Double.NEGATIVE_INFINITY;
    double cN = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < m; j++) {
      if (y[j] == yi) {
        if (j != i) {
          cP = Math.max(cP, s[row + j]);
        }
      } else {
        cN = Math.max(cN, s[row + j]);
      }
    }
    // e_j = exp(s_ij - own set's shift): positives by cP, negatives by cN.
    double sPos = 0.0;
    double gap = 0.0; // sum_p (cP - s_ip) >= 0
    double a = 0.0;
    double b = 0.0;
    for (int j = 0; j < m; j++) {
      double sij = s[row + j];
      if (y[j] == yi) {
        if (j != i) {
          double v = Math.exp(sij - cP);
          e[j] = v;
          sPos += v;
          gap += cP - sij;
        }
      } else {
        double v = Math.exp(sij - cN);
        e[j] = v;
        a += v;
        b += v * v;
      }
    }
    double w; // W at shift cN
    if (nNeg == 0) {
      w = 0.0;
    } else if (mass == NegativeWeighting.UNIFORM) {
      w = a;
    } else {
      w = nNeg * b / a;
    }
    // D at the common shift c = max(cP, cN): D_c = S+ e^{cP - c} + W e^{cN - c} >= 1.
    double c = nNeg == 0 ? cP : Math.max(cP, cN);
    double fP = Math.exp(cP - c);
    double fN = nNeg == 0 ? 0.0 : Math.exp(cN - c);
    double dC = sPos * fP + w * fN;
    boolean logOfMean = aggregation == Aggregation.LOG_OF_MEAN;
    // Both aggregations hold log(1 + W/S+), which the differences log D - log S+ (log of mean) and
    // 1/D - 1/S+ (its gradient) lose to cancellation when W << S+ (well-separated classes at a small
    // tau): it is the softplus of lr = log(W/S+), and W/D its sigmoid.
    double lr = nNeg == 0 ? Double.NEGATIVE_INFINITY : Math.log(w) - Math.log(sPos) + (cN - cP);
    double log1pRatio = softplus(lr);
    // Log of mean: l = log |P| + log(1 + W/S+). Mean of logs: l = log(S+ + W) - mean_p s_ip =
    // log S + mean_p (cP - s_ip) + log(1 + W/S+), a sum of terms >= 0.
    double l = logOfMean ? Math.log(nPos) + log1pRatio : Math.log(sPos) + gap / nPos + log1pRatio;
    // Gradients of l with respect to s_ij.
    double posFromD = fP / dC;
    double negFromD = fN / dC;
    // Log of mean: e_p (1/D - 1/S+) = -(e_p / S) W/D, exactly 0 without negatives.
    double posFactor = logOfMean ? -sigmoid(lr) / sPos : posFromD;
    double posConst = logOfMean ? 0.0 : 1.0 / nPos;
    double hardScale = nNeg == 0 ? 0.0 : negFromD * nNeg / (a * a);
    for (int j = 0; j < m; j++) {
      double v = e[j];
      double gij;
      if (y[j] == yi) {
        gij = j == i ? 0.0 : v * posFactor - posConst;
      } else if (mass == NegativeWeighting.UNIFORM) {
        gij = v * negFromD;
      } else if (mass == NegativeWeighting.HARD) {
        // dW/ds_k = |N| e_k (2 e_k A - B) / A^2
        gij = hardScale * v * (2.0 * v * a - b);
      } else {
        // weights w_k = |N| e_k / A held constant: dW/ds_k = w_k e_k
        gij = hardScale * a * v * v;
      }
      g[row + j] = gij;
    }
    return l;
  }

  /** @return {@code log(1 + e^x)}, exact for large |x|; 0 at {@code x = -inf} */
  private static double softplus(double x) {
    return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** @return {@code 1 / (1 + e^-x)}, exact for large |x|; 0 at {@code x = -inf} */
  private static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double ex = Math.exp(x);
    return ex / (1.0 + ex);
  }

  /**
   * H-SCL (docs/LOSSES.md, "The eager form's gradients"): {@code l_ip = softplus(u_ip)},
   * {@code u_ip = log(K wmean_i) - s_ip}, K = M - 2, mean over all positive pairs; an anchor
   * without negatives (or K = 0) contributes pairs of loss 0.
   */
  private static double hscl(double[] s, long[] y, int m, double beta, double[] g, double[] rows) {
    int[] sizes = classSizes(y);
    double total = 0.0;
    long pairs = 0;
    double[] q = new double[m];
    double[] r = new double[m];
    for (int i = 0; i < m; i++) {
      int nPos = sizes[i] - 1;
      pairs += nPos;
      if (nPos > 0 && sizes[i] < m && m > 2) {
        double l = hsclRow(s, y, m, i, beta, q, r, g);
        total += l;
        if (rows != null) {
          rows[i] = l;
        }
      } else {
        java.util.Arrays.fill(g, i * m, (i + 1) * m, 0.0); // no pair, or pairs of loss 0 and gradient 0
      }
    }
    if (pairs == 0) {
      return 0.0;
    }
    scale(g, 1.0 / pairs);
    if (rows != null) {
      scale(rows, (double) m / pairs);
    }
    return total / pairs;
  }

  /** One anchor (with positives and negatives) of {@link #hscl}: writes row i of g, returns {@code sum_p l_ip}. */
  private static double hsclRow(double[] s, long[] y, int m, int i, double beta, double[] q, double[] r, double[] g) {
    int row = i * m;
    long yi = y[i];
    double cN = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < m; j++) {
      if (y[j] != yi) {
        cN = Math.max(cN, s[row + j]);
      }
    }
    double num = 0.0;
    double den = 0.0;
    for (int j = 0; j < m; j++) {
      if (y[j] != yi) {
        double t = s[row + j] - cN;
        q[j] = Math.exp((1.0 + beta) * t);
        r[j] = Math.exp(beta * t);
        num += q[j];
        den += r[j];
      }
    }
    double logKw = Math.log(m - 2.0) + cN + Math.log(num) - Math.log(den);
    double total = 0.0;
    double sumSig = 0.0;
    for (int j = 0; j < m; j++) {
      if (j != i && y[j] == yi) {
        double u = logKw - s[row + j];
        double ex = Math.exp(-Math.abs(u));
        total += Math.max(u, 0.0) + Math.log1p(ex);
        double sig = u >= 0 ? 1.0 / (1.0 + ex) : ex / (1.0 + ex);
        sumSig += sig;
        g[row + j] = -sig;
      }
    }
    g[row + i] = 0.0;
    double fq = sumSig * (1.0 + beta) / num;
    double fr = sumSig * beta / den;
    for (int j = 0; j < m; j++) {
      if (y[j] != yi) {
        g[row + j] = fq * q[j] - fr * r[j];
      }
    }
    return total;
  }

  /**
   * Mean cross-entropy; replaces {@code o} by {@code weight * dCE/do} = {@code weight
   * (softmax(o_i) - onehot(y_i)) / M}.
   */
  private static double crossEntropy(double[] o, long[] y, int m, int classes, double weight, double[] rows) {
    double total = 0.0;
    double gScale = weight / m;
    for (int i = 0; i < m; i++) {
      int off = i * classes;
      double mx = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        mx = Math.max(mx, o[off + c]);
      }
      int yc = (int) y[i];
      double rest = 0.0; // sum over the other classes, so that CE -> 0 keeps its relative precision
      for (int c = 0; c < classes; c++) {
        if (c != yc) {
          rest += Math.exp(o[off + c] - mx);
        }
      }
      double oy = o[off + yc];
      double ey = Math.exp(oy - mx);
      double sum = ey + rest;
      // -log softmax_y = (mx - o_y) + log(e_y + rest), which is log1p(rest) when y holds the maximum.
      double ce = oy == mx ? Math.log1p(rest) : (mx - oy) + Math.log(sum);
      total += ce;
      if (rows != null) {
        rows[i] += weight * ce;
      }
      double inv = gScale / sum;
      for (int c = 0; c < classes; c++) {
        o[off + c] = c == yc ? -rest * inv : Math.exp(o[off + c] - mx) * inv;
      }
    }
    return total / m;
  }

  // ------------------------------------------------------------------------------------------
  // Arrays

  private static void scale(double[] v, double f) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= f;
    }
  }

  /** @return a fresh row-major double copy of a matrix (any order, view or not, any FP type) */
  private static double[] flat(INDArray a) {
    INDArray c = a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
    long n = c.length();
    double[] v = c.data().asDouble();
    if (v.length == n) {
      return v;
    }
    double[] out = new double[(int) n];
    System.arraycopy(v, (int) c.offset(), out, 0, (int) n);
    return out;
  }

  /** @return {@code v} as a fresh [rows, cols] array of data type {@code dt} */
  private static INDArray array(double[] v, int rows, int cols, DataType dt) {
    long[] shape = {rows, cols};
    if (dt == DataType.DOUBLE) {
      return Nd4j.create(v, shape, 'c');
    }
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    INDArray out = Nd4j.create(f, shape, 'c');
    return dt == DataType.FLOAT ? out : out.castTo(dt);
  }
}

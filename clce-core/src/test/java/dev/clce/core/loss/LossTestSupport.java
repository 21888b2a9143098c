package dev.clce.core.loss;

import dev.clce.core.reference.ReferenceLosses;
import dev.clce.core.reference.TestBatches.Batch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Shared pieces of the loss tests: the configurations under test, conversions, errors, runners. */
final class LossTestSupport {
  /**
   * Floor of the denominators of relative errors: the smallest normal double, so that an all-zero
   * reference row or value demands an all-zero result, and a tiny one (a gradient of 1e-37 at a
   * small tau) is compared relatively, not absolutely.
   */
  static final double TINY = Double.MIN_NORMAL;
  /**
   * Share of a row's unprojected gradient {@code |dL/dx_i| / |z_i|} that rounding may leave in
   * its embedding gradient: the normalisation's projection {@code g - x (x . g)} cancels when
   * {@code g} is nearly parallel to {@code x} (duplicate rows, one class), and then the row is
   * judged on the size it had before the cancellation.
   */
  static final double PROJECTION_FLOOR = 1e-7;
  /** Relative error allowed against the reference in double. */
  static final double DOUBLE_TOL = 1e-9;
  /** Relative error allowed against the reference in float. */
  static final double FLOAT_TOL = 1e-4;
  /** Graph names of the SameDiff-form runner. */
  static final String Z = "z";
  static final String Y = "y";
  static final String O = "o";
  static final String LOSS = "loss";

  private static final Map<String, ReferenceLosses.Result> REFERENCE_CACHE = new ConcurrentHashMap<>();

  private LossTestSupport() {}

  /** @return every loss and option worth testing, at the default tau */
  static List<LossConfig> variants() {
    List<LossConfig> v = new ArrayList<>();
    v.add(LossConfig.builder(LossKind.CE).build());
    v.add(LossConfig.builder(LossKind.SUPCON).build());
    v.add(LossConfig.builder(LossKind.HSCL).build());
    v.add(LossConfig.builder(LossKind.HSCL).optBeta(0).build());
    v.add(LossConfig.builder(LossKind.HSCL).optBeta(2).build());
    for (Aggregation a : Aggregation.values()) {
      v.add(LossConfig.builder(LossKind.CL).optAggregation(a).build());
      for (boolean detach : new boolean[] {false, true}) {
        v.add(LossConfig.builder(LossKind.LACLN).optAggregation(a).optDetachWeights(detach).build());
      }
    }
    v.add(LossConfig.builder(LossKind.CLCE).build());
    v.add(LossConfig.builder(LossKind.CLCE).optLambda(0.3).optAggregation(Aggregation.MEAN_OF_LOG)
        .optDetachWeights(true).build());
    v.add(LossConfig.builder(LossKind.CLCE).optLambda(0).build());
    v.add(LossConfig.builder(LossKind.CLCE).optLambda(1).build());
    v.add(LossConfig.builder(LossKind.CE_SUPCON).build());
    v.add(LossConfig.builder(LossKind.CE_SUPCON).optLambda(0.3).build());
    v.add(LossConfig.builder(LossKind.CE_CL).build());
    v.add(LossConfig.builder(LossKind.CE_CL).optLambda(0.3).optAggregation(Aggregation.MEAN_OF_LOG).build());
    return v;
  }

  /** @return the variants whose gradient is the full derivative (all but detached weights) */
  static List<LossConfig> differentiableVariants() {
    return variants().stream().filter(c -> !c.detachWeights()).toList();
  }

  static LossConfig withTau(LossConfig c, double tau) {
    return c.toBuilder().optTau(tau).build();
  }

  /** The reference result, cached per (configuration, batch). */
  static ReferenceLosses.Result reference(LossConfig cfg, Batch b) {
    return REFERENCE_CACHE.computeIfAbsent(cfg + "|" + b.name() + "|" + System.identityHashCode(b.z()),
        k -> ReferenceLosses.compute(cfg, b.z(), b.y(), b.o()));
  }

  static INDArray array(double[][] a, DataType dt) {
    return Nd4j.createFromArray(a).castTo(dt);
  }

  static INDArray labels(int[] y) {
    return Nd4j.createFromArray(y);
  }

  /**
   * Relative error row by row, so that one large row (the gradient of an all-zero embedding is
   * about 1e12 times the others) cannot hide an error in another.
   *
   * @return the largest over rows i of {@code max_k |a_ik - b_ik| / max(max_k |b_ik|, TINY)}
   */
  static double relErr(INDArray a, double[][] b) {
    return rowErr(a, b, new double[b.length]);
  }

  /** @return |a - b| / max(|b|, TINY) */
  static double relErr(double a, double b) {
    return a == b ? 0.0 : Math.abs(a - b) / Math.max(Math.abs(b), TINY);
  }

  /** @return {@link #relErr(INDArray, double[][])} of two arrays of the same shape */
  static double relErr(INDArray a, INDArray b) {
    return relErr(a, b.castTo(DataType.DOUBLE).toDoubleMatrix());
  }

  /**
   * Relative error of an embedding gradient against the reference, row by row: row i is scaled by
   * the larger of its own largest entry and {@link #PROJECTION_FLOOR} times the size it has before
   * the normalisation's projection cancels ({@code max_k |dL/dx_ik| / max(|z_i|, eps)}).
   *
   * @param a the gradient under test [M, d]
   * @param ref the reference result
   * @param z the embeddings [M][d]
   * @return the largest relative error over rows (infinite for a NaN or a shape mismatch)
   */
  static double gradEmbeddingsErr(INDArray a, ReferenceLosses.Result ref, double[][] z) {
    double[][] gx = ref.gradNormalized();
    double[] floor = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      double n = 0;
      for (double v : z[i]) {
        n += v * v;
      }
      double g = 0;
      for (double v : gx[i]) {
        g = Math.max(g, Math.abs(v));
      }
      floor[i] = PROJECTION_FLOOR * g / Math.max(Math.sqrt(n), LossConfig.NORM_EPS);
    }
    return rowErr(a, ref.gradEmbeddings(), floor);
  }

  /**
   * @return the largest over rows i of {@code max_k |a_ik - b_ik| / max(max_k |b_ik|, floor_i,
   *     TINY)}; 0 for identical rows, infinite for a non-finite entry or a shape mismatch
   */
  static double rowErr(INDArray a, double[][] b, double[] floor) {
    if (a == null || a.rank() != 2 || a.rows() != b.length || (b.length > 0 && a.columns() != b[0].length)) {
      return Double.POSITIVE_INFINITY;
    }
    double[][] av = a.castTo(DataType.DOUBLE).toDoubleMatrix();
    double worst = 0;
    for (int i = 0; i < b.length; i++) {
      double diff = 0;
      double scale = Math.max(floor[i], TINY);
      for (int k = 0; k < b[i].length; k++) {
        if (!Double.isFinite(av[i][k])) {
          return Double.POSITIVE_INFINITY;
        }
        diff = Math.max(diff, Math.abs(av[i][k] - b[i][k]));
        scale = Math.max(scale, Math.abs(b[i][k]));
      }
      if (diff > 0) {
        worst = Math.max(worst, diff / scale);
      }
    }
    return worst;
  }

  /**
   * Runs the SameDiff form on a fresh graph with fixed shapes: embeddings and logits as variables,
   * labels as an INT32 placeholder.
   */
  static LossResult runSameDiff(LossConfig cfg, Batch b, DataType dt) {
    SameDiff sd = SameDiff.create();
    SDVariable z = sd.var(Z, array(b.z(), dt));
    SDVariable o = sd.var(O, array(b.o(), dt));
    SDVariable y = sd.placeHolder(Y, DataType.INT32, b.m());
    SDClceLoss.of(sd).loss(LOSS, cfg, z, y, o).markAsLoss();
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(Y, labels(b.y()));
    List<String> wrt = new ArrayList<>();
    if (cfg.kind().usesEmbeddings()) {
      wrt.add(Z);
    }
    if (cfg.kind().usesLogits()) {
      wrt.add(O);
    }
    var r = sd.calculateGradientsAndOutputs(ph, List.of(LOSS), wrt);
    INDArray gz = cfg.kind().usesEmbeddings() ? r.getGradients().get(Z) : null;
    INDArray go = cfg.kind().usesLogits() ? r.getGradients().get(O) : null;
    return new LossResult(r.getOutputs().get(LOSS).getDouble(0), gz, go);
  }

  static String describe(LossConfig c) {
    String s = c.kind().cliName() + " tau=" + c.tau();
    if (c.kind() == LossKind.HSCL) {
      s += " beta=" + c.beta();
    }
    if (c.kind() == LossKind.CL || c.kind() == LossKind.LACLN || c.kind() == LossKind.CLCE
        || c.kind() == LossKind.CE_CL) {
      s += " " + c.aggregation().cliName() + (c.detachWeights() ? " detached" : "");
    }
    if (c.kind().usesEmbeddings() && c.kind().usesLogits()) {
      s += " lambda=" + c.lambda();
    }
    return s;
  }
}

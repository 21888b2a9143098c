package dev.clce.core.loss;

import static dev.clce.core.loss.LossTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.reference.ReferenceLosses;
import dev.clce.core.reference.TestBatches;
import dev.clce.core.reference.TestBatches.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Small temperatures on well-separated batches: the negative mass is many orders of magnitude
 * below the positive one, where a log-of-mean written as {@code log D - log S+} (and its gradient
 * {@code 1/D - 1/S+}) cancels. Both forms, every variant, tau down to 0.02, value and per-row
 * embedding gradient within 1e-9 of the plain-loop reference (which uses log1p).
 */
class SmallTauTest {
  private static final Batch SEPARATED = TestBatches.separated(24, 16, 4, 0.05, 41);
  private static final Batch SEPARATED_WIDE = TestBatches.separated(32, 64, 8, 0.1, 42);
  private static final double[] TAUS = {0.02, 0.03, 0.04, 0.1};

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (LossConfig v : variants()) {
      if (!v.kind().usesEmbeddings()) {
        continue;
      }
      for (double tau : TAUS) {
        LossConfig c = withTau(v, tau);
        out.add(Arguments.of(describe(c), c, SEPARATED));
      }
      LossConfig c = withTau(v, 0.02);
      out.add(Arguments.of(describe(c), c, SEPARATED_WIDE));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "eager {0} | {2}")
  @MethodSource("cases")
  void eagerStaysWithin1e9(String label, LossConfig cfg, Batch b) {
    LossResult r = EagerLoss.compute(cfg, array(b.z(), DataType.DOUBLE), labels(b.y()), array(b.o(), DataType.DOUBLE));
    check(cfg, b, r);
  }

  @ParameterizedTest(name = "samediff {0} | {2}")
  @MethodSource("cases")
  void sameDiffStaysWithin1e9(String label, LossConfig cfg, Batch b) {
    check(cfg, b, runSameDiff(cfg, b, DataType.DOUBLE));
  }

  private static void check(LossConfig cfg, Batch b, LossResult r) {
    ReferenceLosses.Result ref = reference(cfg, b);
    double ev = relErr(r.value(), ref.value());
    assertTrue(ev < DOUBLE_TOL, () -> "value " + r.value() + " vs reference " + ref.value() + ", error " + ev);
    double eg = gradEmbeddingsErr(r.gradEmbeddings(), ref, b.z());
    assertTrue(eg < DOUBLE_TOL, () -> "d/dz per-row relative error " + eg);
    if (cfg.kind().usesLogits()) {
      double eo = relErr(r.gradLogits(), ref.gradLogits());
      assertTrue(eo < DOUBLE_TOL, () -> "d/do per-row relative error " + eo);
    }
  }

  /** The batches are what the test claims: the negative mass far below the positive one. */
  @Test
  void batchesAreWellSeparated() {
    for (Batch b : List.of(SEPARATED, SEPARATED_WIDE)) {
      double[][] x = ReferenceLosses.normalize(b.z());
      double worstGap = Double.POSITIVE_INFINITY;
      for (int i = 0; i < b.m(); i++) {
        double minPos = Double.POSITIVE_INFINITY;
        double maxNeg = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < b.m(); j++) {
          if (j == i) {
            continue;
          }
          double dot = 0;
          for (int k = 0; k < x[i].length; k++) {
            dot += x[i][k] * x[j][k];
          }
          if (b.y()[j] == b.y()[i]) {
            minPos = Math.min(minPos, dot);
          } else {
            maxNeg = Math.max(maxNeg, dot);
          }
        }
        worstGap = Math.min(worstGap, minPos - maxNeg);
      }
      // At tau = 0.02 a gap of 0.5 puts every negative below e^-25 of every positive.
      double gap = worstGap;
      assertTrue(gap > 0.5, () -> b + ": smallest cosine gap between positives and negatives " + gap);
    }
  }
}

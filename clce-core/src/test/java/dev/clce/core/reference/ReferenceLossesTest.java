package dev.clce.core.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.reference.TestBatches.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sanity of the reference itself: its gradients against central finite differences of its own
 * value, and identities that follow from LOSSES.md.
 */
class ReferenceLossesTest {
  private static final double H = 1e-5;

  static Stream<Arguments> cases() {
    List<LossConfig> configs = new ArrayList<>();
    configs.add(LossConfig.builder(LossKind.CE).build());
    configs.add(LossConfig.builder(LossKind.SUPCON).build());
    configs.add(LossConfig.builder(LossKind.HSCL).build());
    configs.add(LossConfig.builder(LossKind.HSCL).optBeta(0).build());
    configs.add(LossConfig.builder(LossKind.CE_SUPCON).optLambda(0.6).build());
    for (Aggregation a : Aggregation.values()) {
      configs.add(LossConfig.builder(LossKind.CL).optAggregation(a).build());
      configs.add(LossConfig.builder(LossKind.LACLN).optAggregation(a).build());
      configs.add(LossConfig.builder(LossKind.CLCE).optAggregation(a).optLambda(0.6).build());
      configs.add(LossConfig.builder(LossKind.CE_CL).optAggregation(a).optLambda(0.6).build());
    }
    List<Batch> batches = List.of(TestBatches.twoViews(6, 4, 2, 61), TestBatches.withSingletons(7, 3, 3, 62),
        TestBatches.oneClass(4, 3, 63), TestBatches.duplicateRows(6, 3, 64));
    List<Arguments> out = new ArrayList<>();
    for (LossConfig c : configs) {
      for (Batch b : batches) {
        for (double tau : new double[] {0.1, 0.5}) {
          LossConfig ct = c.toBuilder().optTau(tau).build();
          out.add(Arguments.of(ct.toString(), ct, b));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} | {2}")
  @MethodSource("cases")
  void gradientMatchesCentralDifferences(String label, LossConfig cfg, Batch b) {
    ReferenceLosses.Result r = ReferenceLosses.compute(cfg, b.z(), b.y(), b.o());
    if (cfg.kind().usesEmbeddings()) {
      double[][] fd = finiteDifferences(cfg, b, true);
      double e = relErr(r.gradEmbeddings(), fd);
      assertTrue(e < 1e-6, () -> "d/dz vs finite differences: " + e);
    }
    if (cfg.kind().usesLogits()) {
      double[][] fd = finiteDifferences(cfg, b, false);
      double e = relErr(r.gradLogits(), fd);
      assertTrue(e < 1e-6, () -> "d/do vs finite differences: " + e);
    }
  }

  private static double[][] finiteDifferences(LossConfig cfg, Batch b, boolean embeddings) {
    double[][] a = embeddings ? b.z() : b.o();
    double[][] g = new double[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int k = 0; k < a[i].length; k++) {
        double keep = a[i][k];
        a[i][k] = keep + H;
        double up = ReferenceLosses.compute(cfg, b.z(), b.y(), b.o()).value();
        a[i][k] = keep - H;
        double down = ReferenceLosses.compute(cfg, b.z(), b.y(), b.o()).value();
        a[i][k] = keep;
        g[i][k] = (up - down) / (2 * H);
      }
    }
    return g;
  }

  private static double relErr(double[][] a, double[][] b) {
    double diff = 0;
    double scale = 1e-12;
    for (int i = 0; i < b.length; i++) {
      for (int k = 0; k < b[i].length; k++) {
        diff = Math.max(diff, Math.abs(a[i][k] - b[i][k]));
        scale = Math.max(scale, Math.abs(b[i][k]));
      }
    }
    return diff / scale;
  }

  @Test
  void crossEntropyOfTwoRowsByHand() {
    double[][] o = {{1.0, 2.0}, {0.5, -0.5}};
    int[] y = {1, 1};
    double l0 = Math.log(Math.exp(1) + Math.exp(2)) - 2;
    double l1 = Math.log(Math.exp(0.5) + Math.exp(-0.5)) + 0.5;
    ReferenceLosses.Result r = ReferenceLosses.compute(LossConfig.builder(LossKind.CE).build(), null, y, o);
    assertEquals((l0 + l1) / 2, r.value(), 1e-15);
    double p01 = Math.exp(2) / (Math.exp(1) + Math.exp(2));
    assertEquals((p01 - 1) / 2, r.gradLogits()[0][1], 1e-15);
  }

  @Test
  void meanOfLogClEqualsSupCon() {
    // With w = 1 the denominator S+ + W is sum_{j != i} e_ij, which is SupCon's.
    Batch b = TestBatches.withSingletons(9, 4, 3, 65);
    LossConfig cl = LossConfig.builder(LossKind.CL).optTau(0.3).optAggregation(Aggregation.MEAN_OF_LOG).build();
    LossConfig sup = LossConfig.builder(LossKind.SUPCON).optTau(0.3).build();
    ReferenceLosses.Result a = ReferenceLosses.compute(cl, b.z(), b.y(), b.o());
    ReferenceLosses.Result s = ReferenceLosses.compute(sup, b.z(), b.y(), b.o());
    assertEquals(s.value(), a.value(), 1e-12);
    assertTrue(relErr(a.gradEmbeddings(), s.gradEmbeddings()) < 1e-12);
  }

  @ParameterizedTest
  @EnumSource(Aggregation.class)
  void equallySimilarNegativesMakeLaclnEqualCl(Aggregation agg) {
    // Anchors 0 and 1 share a class; their negatives 2 and 3 lie symmetric to them, so every
    // negative of an anchor has the same similarity and all weights w_ik are 1.
    double[][] z = {{1, 0, 0}, {0.6, 0.8, 0}, {0, 0, 1}, {0, 0, -1}};
    int[] y = {0, 0, 1, 2};
    LossConfig lacln = LossConfig.builder(LossKind.LACLN).optTau(0.4).optAggregation(agg).build();
    LossConfig cl = LossConfig.builder(LossKind.CL).optTau(0.4).optAggregation(agg).build();
    assertEquals(ReferenceLosses.compute(cl, z, y, null).value(), ReferenceLosses.compute(lacln, z, y, null).value(), 1e-14);
  }

  @ParameterizedTest
  @EnumSource(Aggregation.class)
  void detachedWeightsChangeTheGradientNotTheValue(Aggregation agg) {
    Batch b = TestBatches.twoViews(8, 4, 3, 66);
    LossConfig full = LossConfig.builder(LossKind.LACLN).optTau(0.25).optAggregation(agg).build();
    LossConfig detached = full.toBuilder().optDetachWeights(true).build();
    ReferenceLosses.Result a = ReferenceLosses.compute(full, b.z(), b.y(), b.o());
    ReferenceLosses.Result d = ReferenceLosses.compute(detached, b.z(), b.y(), b.o());
    assertEquals(a.value(), d.value(), 1e-14);
    assertTrue(relErr(d.gradEmbeddings(), a.gradEmbeddings()) > 1e-3);
  }

  @Test
  void lambdaInterpolatesBetweenCrossEntropyAndLacln() {
    Batch b = TestBatches.twoViews(6, 3, 3, 67);
    LossConfig base = LossConfig.builder(LossKind.CLCE).optTau(0.5).build();
    double ce = ReferenceLosses.compute(LossConfig.builder(LossKind.CE).build(), b.z(), b.y(), b.o()).value();
    double lacln = ReferenceLosses.compute(LossConfig.builder(LossKind.LACLN).optTau(0.5).build(), b.z(), b.y(), b.o()).value();
    assertEquals(0.1 * ce + 0.9 * lacln, ReferenceLosses.compute(base, b.z(), b.y(), b.o()).value(), 1e-13);
  }

  @Test
  void combinationsAreTheWeightedSumOfTheirTerms() {
    Batch b = TestBatches.withSingletons(7, 3, 3, 68);
    double ce = ReferenceLosses.compute(LossConfig.builder(LossKind.CE).build(), b.z(), b.y(), b.o()).value();
    for (Aggregation a : Aggregation.values()) {
      double sup = ReferenceLosses.compute(LossConfig.builder(LossKind.SUPCON).optTau(0.3).build(), b.z(), b.y(), b.o())
          .value();
      double cl = ReferenceLosses.compute(LossConfig.builder(LossKind.CL).optTau(0.3).optAggregation(a).build(), b.z(),
          b.y(), b.o()).value();
      LossConfig ceSup = LossConfig.builder(LossKind.CE_SUPCON).optTau(0.3).optLambda(0.4).optAggregation(a).build();
      LossConfig ceCl = LossConfig.builder(LossKind.CE_CL).optTau(0.3).optLambda(0.4).optAggregation(a).build();
      assertEquals(0.6 * ce + 0.4 * sup, ReferenceLosses.compute(ceSup, b.z(), b.y(), b.o()).value(), 1e-13);
      assertEquals(0.6 * ce + 0.4 * cl, ReferenceLosses.compute(ceCl, b.z(), b.y(), b.o()).value(), 1e-13);
    }
  }
}

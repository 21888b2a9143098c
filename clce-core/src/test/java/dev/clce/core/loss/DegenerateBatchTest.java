package dev.clce.core.loss;

import static dev.clce.core.loss.LossTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.reference.ReferenceLosses;
import dev.clce.core.reference.TestBatches;
import dev.clce.core.reference.TestBatches.Batch;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batches at the edges: no positive, one class, M = 2, tau = 0.01, an all-zero row. The eager form
 * (closed-form gradients) and the SameDiff form (autodiff) run their own code, so the edges that the
 * other loss tests do not reach are checked on both.
 */
class DegenerateBatchTest {
  /** The two implementations. */
  enum Form {
    EAGER,
    SAMEDIFF;

    LossResult run(LossConfig cfg, Batch b, DataType dt) {
      return this == EAGER
          ? EagerLoss.compute(cfg, array(b.z(), dt), labels(b.y()), array(b.o(), dt))
          : runSameDiff(cfg, b, dt);
    }
  }

  private static Stream<Arguments> withForms(Stream<Arguments> cases) {
    return cases.flatMap(a -> Stream.of(Form.values()).map(f -> {
      Object[] in = a.get();
      Object[] out = java.util.Arrays.copyOf(in, in.length + 1);
      out[in.length] = f;
      return Arguments.of(out);
    }));
  }

  static Stream<Arguments> contrastiveVariantsBothTypes() {
    return withForms(variants().stream()
        .filter(v -> v.kind().usesEmbeddings())
        .flatMap(v -> Stream.of(DataType.DOUBLE, DataType.FLOAT).map(dt -> Arguments.of(describe(v), v, dt))));
  }

  @ParameterizedTest(name = "{0} | {2} | {3}")
  @MethodSource("contrastiveVariantsBothTypes")
  void noAnchorWithAPositiveGivesZeroLossAndZeroGradient(String label, LossConfig cfg, DataType dt, Form form) {
    Batch b = TestBatches.noPositive(5, 4, 51);
    LossResult r = form.run(cfg, b, dt);
    double contrastivePart = cfg.kind().usesLogits()
        ? r.value() - (1 - cfg.lambda()) * ReferenceLosses.compute(
            LossConfig.builder(LossKind.CE).build(), b.z(), b.y(), b.o()).value()
        : r.value();
    assertEquals(0.0, contrastivePart, dt == DataType.DOUBLE ? 1e-15 : 1e-6);
    assertEquals(0.0, r.gradEmbeddings().amaxNumber().doubleValue(), 0.0, "gradient w.r.t. z must be exactly 0");
  }

  static Stream<Arguments> oneClassCases() {
    return Stream.of(LossKind.LACLN, LossKind.CL)
        .flatMap(k -> Stream.of(Aggregation.values()).map(a -> Arguments.of(k, a)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("oneClassCases")
  void oneClassHasNoNegativesSoWIsZero(LossKind kind, Aggregation aggregation) {
    Batch b = TestBatches.oneClass(5, 4, 52);
    LossConfig cfg = LossConfig.builder(kind).optTau(0.3).optAggregation(aggregation).build();
    LossResult r = EagerLoss.compute(cfg, array(b.z(), DataType.DOUBLE), labels(b.y()), null);
    if (aggregation == Aggregation.LOG_OF_MEAN) {
      // W = 0: l_i = -log(S+ / (|P| S+)) = log |P| = log(M - 1) for every anchor; gradient 0.
      assertEquals(Math.log(4), r.value(), 1e-12);
      assertEquals(0.0, r.gradEmbeddings().amaxNumber().doubleValue(), 1e-12);
    }
    ReferenceLosses.Result ref = reference(cfg, b);
    assertTrue(relErr(r.value(), ref.value()) < DOUBLE_TOL);
    assertTrue(relErr(r.gradEmbeddings(), ref.gradEmbeddings()) < DOUBLE_TOL);
  }

  static Stream<Arguments> hsclZeroCases() {
    return Stream.of(TestBatches.oneClass(5, 4, 53), TestBatches.twoViews(2, 3, 1, 54))
        .flatMap(b -> Stream.of(DataType.DOUBLE, DataType.FLOAT).map(dt -> Arguments.of(b, dt)));
  }

  /** One class: no negatives, weighted mean 0. M = 2: the factor M - 2 is 0. */
  @ParameterizedTest(name = "{0} | {1}")
  @MethodSource("hsclZeroCases")
  void hsclWithOneClassOrTwoRowsIsZero(Batch b, DataType dt) {
    LossConfig cfg = LossConfig.builder(LossKind.HSCL).optTau(0.2).build();
    LossResult r = EagerLoss.compute(cfg, array(b.z(), dt), labels(b.y()), null);
    assertEquals(0.0, r.value(), 0.0);
    assertEquals(0.0, r.gradEmbeddings().amaxNumber().doubleValue(), 0.0);
  }

  static Stream<Arguments> allVariantsBothTypes() {
    return withForms(variants().stream()
        .flatMap(v -> Stream.of(DataType.DOUBLE, DataType.FLOAT).map(dt -> Arguments.of(describe(v), v, dt))));
  }

  /** tau = 0.01 on a random batch with an all-zero row: finite, and equal to the reference. */
  @ParameterizedTest(name = "{0} | {2} | {3}")
  @MethodSource("allVariantsBothTypes")
  void temperatureOneHundredthStaysFiniteAndAccurate(String label, LossConfig variant, DataType dt, Form form) {
    LossConfig cfg = withTau(variant, 0.01);
    Batch b = TestBatches.zeroRow(16, 6, 55);
    check(form, cfg, b, dt, dt == DataType.DOUBLE ? DOUBLE_TOL : FLOAT_TOL);
  }

  /**
   * tau = 0.01 on tight, well separated classes, in float: the positives' similarity 1/tau = 100
   * sits far above every negative, where exp of a single shift would underflow or overflow.
   */
  @ParameterizedTest(name = "{0} | {2} | {3}")
  @MethodSource("allVariantsBothTypes")
  void separatedClassesAtTemperatureOneHundredthStayFinite(String label, LossConfig variant, DataType dt, Form form) {
    LossConfig cfg = withTau(variant, 0.01);
    check(form, cfg, separated(), dt, dt == DataType.DOUBLE ? DOUBLE_TOL : FLOAT_TOL);
  }

  private static void check(Form form, LossConfig cfg, Batch b, DataType dt, double tol) {
    LossResult r = form.run(cfg, b, dt);
    assertTrue(Double.isFinite(r.value()), "value " + r.value());
    ReferenceLosses.Result ref = reference(cfg, b);
    assertTrue(relErr(r.value(), ref.value()) < tol, () -> r.value() + " vs reference " + ref.value());
    for (INDArray g : new INDArray[] {r.gradEmbeddings(), r.gradLogits()}) {
      if (g != null) {
        assertTrue(Double.isFinite(g.sumNumber().doubleValue()), "gradient not finite");
      }
    }
    if (r.gradEmbeddings() != null) {
      double e = relErr(r.gradEmbeddings(), ref.gradEmbeddings());
      assertTrue(e < tol, () -> "d/dz relative error " + e);
    }
    if (r.gradLogits() != null) {
      double e = relErr(r.gradLogits(), ref.gradLogits());
      assertTrue(e < tol, () -> "d/do relative error " + e);
    }
  }

  /** Four classes of three rows each; rows of a class within ~0.05 of a shared unit vector, classes orthogonal. */
  private static Batch separated() {
    Random r = new Random(56);
    int m = 12;
    int d = 4;
    double[][] z = new double[m][d];
    int[] y = new int[m];
    double[][] o = new double[m][4];
    for (int i = 0; i < m; i++) {
      y[i] = i % 4;
      z[i][y[i]] = 1.0;
      for (int k = 0; k < d; k++) {
        z[i][k] += 0.05 * r.nextGaussian();
        o[i][k] = r.nextGaussian();
      }
    }
    return new Batch("separated M=12", z, y, o);
  }
}

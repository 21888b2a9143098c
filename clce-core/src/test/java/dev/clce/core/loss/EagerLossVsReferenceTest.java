package dev.clce.core.loss;

import static dev.clce.core.loss.LossTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.reference.ReferenceLosses;
import dev.clce.core.reference.TestBatches;
import dev.clce.core.reference.TestBatches.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/** The eager form against the plain-loop reference: every loss and option, many batches and temperatures. */
class EagerLossVsReferenceTest {

  /**
   * Every variant on: a two-view batch and a batch with singleton classes at every temperature of
   * LOSSES.md, and the other shapes (M = 2, 3, 64, one class, no positive, duplicate rows, an
   * all-zero row) at one temperature each; in double, and in float on a subset (the float form
   * runs the same graph code as the double one).
   */
  static Stream<Arguments> cases() {
    double[] taus = {0.05, 0.1, 0.5, 1.0};
    Batch views = TestBatches.twoViews(16, 6, 4, 13);
    Batch singletons = TestBatches.withSingletons(9, 5, 4, 15);
    Batch zero = TestBatches.zeroRow(6, 4, 19);
    List<Object[]> shapes = List.of(
        new Object[] {TestBatches.twoViews(2, 3, 2, 11), 0.5},
        new Object[] {TestBatches.twoViews(3, 4, 2, 12), 0.1},
        new Object[] {TestBatches.twoViews(64, 8, 10, 14), 0.1},
        new Object[] {TestBatches.oneClass(5, 4, 16), 0.5},
        new Object[] {TestBatches.noPositive(4, 3, 17), 0.5},
        new Object[] {TestBatches.duplicateRows(8, 4, 18), 0.1},
        new Object[] {zero, 0.05});
    List<Arguments> out = new ArrayList<>();
    for (LossConfig v : variants()) {
      for (double tau : taus) {
        out.add(args(v, tau, views, DataType.DOUBLE));
        out.add(args(v, tau, singletons, DataType.DOUBLE));
      }
      for (Object[] s : shapes) {
        out.add(args(v, (Double) s[1], (Batch) s[0], DataType.DOUBLE));
      }
      // Float on two temperatures only (each new configuration and type builds a graph).
      out.add(args(v, 0.05, views, DataType.FLOAT));
      out.add(args(v, 0.5, views, DataType.FLOAT));
      out.add(args(v, 0.5, singletons, DataType.FLOAT));
      out.add(args(v, 0.5, zero, DataType.FLOAT));
    }
    return out.stream();
  }

  private static Arguments args(LossConfig v, double tau, Batch b, DataType dt) {
    LossConfig c = withTau(v, tau);
    return Arguments.of(describe(c), c, b, dt);
  }

  @ParameterizedTest(name = "{0} | {2} | {3}")
  @MethodSource("cases")
  void matchesReference(String label, LossConfig cfg, Batch b, DataType dt) {
    check(cfg, b, dt);
  }

  static Stream<Arguments> large() {
    Batch b = TestBatches.twoViews(512, 4, 20, 21);
    return variants().stream()
        .filter(v -> v.kind() != LossKind.CE && v.kind() != LossKind.CL)
        .filter(v -> !v.kind().usesLogits() || v.lambda() == LossConfig.DEFAULT_LAMBDA)
        .filter(v -> v.kind() != LossKind.HSCL || v.beta() == LossConfig.DEFAULT_BETA)
        .filter(v -> v.kind() != LossKind.LACLN || v.detachWeights() == (v.aggregation() == Aggregation.MEAN_OF_LOG))
        .flatMap(v -> Stream.of(DataType.DOUBLE, DataType.FLOAT).map(dt -> Arguments.of(describe(v), v, b, dt)));
  }

  @ParameterizedTest(name = "M=512 {0} | {3}")
  @MethodSource("large")
  void matchesReferenceAtM512(String label, LossConfig cfg, Batch b, DataType dt) {
    check(cfg, b, dt);
  }

  static void check(LossConfig cfg, Batch b, DataType dt) {
    double tol = dt == DataType.DOUBLE ? DOUBLE_TOL : FLOAT_TOL;
    LossResult r = EagerLoss.compute(cfg, array(b.z(), dt), labels(b.y()), array(b.o(), dt));
    ReferenceLosses.Result ref = reference(cfg, b);
    assertTrue(relErr(r.value(), ref.value()) < tol, () -> "value " + r.value() + " vs reference " + ref.value());
    if (cfg.kind().usesEmbeddings()) {
      assertTrue(r.gradEmbeddings().dataType() == dt, "gradient data type");
      double e = gradEmbeddingsErr(r.gradEmbeddings(), ref, b.z());
      assertTrue(e < tol, () -> "d/dz relative error " + e);
    } else {
      assertNull(r.gradEmbeddings());
    }
    if (cfg.kind().usesLogits()) {
      double e = relErr(r.gradLogits(), ref.gradLogits());
      assertTrue(e < tol, () -> "d/do relative error " + e);
    } else {
      assertNull(r.gradLogits());
    }
  }
}

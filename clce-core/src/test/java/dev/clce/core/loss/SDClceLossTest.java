package dev.clce.core.loss;

import static dev.clce.core.loss.LossTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.reference.ReferenceLosses;
import dev.clce.core.reference.TestBatches;
import dev.clce.core.reference.TestBatches.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The SameDiff form (fixed-shape graphs in the caller's style) against the reference, and against the eager form. */
class SDClceLossTest {
  private static final Batch VIEWS = TestBatches.twoViews(8, 5, 3, 31);
  private static final Batch SINGLETONS = TestBatches.withSingletons(7, 4, 3, 32);
  private static final Batch ZERO = TestBatches.zeroRow(6, 3, 33);
  private static final Batch DUPLICATES = TestBatches.duplicateRows(6, 3, 35);
  private static final Batch ONE_CLASS = TestBatches.oneClass(4, 3, 36);

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (LossConfig v : variants()) {
      out.add(args(withTau(v, 0.05), VIEWS, DataType.DOUBLE));
      out.add(args(withTau(v, 0.05), VIEWS, DataType.FLOAT));
      out.add(args(withTau(v, 0.5), SINGLETONS, DataType.DOUBLE));
      out.add(args(withTau(v, 1.0), ZERO, DataType.DOUBLE));
      out.add(args(withTau(v, 0.1), DUPLICATES, DataType.DOUBLE));
      out.add(args(withTau(v, 0.1), ONE_CLASS, DataType.DOUBLE));
    }
    return out.stream();
  }

  private static Arguments args(LossConfig c, Batch b, DataType dt) {
    return Arguments.of(describe(c), c, b, dt);
  }

  @ParameterizedTest(name = "{0} | {2} | {3}")
  @MethodSource("cases")
  void matchesReference(String label, LossConfig cfg, Batch b, DataType dt) {
    double tol = dt == DataType.DOUBLE ? DOUBLE_TOL : FLOAT_TOL;
    LossResult r = runSameDiff(cfg, b, dt);
    ReferenceLosses.Result ref = reference(cfg, b);
    assertTrue(relErr(r.value(), ref.value()) < tol, () -> "value " + r.value() + " vs reference " + ref.value());
    if (cfg.kind().usesEmbeddings()) {
      double e = gradEmbeddingsErr(r.gradEmbeddings(), ref, b.z());
      assertTrue(e < tol, () -> "d/dz relative error " + e);
    }
    if (cfg.kind().usesLogits()) {
      double e = relErr(r.gradLogits(), ref.gradLogits());
      assertTrue(e < tol, () -> "d/do relative error " + e);
    }
  }

  static Stream<Arguments> variantsAtTau01() {
    return variants().stream().map(v -> Arguments.of(describe(withTau(v, 0.1)), withTau(v, 0.1)));
  }

  /**
   * The two forms agree with each other to 1e-12 (the same function, computed two ways), and each
   * with the independent reference to 1e-9, row by row.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("variantsAtTau01")
  void eagerEqualsSameDiff(String label, LossConfig cfg) {
    LossResult sd = runSameDiff(cfg, SINGLETONS, DataType.DOUBLE);
    ReferenceLosses.Result ref = reference(cfg, SINGLETONS);
    assertTrue(relErr(sd.value(), ref.value()) < DOUBLE_TOL, () -> sd.value() + " vs reference " + ref.value());
    if (cfg.kind().usesEmbeddings()) {
      assertTrue(gradEmbeddingsErr(sd.gradEmbeddings(), ref, SINGLETONS.z()) < DOUBLE_TOL);
    }
    if (cfg.kind().usesLogits()) {
      assertTrue(relErr(sd.gradLogits(), ref.gradLogits()) < DOUBLE_TOL);
    }
    LossResult eager = EagerLoss.compute(cfg, array(SINGLETONS.z(), DataType.DOUBLE), labels(SINGLETONS.y()),
        array(SINGLETONS.o(), DataType.DOUBLE));
    assertTrue(relErr(eager.value(), sd.value()) < 1e-12, () -> eager.value() + " vs " + sd.value());
    if (cfg.kind().usesEmbeddings()) {
      assertTrue(relErr(eager.gradEmbeddings(), sd.gradEmbeddings()) < 1e-12);
    }
    if (cfg.kind().usesLogits()) {
      assertTrue(relErr(eager.gradLogits(), sd.gradLogits()) < 1e-12);
    }
  }

  /** The convenience methods against the reference, with the configuration they stand for. */
  static Stream<Arguments> conveniences() {
    double tau = 0.2;
    return Stream.of(
        Arguments.of("clce", LossConfig.builder(LossKind.CLCE).optTau(tau).optLambda(0.7).build(),
            (Conv) (l, v) -> l.clce("out", v[0], v[1], v[2], tau, 0.7)),
        Arguments.of("ceSupCon", LossConfig.builder(LossKind.CE_SUPCON).optTau(tau).optLambda(0.7).build(),
            (Conv) (l, v) -> l.ceSupCon("out", v[0], v[1], v[2], tau, 0.7)),
        Arguments.of("ceCl", LossConfig.builder(LossKind.CE_CL).optTau(tau).optLambda(0.7).build(),
            (Conv) (l, v) -> l.ceCl("out", v[0], v[1], v[2], tau, 0.7)),
        Arguments.of("lacln", LossConfig.builder(LossKind.LACLN).optTau(tau).build(),
            (Conv) (l, v) -> l.lacln("out", v[0], v[1], tau)),
        Arguments.of("cl", LossConfig.builder(LossKind.CL).optTau(tau).build(),
            (Conv) (l, v) -> l.cl("out", v[0], v[1], tau)),
        Arguments.of("supCon", LossConfig.builder(LossKind.SUPCON).optTau(tau).build(),
            (Conv) (l, v) -> l.supCon("out", v[0], v[1], tau)),
        Arguments.of("hscl", LossConfig.builder(LossKind.HSCL).optTau(tau).optBeta(1.5).build(),
            (Conv) (l, v) -> l.hscl("out", v[0], v[1], tau, 1.5)),
        Arguments.of("ce", LossConfig.builder(LossKind.CE).build(),
            (Conv) (l, v) -> l.ce("out", v[2], v[1])));
  }

  /** A convenience call on (embeddings, labels, logits). */
  interface Conv extends BiFunction<SDClceLoss, SDVariable[], SDVariable> {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("conveniences")
  void convenienceMethodsComputeTheirLoss(String label, LossConfig cfg, Conv call) {
    SameDiff sd = SameDiff.create();
    SDVariable z = sd.constant(array(VIEWS.z(), DataType.DOUBLE));
    SDVariable o = sd.constant(array(VIEWS.o(), DataType.DOUBLE));
    SDVariable y = sd.constant(labels(VIEWS.y()).castTo(DataType.INT64));
    SDVariable out = call.apply(SDClceLoss.of(sd), new SDVariable[] {z, y, o});
    assertEquals("out", out.name());
    double v = out.eval().getDouble(0);
    double ref = reference(cfg, VIEWS).value();
    assertTrue(relErr(v, ref) < DOUBLE_TOL, () -> v + " vs reference " + ref);
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"INT", "LONG", "SHORT", "UBYTE", "FLOAT", "DOUBLE"})
  void labelsOfAnyIntegerTypeGiveTheSameLoss(DataType labelType) {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.3).build();
    SameDiff sd = SameDiff.create();
    SDVariable z = sd.constant(array(VIEWS.z(), DataType.DOUBLE));
    SDVariable o = sd.constant(array(VIEWS.o(), DataType.DOUBLE));
    SDVariable y = sd.placeHolder(Y, labelType, -1);
    SDVariable out = SDClceLoss.of(sd).loss(LOSS, cfg, z, y, o);
    double v = sd.output(Map.of(Y, labels(VIEWS.y()).castTo(labelType)), LOSS).get(LOSS).getDouble(0);
    double ref = reference(cfg, VIEWS).value();
    assertEquals(LOSS, out.name());
    assertTrue(relErr(v, ref) < DOUBLE_TOL, () -> v + " vs reference " + ref);
  }

  @Test
  void dynamicBatchSizeReusesOneGraph() {
    LossConfig cfg = LossConfig.builder(LossKind.LACLN).optTau(0.2).build();
    SameDiff sd = SameDiff.create();
    SDVariable z = sd.placeHolder(Z, DataType.DOUBLE, -1, -1);
    SDVariable y = sd.placeHolder(Y, DataType.INT32, -1);
    SDClceLoss.of(sd).loss(LOSS, cfg, z, y, null);
    for (Batch b : List.of(VIEWS, SINGLETONS, TestBatches.twoViews(4, 7, 2, 34))) {
      double v = sd.output(Map.of(Z, array(b.z(), DataType.DOUBLE), Y, labels(b.y())), LOSS).get(LOSS).getDouble(0);
      double ref = reference(cfg, b).value();
      assertTrue(relErr(v, ref) < DOUBLE_TOL, () -> b + ": " + v + " vs reference " + ref);
    }
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
  void l2NormalizeMatchesTheReferenceAndKeepsAZeroRowAtZero(DataType dt) {
    SameDiff sd = SameDiff.create();
    INDArray x = SDClceLoss.of(sd).l2Normalize(sd.constant(array(ZERO.z(), dt))).eval();
    double[][] ref = ReferenceLosses.normalize(ZERO.z());
    assertEquals(dt, x.dataType());
    assertTrue(relErr(x, ref) < (dt == DataType.DOUBLE ? DOUBLE_TOL : FLOAT_TOL));
    assertEquals(0.0, x.getRow(1).norm2Number().doubleValue(), 0.0);
  }
}

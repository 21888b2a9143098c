package dev.clce.core.loss;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every "Bad input" rule of LOSSES.md through the Java API: refused, naming the argument and the value. */
class BadInputTest {
  private static final LossConfig CLCE = LossConfig.builder(LossKind.CLCE).build();
  private static final LossConfig LACLN = LossConfig.builder(LossKind.LACLN).build();
  private static final LossConfig CE = LossConfig.builder(LossKind.CE).build();
  private static final LossConfig CE_SUPCON = LossConfig.builder(LossKind.CE_SUPCON).build();
  private static final LossConfig CE_CL = LossConfig.builder(LossKind.CE_CL).build();

  private static INDArray z(int m) {
    return Nd4j.rand(DataType.DOUBLE, m, 3);
  }

  private static INDArray o(int m) {
    return Nd4j.rand(DataType.DOUBLE, m, 4);
  }

  private static INDArray y(long... v) {
    return Nd4j.createFromArray(v);
  }

  private static INDArray withValue(INDArray a, double v) {
    a.putScalar(1, 2, v);
    return a;
  }

  private static Arguments bad(String rule, String arg, String value, Executable call) {
    return Arguments.of(rule, arg, value, call);
  }

  static Stream<Arguments> eagerCases() {
    return Stream.of(
        bad("null config", "config", "null", () -> EagerLoss.compute(null, z(4), y(0, 0, 1, 1), o(4))),
        bad("M < 2", "embeddings", "M = 1", () -> EagerLoss.compute(CLCE, z(1), y(0), o(1))),
        bad("M < 2 (CE)", "logits", "M = 1", () -> EagerLoss.compute(CE, null, y(0), o(1))),
        bad("labels rows differ", "labels", "5", () -> EagerLoss.compute(LACLN, z(4), y(0, 0, 1, 1, 2), null)),
        bad("logits rows differ", "logits", "5", () -> EagerLoss.compute(CLCE, z(4), y(0, 0, 1, 1), o(5))),
        bad("label < 0", "labels", "-1", () -> EagerLoss.compute(LACLN, z(4), y(0, -1, 1, 1), null)),
        bad("label >= C", "labels", "4", () -> EagerLoss.compute(CLCE, z(4), y(0, 4, 1, 1), o(4))),
        bad("label >= C (CE)", "labels", "7", () -> EagerLoss.compute(CE, null, y(0, 7, 1, 1), o(4))),
        bad("NaN in z", "embeddings", "NaN", () -> EagerLoss.compute(CLCE, withValue(z(4), Double.NaN), y(0, 0, 1, 1), o(4))),
        bad("inf in z", "embeddings", "Infinity",
            () -> EagerLoss.compute(LACLN, withValue(z(4), Double.POSITIVE_INFINITY), y(0, 0, 1, 1), null)),
        bad("NaN in o", "logits", "NaN", () -> EagerLoss.compute(CLCE, z(4), y(0, 0, 1, 1), withValue(o(4), Double.NaN))),
        bad("-inf in o", "logits", "-Infinity",
            () -> EagerLoss.compute(CE, null, y(0, 0, 1, 1), withValue(o(4), Double.NEGATIVE_INFINITY))),
        bad("z rank 1", "embeddings", "[4]", () -> EagerLoss.compute(LACLN, Nd4j.rand(DataType.DOUBLE, 4), y(0, 0, 1, 1), null)),
        bad("z rank 3", "embeddings", "[4, 3, 2]",
            () -> EagerLoss.compute(LACLN, Nd4j.rand(DataType.DOUBLE, 4, 3, 2), y(0, 0, 1, 1), null)),
        bad("o rank 1", "logits", "[4]", () -> EagerLoss.compute(CE, null, y(0, 0, 1, 1), Nd4j.rand(DataType.DOUBLE, 4))),
        bad("labels rank 2", "labels", "[4, 1]",
            () -> EagerLoss.compute(LACLN, z(4), Nd4j.createFromArray(new long[][] {{0}, {0}, {1}, {1}}), null)),
        bad("non-integer labels", "labels", "1.5",
            () -> EagerLoss.compute(LACLN, z(4), Nd4j.createFromArray(0.0, 1.5, 1.0, 1.0), null)),
        bad("null labels", "labels", "null", () -> EagerLoss.compute(LACLN, z(4), null, null)),
        bad("null embeddings", "embeddings", "null", () -> EagerLoss.compute(CLCE, null, y(0, 0, 1, 1), o(4))),
        bad("null logits", "logits", "null", () -> EagerLoss.compute(CLCE, z(4), y(0, 0, 1, 1), null)),
        bad("ce+supcon null logits", "logits", "null", () -> EagerLoss.compute(CE_SUPCON, z(4), y(0, 0, 1, 1), null)),
        bad("ce+cl null embeddings", "embeddings", "null", () -> EagerLoss.compute(CE_CL, null, y(0, 0, 1, 1), o(4))),
        bad("ce+cl label >= C", "labels", "4", () -> EagerLoss.compute(CE_CL, z(4), y(0, 4, 1, 1), o(4))),
        bad("ce+supcon logits rows differ", "logits", "5",
            () -> EagerLoss.compute(CE_SUPCON, z(4), y(0, 0, 1, 1), o(5))),
        bad("integer embeddings", "embeddings", "INT",
            () -> EagerLoss.compute(LACLN, Nd4j.zeros(DataType.INT32, 4, 3), y(0, 0, 1, 1), null)),
        bad("mixed precision", "logits", "FLOAT",
            () -> EagerLoss.compute(CLCE, z(4), y(0, 0, 1, 1), o(4).castTo(DataType.FLOAT))),
        bad("no columns", "embeddings", "[4, 0]",
            () -> EagerLoss.compute(LACLN, Nd4j.create(DataType.DOUBLE, 4, 0), y(0, 0, 1, 1), null)),
        // M^2 would overflow the int index of a Java array: refused before anything is allocated.
        bad("M above the eager limit", "embeddings", "M = 46341",
            () -> EagerLoss.compute(LACLN, Nd4j.ones(DataType.FLOAT, EagerLoss.MAX_CONTRASTIVE_ROWS + 1, 1),
                Nd4j.zeros(DataType.INT64, EagerLoss.MAX_CONTRASTIVE_ROWS + 1), null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("eagerCases")
  void eagerFormRefuses(String rule, String arg, String value, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().startsWith(arg + ":"), () -> "message should start with '" + arg + ":': " + e.getMessage());
    assertTrue(e.getMessage().contains(value), () -> "message should show " + value + ": " + e.getMessage());
  }

  static Stream<Arguments> configCases() {
    return Stream.of(
        bad("tau 0", "tau", "0.0", () -> LossConfig.builder(LossKind.CLCE).optTau(0).build()),
        bad("tau < 0", "tau", "-1.0", () -> LossConfig.builder(LossKind.CLCE).optTau(-1).build()),
        bad("tau NaN", "tau", "NaN", () -> LossConfig.builder(LossKind.CLCE).optTau(Double.NaN).build()),
        bad("tau inf", "tau", "Infinity", () -> LossConfig.builder(LossKind.CLCE).optTau(Double.POSITIVE_INFINITY).build()),
        bad("lambda < 0", "lambda", "-0.1", () -> LossConfig.builder(LossKind.CLCE).optLambda(-0.1).build()),
        bad("lambda > 1", "lambda", "1.5", () -> LossConfig.builder(LossKind.CLCE).optLambda(1.5).build()),
        bad("lambda NaN", "lambda", "NaN", () -> LossConfig.builder(LossKind.CLCE).optLambda(Double.NaN).build()),
        bad("ce+supcon lambda > 1", "lambda", "1.5", () -> LossConfig.builder(LossKind.CE_SUPCON).optLambda(1.5).build()),
        bad("ce+cl lambda < 0", "lambda", "-0.1", () -> LossConfig.builder(LossKind.CE_CL).optLambda(-0.1).build()),
        bad("beta < 0", "beta", "-0.5", () -> LossConfig.builder(LossKind.HSCL).optBeta(-0.5).build()),
        bad("beta inf", "beta", "Infinity", () -> LossConfig.builder(LossKind.HSCL).optBeta(Double.POSITIVE_INFINITY).build()),
        bad("convenience tau", "tau", "-2.0",
            () -> SDClceLoss.of(SameDiff.create()).supCon("l", null, null, -2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configCases")
  void configurationRefuses(String rule, String arg, String value, Executable call) {
    eagerFormRefuses(rule, arg, value, call);
  }

  static Stream<Arguments> graphCases() {
    return Stream.of(
        bad("M < 2", "labels", "got 1", () -> build(LACLN, new long[] {1, 3}, new long[] {1}, null)),
        bad("M < 2 from embeddings", "embeddings", "got 1", () -> build(LACLN, new long[] {1, 3}, new long[] {-1}, null)),
        bad("rows differ", "labels", "5", () -> build(LACLN, new long[] {4, 3}, new long[] {5}, null)),
        bad("logits rows differ", "logits", "6", () -> build(CLCE, new long[] {4, 3}, new long[] {4}, new long[] {6, 2})),
        bad("z rank", "embeddings", "[4]", () -> build(LACLN, new long[] {4}, new long[] {4}, null)),
        bad("labels rank", "labels", "[4, 1]", () -> build(LACLN, new long[] {4, 3}, new long[] {4, 1}, null)),
        bad("logits rank", "logits", "[4, 2, 1]", () -> build(CE, null, new long[] {4}, new long[] {4, 2, 1})),
        bad("missing logits", "logits", "null", () -> build(CLCE, new long[] {4, 3}, new long[] {4}, null)),
        bad("ce+supcon missing logits", "logits", "null", () -> build(CE_SUPCON, new long[] {4, 3}, new long[] {4}, null)),
        bad("ce+cl missing embeddings", "embeddings", "null", () -> build(CE_CL, null, new long[] {4}, new long[] {4, 2})),
        bad("ce+cl logits rows differ", "logits", "6", () -> build(CE_CL, new long[] {4, 3}, new long[] {4}, new long[] {6, 2})),
        bad("missing embeddings", "embeddings", "null", () -> build(LACLN, null, new long[] {4}, null)),
        bad("missing labels", "labels", "null", () -> build(LACLN, new long[] {4, 3}, null, null)),
        bad("null config", "config", "null", () -> SDClceLoss.of(SameDiff.create()).loss("l", null, null, null, null)),
        bad("null graph", "sd", "null", () -> SDClceLoss.of(null)));
  }

  private static SDVariable build(LossConfig cfg, long[] zShape, long[] yShape, long[] oShape) {
    SameDiff sd = SameDiff.create();
    SDVariable z = zShape == null ? null : sd.placeHolder("z", DataType.DOUBLE, zShape);
    SDVariable y = yShape == null ? null : sd.placeHolder("y", DataType.INT32, yShape);
    SDVariable o = oShape == null ? null : sd.placeHolder("o", DataType.DOUBLE, oShape);
    return SDClceLoss.of(sd).loss("l", cfg, z, y, o);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("graphCases")
  void sameDiffFormRefusesShapesKnownAtBuildTime(String rule, String arg, String value, Executable call) {
    eagerFormRefuses(rule, arg, value, call);
  }

  static Stream<Arguments> dataCases() {
    return Stream.of(
        Arguments.of("NaN in z", "embeddings", LossInputException.Rule.NON_FINITE,
            (Executable) () -> EagerLoss.compute(CLCE, withValue(z(4), Double.NaN), y(0, 0, 1, 1), o(4))),
        Arguments.of("-inf in o", "logits", LossInputException.Rule.NON_FINITE,
            (Executable) () -> EagerLoss.compute(CE, null, y(0, 0, 1, 1), withValue(o(4), Double.NEGATIVE_INFINITY))),
        Arguments.of("label >= C", "labels", LossInputException.Rule.LABEL,
            (Executable) () -> EagerLoss.compute(CLCE, z(4), y(0, 4, 1, 1), o(4))),
        Arguments.of("non-integer labels", "labels", LossInputException.Rule.LABEL,
            (Executable) () -> EagerLoss.compute(LACLN, z(4), Nd4j.createFromArray(0.0, 1.5, 1.0, 1.0), null)),
        Arguments.of("M < 2", "embeddings", LossInputException.Rule.BATCH_SIZE,
            (Executable) () -> EagerLoss.compute(CLCE, z(1), y(0), o(1))),
        Arguments.of("logits rows differ", "logits", LossInputException.Rule.ROW_COUNT,
            (Executable) () -> EagerLoss.compute(CLCE, z(4), y(0, 0, 1, 1), o(5))),
        Arguments.of("labels rank 2", "labels", LossInputException.Rule.SHAPE,
            (Executable) () -> EagerLoss.compute(LACLN, z(4), Nd4j.createFromArray(new long[][] {{0}, {0}, {1}, {1}}), null)),
        Arguments.of("integer embeddings", "embeddings", LossInputException.Rule.DATA_TYPE,
            (Executable) () -> EagerLoss.compute(LACLN, Nd4j.zeros(DataType.INT32, 4, 3), y(0, 0, 1, 1), null)),
        Arguments.of("null logits", "logits", LossInputException.Rule.MISSING,
            (Executable) () -> EagerLoss.compute(CLCE, z(4), y(0, 0, 1, 1), null)));
  }

  /** Refusals of a call's data have their own type, naming the argument and the rule (not read from the message). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dataCases")
  void dataRefusalsAreLossInputExceptions(String rule, String arg, LossInputException.Rule expected, Executable call) {
    LossInputException e = assertThrows(LossInputException.class, call);
    assertEquals(arg, e.argument());
    assertEquals(expected, e.rule());
    assertTrue(e.getMessage().startsWith(arg + ": "), e.getMessage());
  }

  /** A bad configuration, a graph built wrong or the eager size limit is a program's error: a plain IllegalArgumentException. */
  @Test
  void configurationAndBuildRefusalsAreNotLossInputExceptions() {
    for (Executable call : new Executable[] {
        () -> EagerLoss.compute(null, z(4), y(0, 0, 1, 1), o(4)),
        () -> LossConfig.builder(LossKind.CLCE).optTau(0).build(),
        () -> build(LACLN, new long[] {1, 3}, new long[] {1}, null),
        () -> EagerLoss.compute(LACLN, Nd4j.ones(DataType.FLOAT, EagerLoss.MAX_CONTRASTIVE_ROWS + 1, 1),
            Nd4j.zeros(DataType.INT64, EagerLoss.MAX_CONTRASTIVE_ROWS + 1), null)}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
      assertFalse(e instanceof LossInputException, e.getMessage());
    }
  }

  @Test
  void checkingCanBeTurnedOffAndUnusedInputsAreIgnored() {
    LossConfig unchecked = LACLN.toBuilder().optCheckInputs(false).build();
    LossResult r = EagerLoss.compute(unchecked, withValue(z(4), Double.NaN), y(0, 0, 1, 1), null);
    assertTrue(Double.isNaN(r.value()));
    // Logits are not read by LACLN: a label beyond their width, or missing logits, is fine.
    assertDoesNotThrow(() -> EagerLoss.compute(LACLN, z(4), y(0, 0, 9, 9), o(4)));
    // Whole-valued floating labels are accepted.
    assertDoesNotThrow(() -> EagerLoss.compute(LACLN, z(4), Nd4j.createFromArray(0f, 0f, 1f, 1f), null));
  }
}

package dev.clce.core.gradcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.factory.Nd4j;

/** The gradient-check helper on small graphs with known right and known wrong gradients. */
class GradientCheckTest {

  private static final String X = "x";
  private static final String Y = "y";
  private static final String W1 = "w1";
  private static final String B1 = "b1";
  private static final String W2 = "w2";
  private static final String B2 = "b2";
  private static final String LOSS = "loss";
  private static final String C = "c";
  private static final String T = "t";
  private static final int BATCH = 5;
  private static final int IN = 3;
  private static final int HIDDEN = 4;
  private static final int CLASSES = 3;

  /**
   * A tanh MLP with a mean softmax cross-entropy written from primitives over one-hot INT32 labels:
   * {@code mean(m + log(sum(exp(o - m))) - sum(onehot * o))}, all in {@code dt}.
   */
  private static SameDiff mlp(DataType dt) {
    Nd4j.getRandom().setSeed(7);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder(X, dt, -1, IN);
    SDVariable y = sd.placeHolder(Y, DataType.INT32, -1);
    SDVariable logits = logits(sd, x, dt);
    SDVariable oneHot = sd.oneHot(y, CLASSES, -1, 1.0, 0.0, dt);
    SDVariable m = logits.max(true, 1);
    SDVariable lse = sd.math.log(sd.math.exp(logits.sub(m)).sum(true, 1)).add(m);
    SDVariable picked = oneHot.mul(logits).sum(true, 1);
    sd.setLossVariables(lse.sub(picked).mean(LOSS));
    return sd;
  }

  private static SDVariable logits(SameDiff sd, SDVariable x, DataType dt) {
    SDVariable w1 = sd.var(W1, Nd4j.randn(dt, IN, HIDDEN));
    SDVariable b1 = sd.var(B1, Nd4j.randn(dt, 1, HIDDEN).muli(0.1));
    SDVariable w2 = sd.var(W2, Nd4j.randn(dt, HIDDEN, CLASSES));
    SDVariable b2 = sd.var(B2, Nd4j.randn(dt, 1, CLASSES).muli(0.1));
    SDVariable h = sd.math.tanh(x.mmul(w1).add(b1));
    return h.mmul(w2).add(b2);
  }

  /** The same MLP in FLOAT with a squared error against a FLOAT target: no op with a fixed type. */
  private static SameDiff floatMlpSquaredError() {
    Nd4j.getRandom().setSeed(7);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder(X, DataType.FLOAT, -1, IN);
    SDVariable t = sd.placeHolder(T, DataType.FLOAT, -1, CLASSES);
    SDVariable d = logits(sd, x, DataType.FLOAT).sub(t);
    sd.setLossVariables(d.mul(d).mean(LOSS));
    return sd;
  }

  private static Map<String, INDArray> mlpInputs(DataType dt) {
    Nd4j.getRandom().setSeed(11);
    return Map.of(
        X, Nd4j.randn(dt, BATCH, IN),
        Y, Nd4j.createFromArray(0, 2, 1, 1, 0));
  }

  @Test
  void passesOnMlpWithSoftmaxCrossEntropyAndInt32Labels() {
    SameDiff sd = mlp(DataType.DOUBLE);
    Map<String, INDArray> ph = mlpInputs(DataType.DOUBLE);
    INDArray w1 = sd.getArrForVarName(W1);
    INDArray w1Before = w1.dup();
    INDArray xBefore = ph.get(X).dup();
    GradientCheckReport r = GradientCheck.builder(sd)
        .setLoss(LOSS)
        .setVariables(W1, B1, W2, B2, X)
        .optPlaceholders(ph)
        .build()
        .run();

    assertTrue(r.passed(), r::toString);
    long expected = IN * HIDDEN + HIDDEN + HIDDEN * CLASSES + CLASSES + BATCH * IN;
    assertEquals(expected, r.checkedCount());
    assertEquals(BATCH * IN, r.checkedPerVariable().get(X));
    assertTrue(r.variablesWithoutGradient().isEmpty());
    assertEquals(DataType.INT32, ph.get(Y).dataType());
    // The entries were perturbed on copies: the caller's arrays are bit-for-bit what they were.
    assertSame(w1, sd.getArrForVarName(W1));
    assertEquals(0.0, w1.sub(w1Before).amaxNumber().doubleValue(), 0.0);
    assertEquals(0.0, ph.get(X).sub(xBefore).amaxNumber().doubleValue(), 0.0);
  }

  @Test
  void runsAFloatGraphInDoubleAndRestoresIt() {
    SameDiff sd = floatMlpSquaredError();
    Nd4j.getRandom().setSeed(13);
    Map<String, INDArray> ph = Map.of(
        X, Nd4j.randn(DataType.FLOAT, BATCH, IN), T, Nd4j.randn(DataType.FLOAT, BATCH, CLASSES));
    INDArray xBefore = ph.get(X).dup();
    INDArray w1Array = sd.getArrForVarName(W1);
    INDArray w1Before = w1Array.dup();
    INDArray lossBefore = sd.output(ph, LOSS).get(LOSS).dup();
    INDArray gradBefore = sd.calculateGradients(ph, W1).get(W1).dup();

    GradientCheckReport r = GradientCheck.builder(sd)
        .setLoss(LOSS)
        .setVariables(W1, B2, X)
        .optPlaceholders(ph)
        .build()
        .run();

    assertTrue(r.passed(), r::toString);
    // In float a 1e-6 step could not get within 1e-6 relative error: the check ran in double.
    assertTrue(r.worstRelativeError() < 1e-6, r::toString);
    assertEquals(lossBefore.getDouble(0), r.lossValue(), 1e-6 * Math.abs(r.lossValue()));
    // The caller's graph is back in FLOAT with its own arrays, and still runs and differentiates.
    assertEquals(DataType.FLOAT, sd.getVariable(W1).dataType());
    assertEquals(DataType.FLOAT, sd.getVariable(LOSS).dataType());
    assertSame(w1Array, sd.getArrForVarName(W1));
    assertEquals(w1Before, sd.getArrForVarName(W1));
    assertEquals(xBefore, ph.get(X));
    assertEquals(List.of(LOSS), sd.getLossVariables());
    INDArray lossAfter = sd.output(ph, LOSS).get(LOSS);
    assertEquals(DataType.FLOAT, lossAfter.dataType());
    assertEquals(lossBefore, lossAfter);
    assertEquals(gradBefore, sd.calculateGradients(ph, W1).get(W1));
  }

  /**
   * ND4J 1.0.0-M2.1's {@code sparseSoftmaxCrossEntropy} backward ignores the incoming gradient
   * (SparseSoftmaxCrossEntropyLossWithLogits.doDiff), so the mean of it gets the gradient of the
   * sum: BATCH times too large. The check finds it. (If a later ND4J fixes the op, this test says so.)
   */
  @Test
  void findsTheSparseSoftmaxCrossEntropyBackwardBugOfM21() {
    Nd4j.getRandom().setSeed(7);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder(X, DataType.DOUBLE, -1, IN);
    SDVariable y = sd.placeHolder(Y, DataType.INT32, -1);
    SDVariable perExample = sd.loss.sparseSoftmaxCrossEntropy(logits(sd, x, DataType.DOUBLE), y);
    sd.setLossVariables(perExample.mean(LOSS));

    GradientCheckReport r = GradientCheck.builder(sd)
        .setLoss(LOSS)
        .setVariables(B2)
        .optPlaceholders(mlpInputs(DataType.DOUBLE))
        .build()
        .run();

    assertFalse(r.passed(), r::toString);
    GradientCheckReport.Entry e = r.worst().orElseThrow();
    assertEquals(B2, e.variable());
    assertEquals(BATCH, e.analytic() / e.numeric(), 1e-6);
  }

  @Test
  void lossValueMatchesAPlainLoopCrossEntropy() {
    SameDiff sd = mlp(DataType.DOUBLE);
    Map<String, INDArray> ph = mlpInputs(DataType.DOUBLE);
    GradientCheckReport r = GradientCheck.builder(sd).setLoss(LOSS).setVariables(B2).optPlaceholders(ph).build().run();

    double[][] x = ph.get(X).castTo(DataType.DOUBLE).toDoubleMatrix();
    int[] y = ph.get(Y).toIntVector();
    double[][] w1 = sd.getArrForVarName(W1).castTo(DataType.DOUBLE).toDoubleMatrix();
    double[] b1 = sd.getArrForVarName(B1).castTo(DataType.DOUBLE).toDoubleVector();
    double[][] w2 = sd.getArrForVarName(W2).castTo(DataType.DOUBLE).toDoubleMatrix();
    double[] b2 = sd.getArrForVarName(B2).castTo(DataType.DOUBLE).toDoubleVector();
    double total = 0;
    for (int i = 0; i < BATCH; i++) {
      double[] h = new double[HIDDEN];
      for (int j = 0; j < HIDDEN; j++) {
        double s = b1[j];
        for (int k = 0; k < IN; k++) {
          s += x[i][k] * w1[k][j];
        }
        h[j] = Math.tanh(s);
      }
      double[] o = new double[CLASSES];
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < CLASSES; c++) {
        o[c] = b2[c];
        for (int j = 0; j < HIDDEN; j++) {
          o[c] += h[j] * w2[j][c];
        }
        max = Math.max(max, o[c]);
      }
      double z = 0;
      for (int c = 0; c < CLASSES; c++) {
        z += Math.exp(o[c] - max);
      }
      total += max + Math.log(z) - o[y[i]];
    }
    assertEquals(total / BATCH, r.lossValue(), 1e-12);
  }

  /** loss = sum(y^2) + sum(stopGradient(y) * c) with y = x w: d/dw misses x^T c, d/dc is right. */
  private static SameDiff wrongGradientGraph() {
    Nd4j.getRandom().setSeed(3);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder(X, DataType.DOUBLE, -1, IN);
    SDVariable w = sd.var(W1, Nd4j.randn(DataType.DOUBLE, IN, 2));
    SDVariable c = sd.var(C, Nd4j.randn(DataType.DOUBLE, BATCH, 2));
    SDVariable y = x.mmul(w);
    SDVariable stopped = new StopGradient(sd, y).outputVariable();
    y.mul(y).sum().add(stopped.mul(c).sum()).rename(LOSS);
    return sd;
  }

  @Test
  void failsAndPointsAtTheVariableWithTheWrongGradient() {
    SameDiff sd = wrongGradientGraph();
    Nd4j.getRandom().setSeed(5);
    GradientCheckReport r = GradientCheck.builder(sd)
        .setLoss(LOSS)
        .setVariables(C, W1)
        .optPlaceholders(Map.of(X, Nd4j.randn(DataType.DOUBLE, BATCH, IN)))
        .optMaxReportedFailures(4)
        .build()
        .run();

    assertFalse(r.passed());
    assertEquals(BATCH * 2 + IN * 2, r.checkedCount());
    assertEquals(IN * 2, r.failedCount(), r::toString);
    assertEquals(Map.of(W1, (long) IN * 2), r.failedPerVariable());
    assertEquals(W1, r.worst().orElseThrow().variable());
    assertEquals(4, r.failures().size());
    assertTrue(r.failures().stream().allMatch(e -> e.variable().equals(W1) && e.failed()));
    assertTrue(r.worstRelativeError() > 1e-3, r::toString);
    String text = r.toString();
    assertTrue(text.contains("FAILED") && text.contains(W1 + "["), text);
  }

  @Test
  void zeroAnalyticGradientAgainstNonZeroNumericFails() {
    // loss = sum(stopGradient(w)^2): SameDiff builds no gradient for w at all.
    SameDiff sd = SameDiff.create();
    SDVariable w = sd.var(W1, Nd4j.createFromArray(1.0, -2.0, 0.5));
    SDVariable s = new StopGradient(sd, w).outputVariable();
    s.mul(s).sum().rename(LOSS);
    GradientCheckReport r = GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1).build().run();
    assertFalse(r.passed(), r::toString);
    assertEquals(3, r.failedCount());
    assertEquals(W1, r.worst().orElseThrow().variable());
    GradientCheckReport.Entry second = r.failures().get(1);
    assertEquals(0.0, second.analytic(), 0.0);
    assertEquals(2 * -2.0, second.numeric(), 1e-6);
    assertEquals(1.0, second.relativeError(), 1e-12);
  }

  @Test
  void maxPerVariableChecksASeededSubset() {
    SameDiff sd = mlp(DataType.DOUBLE);
    GradientCheckReport r = GradientCheck.builder(sd)
        .setLoss(LOSS)
        .setVariables(W1, W2)
        .optPlaceholders(mlpInputs(DataType.DOUBLE))
        .optMaxPerVariable(3)
        .optSeed(99)
        .build()
        .run();
    assertTrue(r.passed(), r::toString);
    assertEquals(Map.of(W1, 3L, W2, 3L), r.checkedPerVariable());
  }

  @Test
  void refusesBadSettingsWithTheArgumentName() {
    SameDiff sd = mlp(DataType.DOUBLE);
    Map<String, INDArray> ph = mlpInputs(DataType.DOUBLE);
    assertMessage("loss:", () -> GradientCheck.builder(sd).setVariables(W1).optPlaceholders(ph).build());
    assertMessage("loss: no variable 'nope'",
        () -> GradientCheck.builder(sd).setLoss("nope").setVariables(W1).optPlaceholders(ph).build());
    assertMessage("variables: no variable 'w9'",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1, "w9").optPlaceholders(ph).build());
    assertMessage("variables: name at least one",
        () -> GradientCheck.builder(sd).setLoss(LOSS).optPlaceholders(ph).build());
    assertMessage("variables: '" + Y + "' has type INT",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(Y).optPlaceholders(ph).build());
    assertMessage("placeholders: no value for placeholder '" + Y + "'",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1).optPlaceholders(Map.of(X, ph.get(X))).build());
    assertMessage("placeholders: no placeholder 'q'",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1)
            .optPlaceholders(Map.of(X, ph.get(X), Y, ph.get(Y), "q", ph.get(X))).build());
    assertMessage("placeholders: '" + Y + "' is declared INT but its value is FLOAT",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1)
            .optPlaceholders(Map.of(X, ph.get(X), Y, ph.get(Y).castTo(DataType.FLOAT))).build());
    assertMessage("epsilon: must be finite and in (0, 0.1], got -1.0",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1).optPlaceholders(ph).optEpsilon(-1).build());
    assertMessage("maxRelativeError:",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1).optPlaceholders(ph).optMaxRelativeError(0).build());
    assertMessage("minAbsoluteError:",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1).optPlaceholders(ph)
            .optMinAbsoluteError(Double.NaN).build());
    assertMessage("maxPerVariable:",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1).optPlaceholders(ph).optMaxPerVariable(0).build());
    assertMessage("sd:", () -> GradientCheck.builder(null));
  }

  @Test
  void refusesANonScalarLossAndAVariableThatDoesNotFeedIt() {
    SameDiff sd = SameDiff.create();
    SDVariable w = sd.var(W1, Nd4j.createFromArray(1.0, 2.0));
    sd.var(C, Nd4j.createFromArray(3.0));
    w.mul(2.0).rename(LOSS);
    assertMessage("loss: '" + LOSS + "' must be a scalar",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1).build().run());
    assertMessage("variables: '" + C + "' does not feed the loss",
        () -> GradientCheck.builder(sd).setLoss(LOSS).setVariables(W1, C).build());
  }

  private static void assertMessage(String prefix, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().startsWith(prefix), () -> "expected '" + prefix + "...', got: " + e.getMessage());
  }
}

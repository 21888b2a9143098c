package dev.clce.core.gradcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.reference.ReferenceLosses;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import dev.clce.core.loss.SDClceLoss;

/**
 * The gradient-check helper on every loss of {@link SDClceLoss}, built as a user would: FLOAT
 * placeholders for embeddings and logits, INT32 labels.
 */
class GradientCheckClceLossTest {
  private static final String Z = "z";
  private static final String Y = "y";
  private static final String O = "o";
  private static final String LOSS = "loss";
  private static final int M = 8;
  private static final int D = 3;
  private static final int C = 3;
  /** Two views of four images; class 2 has a single image, class 0 two, class 1 one. */
  private static final int[] LABELS = {0, 1, 0, 2, 0, 1, 0, 2};

  private static SameDiff graph(LossConfig cfg) {
    SameDiff sd = SameDiff.create();
    SDVariable z = cfg.kind().usesEmbeddings() ? sd.placeHolder(Z, DataType.FLOAT, -1, D) : null;
    SDVariable o = cfg.kind().usesLogits() ? sd.placeHolder(O, DataType.FLOAT, -1, C) : null;
    SDVariable y = sd.placeHolder(Y, DataType.INT32, -1);
    SDClceLoss.of(sd).loss(LOSS, cfg, z, y, o).markAsLoss();
    return sd;
  }

  private static Map<String, INDArray> inputs(LossConfig cfg, long seed) {
    Nd4j.getRandom().setSeed(seed);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(Y, Nd4j.createFromArray(LABELS));
    if (cfg.kind().usesEmbeddings()) {
      ph.put(Z, Nd4j.randn(DataType.FLOAT, M, D));
    }
    if (cfg.kind().usesLogits()) {
      ph.put(O, Nd4j.randn(DataType.FLOAT, M, C));
    }
    return ph;
  }

  private static String[] checked(LossConfig cfg) {
    if (cfg.kind().usesEmbeddings() && cfg.kind().usesLogits()) {
      return new String[] {Z, O};
    }
    return new String[] {cfg.kind().usesEmbeddings() ? Z : O};
  }

  @ParameterizedTest
  @EnumSource(LossKind.class)
  void everyLossPasses(LossKind kind) {
    LossConfig cfg = LossConfig.builder(kind).optTau(0.5).optLambda(0.6).build();
    Map<String, INDArray> ph = inputs(cfg, 17);
    GradientCheckReport r = GradientCheck.builder(graph(cfg))
        .setLoss(LOSS)
        .setVariables(checked(cfg))
        .optPlaceholders(ph)
        .optMaxPerVariable(10)
        .build()
        .run();
    assertTrue(r.passed(), r::toString);
    assertEquals(10L * checked(cfg).length, r.checkedCount());

    // The value it checked at is the plain-loop reference's loss on the same inputs. Not to 1e-9:
    // a graph built in FLOAT keeps its build-time constants (lambda = 0.6 and the like) rounded to
    // float, so the double run evaluates a function that differs from the exact one at ~1e-8.
    double[][] z = ph.containsKey(Z) ? ph.get(Z).castTo(DataType.DOUBLE).toDoubleMatrix() : null;
    double[][] o = ph.containsKey(O) ? ph.get(O).castTo(DataType.DOUBLE).toDoubleMatrix() : null;
    double expected = ReferenceLosses.compute(cfg, z, LABELS, o).value();
    assertEquals(expected, r.lossValue(), 1e-6 * Math.abs(expected));
  }

  @Test
  void floatLossGraphIsRestoredAfterTheCheck() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.1).build();
    SameDiff sd = graph(cfg);
    Map<String, INDArray> ph = inputs(cfg, 23);
    sd.createGradFunction(Z);
    INDArray before = sd.output(ph, LOSS).get(LOSS).dup();
    INDArray gradBefore = sd.calculateGradients(ph, Z).get(Z).dup();
    GradientCheckReport r = GradientCheck.builder(sd)
        .setLoss(LOSS).setVariables(Z).optPlaceholders(ph).optMaxPerVariable(4).build().run();
    assertTrue(r.passed(), r::toString);
    INDArray after = sd.output(ph, LOSS).get(LOSS);
    assertEquals(DataType.FLOAT, after.dataType());
    assertEquals(before, after);
    assertEquals(gradBefore, sd.calculateGradients(ph, Z).get(Z));
  }

  @Test
  void meanOfLogPasses() {
    LossConfig cfg = LossConfig.builder(LossKind.LACLN).optTau(0.1).optAggregation(Aggregation.MEAN_OF_LOG).build();
    GradientCheckReport r = GradientCheck.builder(graph(cfg))
        .setLoss(LOSS).setVariables(Z).optPlaceholders(inputs(cfg, 3)).optMaxPerVariable(10).build().run();
    assertTrue(r.passed(), r::toString);
    assertEquals(10, r.checkedCount());
  }

  /** Detached hard-negative weights are not the gradient of the function: the check must say so. */
  @Test
  void detachedWeightsFailAndPointAtTheEmbeddings() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optDetachWeights(true).build();
    GradientCheckReport r = GradientCheck.builder(graph(cfg))
        .setLoss(LOSS).setVariables(O, Z).optPlaceholders(inputs(cfg, 5)).optMaxPerVariable(10).build().run();
    assertFalse(r.passed(), r::toString);
    assertEquals(Z, r.worst().orElseThrow().variable());
    assertFalse(r.failedPerVariable().containsKey(O), r::toString);
  }
}

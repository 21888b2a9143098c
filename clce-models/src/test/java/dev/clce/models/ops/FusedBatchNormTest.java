package dev.clce.models.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.testing.DoubleDefaults;
import dev.clce.models.layers.BatchNorm2d;
import dev.clce.models.layers.GraphContext;
import dev.clce.models.layers.NormKernel;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link FusedBatchNorm} in a SameDiff graph: inference-mode values and gradients against a plain
 * double loop; the batch statistics not differentiated; a saved graph that loads and trains; bad
 * input. (Training-mode values and gradients are checked against PyTorch by
 * {@code BatchNormTrainingGradientTest}.)
 */
@ExtendWith(DoubleDefaults.class)
class FusedBatchNormTest {
  private static final String X = "x";
  private static final String FLAG = "training";
  private static final String BN = "bn";
  private static final String GAMMA = BN + ".weight";
  private static final String BETA = BN + ".bias";
  private static final int N = 3;
  private static final int C = 4;
  private static final int H = 2;
  private static final int W = 3;

  /** A graph with one BatchNorm2d and the loss sum(y * g) for a fixed g. */
  private static SameDiff graph(BatchNorm2d bn, INDArray g) {
    SameDiff sd = SameDiff.create();
    SDVariable y;
    try (GraphContext ctx = new GraphContext(sd, DataType.DOUBLE, 1, FLAG, NormKernel.NATIVE)) {
      SDVariable x = sd.placeHolder(X, DataType.DOUBLE, N, C, H, W);
      y = bn.forward(ctx, x);
    }
    y.mul(sd.constant(g)).sum().markAsLoss();
    return sd;
  }

  private static INDArray det(long seed, long... shape) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.randn(DataType.DOUBLE, shape);
  }

  @Test
  void inferenceModeUsesTheRunningStatisticsAsConstants() {
    INDArray x = det(1, N, C, H, W).muli(2).addi(0.5);
    INDArray g = det(2, N, C, H, W);
    double[] gamma = {0.5, 1.5, -0.7, 2.0};
    double[] beta = {0.1, -0.2, 0.3, 0.0};
    double[] rm = {0.2, -1.0, 0.0, 3.0};
    double[] rv = {0.5, 2.0, 1e-4, 9.0};
    BatchNorm2d bn = new BatchNorm2d(BN, C, H * W);
    SameDiff sd = graph(bn, g);
    sd.getArrForVarName(GAMMA).assign(Nd4j.createFromArray(gamma));
    sd.getArrForVarName(BETA).assign(Nd4j.createFromArray(beta));
    sd.getArrForVarName(bn.runningMeanName()).assign(Nd4j.createFromArray(rm));
    sd.getArrForVarName(bn.runningVarName()).assign(Nd4j.createFromArray(rv));
    sd.getArrForVarName(FLAG).assign(0.0);
    assertEquals(1, FusedBatchNorm.useBatchStatistics(sd, false), "the op is rewired to the running statistics");
    Map<String, INDArray> ph = Map.of(X, x);
    Map<String, INDArray> grads = sd.calculateGradients(ph, List.of(X, GAMMA, BETA));
    String out = sd.getLossVariables().get(0);

    double[] dGamma = new double[C];
    double[] dBeta = new double[C];
    double loss = 0;
    for (int n = 0; n < N; n++) {
      for (int c = 0; c < C; c++) {
        double inv = 1 / Math.sqrt(rv[c] + BatchNorm2d.EPS);
        for (int h = 0; h < H; h++) {
          for (int w = 0; w < W; w++) {
            double xv = x.getDouble(n, c, h, w);
            double gv = g.getDouble(n, c, h, w);
            double xhat = (xv - rm[c]) * inv;
            loss += (gamma[c] * xhat + beta[c]) * gv;
            dGamma[c] += gv * xhat;
            dBeta[c] += gv;
            double dx = grads.get(X).getDouble(n, c, h, w);
            assertEquals(gv * gamma[c] * inv, dx, 1e-9 * Math.max(1, Math.abs(dx)), "dx at " + n + "," + c + "," + h + "," + w);
          }
        }
      }
    }
    for (int c = 0; c < C; c++) {
      assertEquals(dGamma[c], grads.get(GAMMA).getDouble(c), 1e-7 * Math.max(1, Math.abs(dGamma[c])), "dgamma " + c);
      assertEquals(dBeta[c], grads.get(BETA).getDouble(c), 1e-12 * Math.max(1, Math.abs(dBeta[c])), "dbeta " + c);
    }
    double got = sd.output(ph, out).get(out).getDouble(0);
    assertEquals(loss, got, 1e-9 * Math.abs(loss));
  }

  @Test
  void batchStatisticsAreNotDifferentiated() {
    BatchNorm2d bn = new BatchNorm2d(BN, C, H * W);
    SameDiff sd = graph(bn, det(3, N, C, H, W));
    sd.calculateGradients(Map.of(X, det(4, N, C, H, W)), List.of(X, GAMMA, BETA));
    SameDiff grad = sd.getFunction("grad");
    assertTrue(grad.hasVariable(X + "-grad"), "the input has a gradient");
    assertFalse(grad.hasVariable(bn.batchMeanName() + "-grad"), "no gradient is computed for the batch mean");
    assertFalse(grad.hasVariable(bn.batchVarName() + "-grad"), "no gradient is computed for the batch variance");
    long bpOps = grad.getOps().values().stream().filter(o -> o.getOp() instanceof FusedBatchNormBp).count();
    assertEquals(1, bpOps, "one native batchnorm_bp in the gradient graph");
  }

  @Test
  void rewiringSwitchesTheGradientGraphAndBack() {
    BatchNorm2d bn = new BatchNorm2d(BN, C, H * W);
    SameDiff sd = graph(bn, det(7, N, C, H, W));
    sd.getArrForVarName(bn.runningMeanName()).assign(Nd4j.createFromArray(0.2, -1.0, 0.0, 3.0));
    sd.getArrForVarName(bn.runningVarName()).assign(Nd4j.createFromArray(0.5, 2.0, 1e-4, 9.0));
    Map<String, INDArray> ph = Map.of(X, det(8, N, C, H, W));
    Map<String, INDArray> train = sd.calculateGradients(ph, List.of(X, GAMMA, BETA));
    SameDiff trainGrad = sd.getFunction("grad");
    assertEquals(0, FusedBatchNorm.useBatchStatistics(sd, true), "already wired to the batch statistics");
    assertTrue(sd.getFunction("grad") == trainGrad, "an unchanged wiring keeps the gradient graph");
    assertEquals(1, FusedBatchNorm.useBatchStatistics(sd, false));
    Map<String, INDArray> eval = sd.calculateGradients(ph, List.of(X, GAMMA, BETA));
    assertNotEquals(train.get(X), eval.get(X), "the modes' input gradients differ");
    SameDiff evalGrad = sd.getFunction("grad");
    assertTrue(evalGrad != trainGrad, "the inference wiring has a gradient graph of its own");
    assertEquals(1, FusedBatchNorm.useBatchStatistics(sd, true));
    assertTrue(sd.getFunction("grad") == trainGrad, "the training wiring's gradient graph came back");
    Map<String, INDArray> again = sd.calculateGradients(ph, List.of(X, GAMMA, BETA));
    for (String v : List.of(X, GAMMA, BETA)) {
      assertEquals(train.get(v), again.get(v), v);
    }
    assertEquals(1, FusedBatchNorm.useBatchStatistics(sd, false));
    assertTrue(sd.getFunction("grad") == evalGrad, "and the inference one");
  }

  @Test
  void savedGraphLoadsAndGivesTheSameGradients(@TempDir Path dir) {
    BatchNorm2d bn = new BatchNorm2d(BN, C, H * W);
    SameDiff sd = graph(bn, det(5, N, C, H, W));
    sd.getArrForVarName(GAMMA).assign(Nd4j.createFromArray(0.5, 1.5, -0.7, 2.0));
    Map<String, INDArray> ph = Map.of(X, det(6, N, C, H, W));
    Map<String, INDArray> before = sd.calculateGradients(ph, List.of(X, GAMMA, BETA));
    File f = dir.resolve("bn.fb").toFile();
    sd.save(f, false);
    ClceOps.register();
    SameDiff loaded = SameDiff.load(f, false);
    assertTrue(loaded.getOps().values().stream().anyMatch(o -> o.getOp() instanceof FusedBatchNorm), "rebuilt as clce's op");
    Map<String, INDArray> after = loaded.calculateGradients(ph, List.of(X, GAMMA, BETA));
    for (String v : List.of(X, GAMMA, BETA)) {
      assertEquals(0.0, after.get(v).sub(before.get(v)).amaxNumber().doubleValue(), 0.0, v);
    }
  }

  @Test
  void badInputIsRejectedByName() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", Nd4j.zeros(DataType.DOUBLE, 1, 2, 1, 1));
    SDVariable s = sd.var("s", Nd4j.ones(DataType.DOUBLE, 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FusedBatchNorm(sd, x, s, s, s, s, s, s, 0.0, true));
    assertTrue(e.getMessage().startsWith("eps:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new FusedBatchNorm(sd, x, s, s, s, s, s, s, Double.NaN, true));
    assertTrue(e.getMessage().startsWith("eps:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new FusedBatchNorm(sd, x, s, s, null, s, s, s, 1e-5, true));
    assertTrue(e.getMessage().startsWith("runningMean:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new FusedBatchNorm(sd, x, null, s, s, s, s, s, 1e-5, false));
    assertTrue(e.getMessage().startsWith("batchMean:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FusedBatchNorm.useBatchStatistics(null, true));
    assertTrue(e.getMessage().startsWith("sd:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new BitCastOp(sd, s, DataType.INT32));
    assertTrue(e.getMessage().startsWith("to:"), e.getMessage());
    SDVariable i = sd.constant("i", Nd4j.createFromArray(1, 2));
    e = assertThrows(IllegalArgumentException.class, () -> ClceOps.stopGradient(sd, i));
    assertTrue(e.getMessage().startsWith("v:"), e.getMessage());
  }
}

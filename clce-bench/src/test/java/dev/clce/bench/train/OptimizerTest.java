package dev.clce.bench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The optimiser, schedule and byte layout against hand-computed values and plain double loops. */
class OptimizerTest {

  @Test
  void warmupCosineMatchesHandComputedValues() {
    WarmupCosineSchedule s = new WarmupCosineSchedule(0.1, 2, 6);
    // warm-up (t+1)/2; then 0.05 (1 + cos(pi (t-2)/4)).
    double[] expected = {0.05, 0.1, 0.1, 0.08535533905932738, 0.05, 0.014644660940672627, 0.0, 0.0};
    for (int t = 0; t < expected.length; t++) {
      assertEquals(expected[t], s.at(t), 1e-15, "step " + t);
      assertEquals(expected[t], s.valueAt(t, 0), 1e-15, "step " + t);
    }
    assertEquals(0.1, new WarmupCosineSchedule(0.1, 0, 4).at(0), 1e-15);
    assertThrows(IllegalArgumentException.class, () -> new WarmupCosineSchedule(0.1, 4, 4));
    assertThrows(IllegalArgumentException.class, () -> new WarmupCosineSchedule(-1, 0, 4));
  }

  /** Three steps on w = (1, -2, 0.5) with gradients g_t = (0.3, -0.1, 0.2) * (t + 1), against plain loops. */
  @ParameterizedTest
  @EnumSource(OptimizerKind.class)
  void updatesMatchAPlainDoubleLoop(OptimizerKind kind) {
    double lr = 0.1;
    double mu = 0.9;
    double wd = 0.01;
    int steps = 3;
    WarmupCosineSchedule schedule = new WarmupCosineSchedule(lr, 1, 4);
    SameDiff sd = SameDiff.create();
    sd.var("w", Nd4j.createFromArray(1.0, -2.0, 0.5));
    Optimizer opt = new Optimizer(kind, schedule, mu, wd, sd, List.of("w"));

    double[] w = {1.0, -2.0, 0.5};
    double[] m = new double[3];
    double[] v = new double[3];
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    for (int t = 0; t < steps; t++) {
      double[] g = {0.3 * (t + 1), -0.1 * (t + 1), 0.2 * (t + 1)};
      opt.step(sd, Map.of("w", Nd4j.createFromArray(g.clone())), t, 0);
      double a = schedule.at(t);
      for (int i = 0; i < 3; i++) {
        double gi = g[i];
        if (kind == OptimizerKind.ADAMW) {
          w[i] -= a * wd * w[i];
        } else {
          gi += wd * w[i];
        }
        if (kind == OptimizerKind.SGD) {
          // ND4J Nesterovs (cs231n): v' = mu v - lr g; w += -mu v + (1 + mu) v'.
          double vPrev = v[i];
          v[i] = mu * v[i] - a * gi;
          w[i] += -mu * vPrev + (1 + mu) * v[i];
        } else {
          // ND4J Adam: bias correction folded into the step size, eps added to sqrt(v).
          m[i] = b1 * m[i] + (1 - b1) * gi;
          v[i] = b2 * v[i] + (1 - b2) * gi * gi;
          double step = a * Math.sqrt(1 - Math.pow(b2, t + 1)) / (1 - Math.pow(b1, t + 1));
          w[i] -= step * m[i] / (Math.sqrt(v[i]) + eps);
        }
      }
    }
    assertArrayEquals(w, sd.getArrForVarName("w").toDoubleVector(), 1e-12, kind.cliName());
  }

  @Test
  void missingGradientLeavesTheParameterAlone() {
    SameDiff sd = SameDiff.create();
    sd.var("a", Nd4j.createFromArray(1.0, 2.0));
    sd.var("b", Nd4j.createFromArray(3.0));
    Optimizer opt = new Optimizer(OptimizerKind.ADAMW, new WarmupCosineSchedule(0.1, 0, 2), 0, 0.5, sd, List.of("a", "b"));
    opt.step(sd, Map.of("a", Nd4j.createFromArray(1.0, 1.0)), 0, 0);
    assertArrayEquals(new double[] {3.0}, sd.getArrForVarName("b").toDoubleVector(), 0.0);
  }

  @Test
  void stateRoundTripsAndIsChecked() {
    SameDiff sd = SameDiff.create();
    sd.var("a", Nd4j.createFromArray(1.0f, 2.0f));
    Optimizer opt = new Optimizer(OptimizerKind.ADAM, new WarmupCosineSchedule(0.1, 0, 2), 0, 0, sd, List.of("a"));
    assertEquals(4, opt.state().get("a").length(), "Adam keeps m and v");
    INDArray wrong = Nd4j.zeros(DataType.FLOAT, 1, 3);
    assertEquals("optimizer state of a is FLOAT x 3, expected FLOAT x 4", opt.checkState(Map.of("a", wrong)));
    opt.restoreState(Map.of("a", Nd4j.createFromArray(1f, 2f, 3f, 4f)));
    assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, opt.state().get("a").toFloatVector(), 0f);
  }

  @Test
  void bytesAndDigestMatchPythonStructAndHashlib() {
    INDArray f = Nd4j.createFromArray(1.0f, -2.5f);
    INDArray l = Nd4j.scalar(7L);
    assertEquals("0000803f000020c0", HexFormat.of().formatHex(TensorBytes.encode(f)));
    assertEquals("0700000000000000", HexFormat.of().formatHex(TensorBytes.encode(l)));
    // python3: hashlib.sha256(struct.pack('<ff', 1.0, -2.5) + struct.pack('<q', 7)).hexdigest()
    assertEquals("416ff50824152f936c76d8f8d55a220e3b3af155ca09cf3064bab340888128a8",
        TensorBytes.sha256(List.of("f", "l"), Map.of("f", f, "l", l)::get));
    byte[] both = TensorBytes.encode(Nd4j.createFromArray(new float[][] {{1f, 2f}, {3f, 4f}}).transpose());
    INDArray back = TensorBytes.decode(both, 0, DataType.FLOAT, new long[] {2, 2});
    assertArrayEquals(new float[] {1f, 3f, 2f, 4f}, back.reshape(4).toFloatVector(), 0f, "C order of the transposed view");
    assertEquals(0, TensorBytes.decode(TensorBytes.encode(l), 0, DataType.LONG, new long[0]).rank());
  }
}

package dev.clce.models.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link LayerNorm} on both kernels against a plain double loop: output and the gradients of the
 * input, weight and bias for the loss {@code sum(y * g)}, in double (native kernel to 1e-7: it holds
 * epsilon and 1/n in float) and in float.
 */
class LayerNormTest {
  private static final int B = 2;
  private static final int T = 3;
  private static final int D = 5;
  private static final double EPS = 1e-6;
  private static final String X = "x";
  private static final String LN = "ln";

  @ParameterizedTest
  @EnumSource(value = NormKernel.class, names = {"NATIVE", "PRIMITIVE"})
  void matchesALoopInDouble(NormKernel kernel) {
    check(kernel, DataType.DOUBLE, kernel == NormKernel.NATIVE ? 1e-7 : 1e-11);
  }

  @ParameterizedTest
  @EnumSource(value = NormKernel.class, names = {"NATIVE", "PRIMITIVE"})
  void matchesALoopInFloat(NormKernel kernel) {
    check(kernel, DataType.FLOAT, 1e-4);
  }

  private static void check(NormKernel kernel, DataType dt, double tol) {
    Nd4j.getRandom().setSeed(11);
    INDArray x = Nd4j.randn(DataType.DOUBLE, B, T, D).muli(3).addi(1);
    x.putScalar(new long[] {1, 2, 0}, 0.0);
    for (int d = 0; d < D; d++) {
      x.putScalar(new long[] {0, 1, d}, 0.25 + 1e-3 * d);   // a row with a tiny variance
    }
    INDArray g = Nd4j.randn(DataType.DOUBLE, B, T, D);
    double[] w = {0.5, -1.5, 2.0, 1.0, 0.1};
    double[] bias = {0.1, 0.0, -0.3, 2.0, 1.0};
    SameDiff sd = SameDiff.create();
    LayerNorm ln = new LayerNorm(LN, D, EPS);
    SDVariable y;
    try (GraphContext ctx = new GraphContext(sd, dt, 1, "training", kernel)) {
      y = ln.forward(ctx, sd.placeHolder(X, dt, -1, T, D));
    }
    sd.getArrForVarName(LN + ".weight").assign(Nd4j.createFromArray(w));
    sd.getArrForVarName(LN + ".bias").assign(Nd4j.createFromArray(bias));
    y.mul(sd.constant(g.castTo(dt))).sum().markAsLoss();
    sd.createGradFunction(X);
    Map<String, INDArray> ph = Map.of(X, x.castTo(dt));
    Map<String, INDArray> grads = sd.calculateGradients(ph, List.of(X, LN + ".weight", LN + ".bias"));
    INDArray out = sd.output(ph, y.name()).get(y.name());

    double[] dw = new double[D];
    double[] db = new double[D];
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        double mean = 0;
        for (int d = 0; d < D; d++) {
          mean += x.getDouble(b, t, d) / D;
        }
        double var = 0;
        for (int d = 0; d < D; d++) {
          var += Math.pow(x.getDouble(b, t, d) - mean, 2) / D;
        }
        double inv = 1 / Math.sqrt(var + EPS);
        double[] xhat = new double[D];
        double[] dxhat = new double[D];
        double meanDxhat = 0;
        double meanDxhatXhat = 0;
        for (int d = 0; d < D; d++) {
          xhat[d] = (x.getDouble(b, t, d) - mean) * inv;
          double gv = g.getDouble(b, t, d);
          assertEquals(xhat[d] * w[d] + bias[d], out.getDouble(b, t, d), tol * 10, kernel + " y");
          dxhat[d] = gv * w[d];
          meanDxhat += dxhat[d] / D;
          meanDxhatXhat += dxhat[d] * xhat[d] / D;
          dw[d] += gv * xhat[d];
          db[d] += gv;
        }
        for (int d = 0; d < D; d++) {
          double expected = inv * (dxhat[d] - meanDxhat - xhat[d] * meanDxhatXhat);
          double got = grads.get(X).getDouble(b, t, d);
          assertEquals(expected, got, tol * Math.max(1, Math.abs(expected)) * (1 + inv * 1e-3),
              kernel + " " + dt + " dx at " + b + "," + t + "," + d);
        }
      }
    }
    for (int d = 0; d < D; d++) {
      assertEquals(dw[d], grads.get(LN + ".weight").getDouble(d), tol * Math.max(1, Math.abs(dw[d])), kernel + " dweight " + d);
      assertEquals(db[d], grads.get(LN + ".bias").getDouble(d), tol * Math.max(1, Math.abs(db[d])), kernel + " dbias " + d);
    }
  }
}

package dev.clce.models.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Relu}: values and gradient against a plain loop, zeros included (gradient 0 there, as PyTorch). */
class ReluTest {

  @Test
  void valuesAndGradientMatchALoop() {
    double[] xs = {-2.0, -1e-30, 0.0, 1e-30, 0.5, 3.0, -0.0, 7.0};
    double[] gs = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0};
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", Nd4j.createFromArray(xs));
    SDVariable y = new Relu(sd, x).outputVariable();
    y.mul(sd.constant(Nd4j.createFromArray(gs))).sum().markAsLoss();
    INDArray out = sd.output(Map.of(), y.name()).get(y.name());
    INDArray dx = sd.calculateGradients(Map.of(), List.of("x")).get("x");
    for (int i = 0; i < xs.length; i++) {
      assertEquals(Math.max(xs[i], 0.0), out.getDouble(i), 0.0, "y at x=" + xs[i]);
      assertEquals(xs[i] > 0 ? gs[i] : 0.0, dx.getDouble(i), 0.0, "dx at x=" + xs[i]);
    }
    assertEquals(DataType.DOUBLE, out.dataType());
  }
}

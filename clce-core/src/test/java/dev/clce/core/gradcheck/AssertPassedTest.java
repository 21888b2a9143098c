package dev.clce.core.gradcheck;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.factory.Nd4j;

/** assertPassed: silent on a right gradient, an AssertionError naming the wrong parameter otherwise. */
class AssertPassedTest {

  /**
   * loss = sum(a^2) + sum(stopGradient(x w) * c) + sum(x v): d/dw misses x^T c (wrong by
   * construction), d/dc and d/dv are right, so the worst parameter can only be "w".
   */
  private static SameDiff graph(boolean stopGradient) {
    Nd4j.getRandom().setSeed(3);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
    SDVariable w = sd.var("w", Nd4j.randn(DataType.DOUBLE, 3, 2));
    SDVariable v = sd.var("v", Nd4j.randn(DataType.DOUBLE, 3, 2));
    SDVariable c = sd.var("c", Nd4j.randn(DataType.DOUBLE, 4, 2));
    SDVariable y = x.mmul(w);
    SDVariable coupled = stopGradient ? new StopGradient(sd, y).outputVariable() : y;
    y.mul(y).sum().add(coupled.mul(c).sum()).add(x.mmul(v).sum()).rename("loss");
    return sd;
  }

  private static GradientCheckReport check(SameDiff sd) {
    return GradientCheck.builder(sd)
        .setLoss("loss")
        .setVariables("c", "w", "v")
        .optPlaceholders(Map.of("x", Nd4j.randn(DataType.DOUBLE, 4, 3)))
        .build()
        .run();
  }

  @Test
  void aFailureNamesTheWorstParameterFirst() {
    GradientCheckReport r = check(graph(true));
    AssertionError e = assertThrows(AssertionError.class, r::assertPassed);
    String first = e.getMessage().lines().findFirst().orElseThrow();
    assertTrue(first.contains("worst parameter 'w' (6 of 6 entries failed there)"), first);
    assertTrue(first.contains("worst entry w["), first);
    assertTrue(first.contains("6 of 20 entries failed in all"), first);
    // The full report follows, with the per-parameter counts.
    assertTrue(e.getMessage().contains(r.toString()), e.getMessage());
  }

  @Test
  void aPassingCheckReturnsTheReport() {
    GradientCheckReport r = check(graph(false));
    assertSame(r, r.assertPassed());
  }
}

package dev.clce.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Holm's adjustment against values worked by hand from Holm (1979) and R's p.adjust(method = "holm"). */
class HolmTest {

  @Test
  void stepDownWithMonotoneCap() {
    // m = 5, sorted: 0.01*5 = 0.05, 0.02*4 = 0.08, 0.03*3 = 0.09, 0.04*2 = 0.08 -> 0.09, 0.05*1 -> 0.09.
    double[] adj = Holm.adjust(new double[] {0.04, 0.01, 0.05, 0.03, 0.02});
    assertArrayEquals(new double[] {0.09, 0.05, 0.09, 0.09, 0.08}, adj, 1e-15);
  }

  @Test
  void capsAtOneAndSkipsUntested() {
    // Two tested claims: 0.3*2 = 0.6, then max(0.6, 0.7*1) = 0.7; 0.6*2 would be capped at 1 in a larger family.
    double[] adj = Holm.adjust(new double[] {0.7, Double.NaN, 0.3});
    assertEquals(0.7, adj[0], 1e-15);
    assertTrue(Double.isNaN(adj[1]));
    assertEquals(0.6, adj[2], 1e-15);
    assertArrayEquals(new double[] {1.0, 1.0}, Holm.adjust(new double[] {0.6, 0.9}), 1e-15);
    // R: p.adjust(c(0.001, 0.012, 0.2, 0.04), "holm") = 0.004 0.036 0.200 0.080
    assertArrayEquals(new double[] {0.004, 0.036, 0.2, 0.08}, Holm.adjust(new double[] {0.001, 0.012, 0.2, 0.04}),
        1e-15);
  }

  @Test
  void badInputIsRefused() {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Holm.adjust(new double[] {1.5}));
    assertTrue(ex.getMessage().startsWith("p:") && ex.getMessage().contains("1.5"), ex.getMessage());
  }
}

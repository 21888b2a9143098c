package dev.clce.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CosineHistogramTest {

  @Test
  void countsEveryPairInItsBin() {
    // Class 0: e1, e1 (cos 1). Class 1: e2, -e2 (cos -1). Class 2 ignored.
    // Negatives: e1.e2 = 0, e1.-e2 = 0 (x2 for the two e1): four pairs at 0.
    double[][] v = {{1, 0}, {2, 0}, {0, 1}, {0, -3}, {1, 1}};
    int[] labels = {0, 0, 1, 1, 2};
    CosineHistogram h = CosineHistogram.of(v, labels, 0, 1, 4); // bins [-1,-.5) [-.5,0) [0,.5) [.5,1]
    assertEquals(2, h.positivePairs());
    assertEquals(4, h.negativePairs());
    double w = 0.5;
    assertEquals(0.5 / w, h.positive()[0], 1e-12);
    assertEquals(0.5 / w, h.positive()[3], 1e-12);
    assertEquals(1.0 / w, h.negative()[2], 1e-12);
    assertEquals(0.0, h.positiveMean(), 1e-12);
    assertEquals(0.0, h.negativeMean(), 1e-12);
    assertEquals(-1.0, h.edges()[0]);
    assertEquals(1.0, h.edges()[4]);
  }

  @Test
  void badInputIsRefused() {
    double[][] v = {{1, 0}, {0, 1}};
    assertThrows(IllegalArgumentException.class, () -> CosineHistogram.of(v, new int[] {0, 1}, 0, 1, 4));
    assertThrows(IllegalArgumentException.class, () -> CosineHistogram.of(v, new int[] {0, 1}, 0, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> CosineHistogram.of(v, new int[] {0, 0}, 0, 1, 0));
  }
}

package dev.clce.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reference values: scipy.stats.ttest_rel and t.ppf (clce-bench/src/test/python/ttest_reference.py). */
class PairedTTestTest {

  @Test
  void studentSleepData() {
    // R: t.test(extra ~ group, data = sleep, paired = TRUE) gives t = 4.0621, df = 9, p = 0.002833,
    // 95% CI 0.7001 .. 2.4599 (sign as a - b below).
    double[] a = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
    double[] b = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
    PairedTTest r = PairedTTest.of(a, b);
    assertEquals(10, r.n());
    assertEquals(9, r.df());
    assertEquals(1.58, r.meanDiff(), 1e-12);
    assertEquals(4.06212768338, r.t(), 1e-9);
    assertEquals(0.00283289019738, r.p(), 1e-9);
    assertEquals(0.700114236723, r.ciLow(), 1e-8);
    assertEquals(2.45988576328, r.ciHigh(), 1e-8);
  }

  @Test
  void threeSeeds() {
    double[] a = {0.8123, 0.8051, 0.8190};
    double[] b = {0.8010, 0.8072, 0.8011};
    PairedTTest r = PairedTTest.of(a, b);
    assertEquals(1.5353183595, r.t(), 1e-8);
    assertEquals(0.264479853408, r.p(), 1e-8);
    assertEquals(-0.0162821304498, r.ciLow(), 1e-9);
    assertEquals(0.0343487971164, r.ciHigh(), 1e-9);
    // Swapping the samples flips the sign and keeps p.
    PairedTTest s = PairedTTest.of(b, a);
    assertEquals(-r.t(), s.t(), 1e-12);
    assertEquals(r.p(), s.p(), 1e-12);
  }

  @Test
  void constantDifferences() {
    PairedTTest same = PairedTTest.of(new double[] {1, 2, 3}, new double[] {1, 2, 3});
    assertEquals(1.0, same.p());
    assertTrue(Double.isNaN(same.t()));
    PairedTTest shifted = PairedTTest.of(new double[] {2, 3, 4}, new double[] {1, 2, 3});
    assertEquals(0.0, shifted.p());
    assertEquals(Double.POSITIVE_INFINITY, shifted.t());
  }

  @Test
  void badInputIsRefused() {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
        () -> PairedTTest.of(new double[] {1}, new double[] {1}));
    assertTrue(ex.getMessage().startsWith("a:"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> PairedTTest.of(new double[] {1, 2}, new double[] {1}));
    assertTrue(ex.getMessage().startsWith("b:"), ex.getMessage());
  }
}

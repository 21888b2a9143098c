package dev.clce.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link NativeMemoryGuard}: the first call collects; later calls only once enough time has passed. */
class NativeMemoryGuardTest {

  @Test
  void collectsAtMostAsOftenAsTheOverheadBoundAllows() throws InterruptedException {
    NativeMemoryGuard rare = new NativeMemoryGuard(1e-9);   // would wait ~1e9 collection times
    assertTrue(rare.afterStep(), "the first call collects");
    assertFalse(rare.afterStep());
    assertFalse(rare.afterStep());
    assertEquals(1, rare.collections());

    NativeMemoryGuard always = new NativeMemoryGuard(1.0);  // waits one collection time
    assertTrue(always.afterStep());
    long start = System.nanoTime();
    assertTrue(always.afterStep() || waitAndCall(always, start), "collects again once a collection's time has passed");
    assertEquals(2, always.collections());
  }

  private static boolean waitAndCall(NativeMemoryGuard g, long since) throws InterruptedException {
    Thread.sleep(1000);   // far longer than a collection of this test JVM's small heap
    return g.afterStep();
  }

  @Test
  void badBoundIsRefusedByName() {
    for (double bad : new double[] {0, -0.1, 1.5, Double.NaN}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NativeMemoryGuard(bad));
      assertTrue(e.getMessage().startsWith("maxOverhead:"), e.getMessage());
    }
  }
}

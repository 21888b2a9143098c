package dev.clce.core.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NdRandomTest {

  private static INDArray draw(org.nd4j.linalg.api.rng.Random rng) {
    INDArray a = Nd4j.createUninitialized(DataType.DOUBLE, 64);
    Nd4j.randn(a, rng);
    return a;
  }

  @Test
  void seedZeroGivesTheSameDrawsAtDifferentTimes() throws InterruptedException {
    INDArray first = draw(NdRandom.generator(0));
    Thread.sleep(20);
    INDArray second = draw(NdRandom.generator(0));
    assertEquals(first, second);
    Thread.sleep(20);
    assertEquals(first, NdRandom.randn(0, DataType.DOUBLE, 64));
  }

  /** Why NdRandom exists: ND4J itself seeds a generator made with seed 0 from the clock. */
  @Test
  void rawNd4jSeedZeroDependsOnTheClock() throws InterruptedException {
    INDArray first = draw(Nd4j.getRandomFactory().getNewRandomInstance(0));
    Thread.sleep(20);
    INDArray second = draw(Nd4j.getRandomFactory().getNewRandomInstance(0));
    assertNotEquals(first, second, "libnd4j no longer replaces seed 0 by the clock: NdRandom's remap may go");
  }

  @Test
  void otherSeedsPassThroughUnchanged() {
    for (long s : new long[] {1, -1, 42, Long.MAX_VALUE, Long.MIN_VALUE}) {
      assertEquals(s, NdRandom.nativeSeed(s));
      assertEquals(draw(Nd4j.getRandomFactory().getNewRandomInstance(s)), draw(NdRandom.generator(s)), "seed " + s);
    }
    assertEquals(NdRandom.ZERO_SEED, NdRandom.nativeSeed(0));
    assertNotEquals(draw(NdRandom.generator(0)), draw(NdRandom.generator(1)));
  }

  @Test
  void refusesIntegerTypes() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> NdRandom.randn(1, DataType.INT32, 3));
    assertEquals("dataType: must be a floating-point type, got INT", e.getMessage());
  }
}

package dev.clce.core.random;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one place where a seed of clce reaches ND4J's random generator.
 *
 * <p>Why it exists: libnd4j's {@code RandomGenerator::setStates} replaces a root seed of 0 by the
 * current time in milliseconds, so {@code Nd4j.getRandomFactory().getNewRandomInstance(0)},
 * {@code Nd4j.getRandom().setSeed(0)} and {@code Nd4j.randn(0, shape)} draw different numbers in every
 * run. Seed 0 is the default of {@code ./clce train}; every seed, 0 included, must fix the numbers.
 * {@link #nativeSeed(long)} passes every other seed through unchanged (so existing results for
 * seeds other than 0 stay as they were) and maps 0 to {@link #ZERO_SEED}.
 *
 * <p>Code outside clce that seeds ND4J itself (a DL4J {@code NeuralNetConfiguration.seed(0)}, for
 * example) meets the same libnd4j behaviour: pass the seed through {@link #nativeSeed(long)} first.
 */
public final class NdRandom {

  /**
   * The native seed that stands for seed 0 (the 64-bit golden-ratio constant). Seed 0 and this value
   * therefore give the same numbers; no other two seeds do.
   */
  public static final long ZERO_SEED = 0x9E3779B97F4A7C15L;

  private NdRandom() {}

  /**
   * @param seed any seed
   * @return the seed to hand to ND4J: {@code seed} itself, or {@link #ZERO_SEED} for 0, which libnd4j
   *     would otherwise replace by the clock
   */
  public static long nativeSeed(long seed) {
    return seed == 0 ? ZERO_SEED : seed;
  }

  /**
   * @param seed any seed, 0 included
   * @return a new ND4J generator whose draws are a function of {@code seed} alone
   */
  public static Random generator(long seed) {
    return Nd4j.getRandomFactory().getNewRandomInstance(nativeSeed(seed));
  }

  /**
   * Standard-normal values that are a function of {@code seed} and the shape alone.
   *
   * @param seed any seed, 0 included
   * @param dataType floating-point type of the result
   * @param shape the shape
   * @return a new array of standard-normal draws
   */
  public static INDArray randn(long seed, DataType dataType, long... shape) {
    if (dataType == null || !dataType.isFPType()) {
      throw new IllegalArgumentException("dataType: must be a floating-point type, got " + dataType);
    }
    INDArray arr = Nd4j.createUninitialized(dataType, shape);
    Nd4j.randn(arr, generator(seed));
    return arr;
  }
}

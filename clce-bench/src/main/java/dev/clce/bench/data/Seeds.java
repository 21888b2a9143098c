package dev.clce.bench.data;

/**
 * Deterministic seed derivation: one independent stream per (seed, epoch, step, slot, view, ...)
 * tuple, so that results never depend on thread timing or on the order in which work is done.
 */
public final class Seeds {

  private Seeds() {}

  /**
   * Mixes a base seed with further coordinates into a well-scrambled 64-bit seed (SplitMix64
   * finaliser applied after each coordinate). Different tuples give unrelated seeds.
   *
   * @param seed the base seed
   * @param coordinates further coordinates (epoch, step, index, ...)
   * @return the derived seed
   */
  public static long mix(long seed, long... coordinates) {
    long h = scramble(seed ^ 0x9E3779B97F4A7C15L);
    for (long c : coordinates) {
      h = scramble(h + 0x9E3779B97F4A7C15L + scramble(c));
    }
    return h;
  }

  private static long scramble(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

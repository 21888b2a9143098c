package dev.clce.core.internal;

/**
 * The checks every file reader makes on a shape it read, before it allocates anything for it: ND4J
 * arrays have at most {@value #MAX_RANK} dimensions (libnd4j's {@code MAX_RANK}; a longer shape
 * fails inside native code with a message that names no file), no dimension is negative, and the
 * element count (and its byte size) is computed without overflow, so that a declared size can be
 * compared with the file's length.
 */
public final class Shapes {

  /** The most dimensions an ND4J array can have. */
  public static final int MAX_RANK = 32;

  private Shapes() {}

  /**
   * What is wrong with a shape read from a file, for a refusal message.
   *
   * @param shape the shape
   * @param itemSize bytes per element (1 to 8)
   * @return null when the shape is usable, else what is wrong (for example
   *     {@code "has 40 dimensions, ND4J arrays have at most 32"})
   */
  public static String problem(long[] shape, int itemSize) {
    if (shape.length > MAX_RANK) {
      return "has " + shape.length + " dimensions, ND4J arrays have at most " + MAX_RANK;
    }
    long bytes = itemSize;
    for (long d : shape) {
      if (d < 0) {
        return "has a negative dimension";
      }
    }
    try {
      for (long d : shape) {
        bytes = Math.multiplyExact(bytes, d);
      }
    } catch (ArithmeticException e) {
      return "has more elements than a 64-bit byte count can hold";
    }
    return null;
  }

  /**
   * The element count of a shape that {@link #problem} accepted.
   *
   * @param shape the shape
   * @return the product of the dimensions (1 for a scalar)
   */
  public static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}

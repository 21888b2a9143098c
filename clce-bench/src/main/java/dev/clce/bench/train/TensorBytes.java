package dev.clce.bench.train;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Arrays as raw little-endian bytes in C order (the layout of checkpoints and of
 * {@code weights_sha256}). Supported types: FLOAT, DOUBLE, INT32, INT64.
 */
public final class TensorBytes {

  private TensorBytes() {}

  /**
   * Bytes per element of a supported type.
   *
   * @param type the data type
   * @return 4 or 8
   */
  public static int elementSize(DataType type) {
    return switch (type) {
      case FLOAT, INT -> 4;
      case DOUBLE, LONG -> 8;
      default -> throw new IllegalArgumentException("dtype: unsupported in checkpoints: " + type);
    };
  }

  /**
   * Encodes an array.
   *
   * @param a the array (any ordering; views are copied)
   * @return {@code length * elementSize} little-endian bytes in C order
   */
  public static byte[] encode(INDArray a) {
    DataType t = a.dataType();
    int size = elementSize(t);
    INDArray c = a.dup('c');
    ByteBuffer bb = ByteBuffer.allocate(Math.toIntExact(c.length() * size)).order(ByteOrder.LITTLE_ENDIAN);
    switch (t) {
      case FLOAT -> bb.asFloatBuffer().put(c.data().asFloat());
      case DOUBLE -> bb.asDoubleBuffer().put(c.data().asDouble());
      case INT -> bb.asIntBuffer().put(c.data().asInt());
      case LONG -> bb.asLongBuffer().put(c.data().asLong());
      default -> throw new IllegalArgumentException("dtype: unsupported in checkpoints: " + t);
    }
    c.close();
    return bb.array();
  }

  /**
   * Decodes an array.
   *
   * @param bytes the buffer
   * @param offset where the array starts
   * @param type its data type
   * @param shape its shape (empty for a scalar)
   * @return a new array
   */
  public static INDArray decode(byte[] bytes, int offset, DataType type, long[] shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    int len = Math.toIntExact(n);
    ByteBuffer bb = ByteBuffer.wrap(bytes, offset, len * elementSize(type)).slice().order(ByteOrder.LITTLE_ENDIAN);
    INDArray flat = switch (type) {
      case FLOAT -> {
        float[] v = new float[len];
        bb.asFloatBuffer().get(v);
        yield Nd4j.createFromArray(v);
      }
      case DOUBLE -> {
        double[] v = new double[len];
        bb.asDoubleBuffer().get(v);
        yield Nd4j.createFromArray(v);
      }
      case INT -> {
        int[] v = new int[len];
        bb.asIntBuffer().get(v);
        yield Nd4j.createFromArray(v);
      }
      case LONG -> {
        long[] v = new long[len];
        bb.asLongBuffer().get(v);
        yield Nd4j.createFromArray(v);
      }
      default -> throw new IllegalArgumentException("dtype: unsupported in checkpoints: " + type);
    };
    return shape.length == 0 ? flat.reshape(new long[0]) : flat.reshape('c', shape);
  }

  /**
   * SHA-256 over arrays in the given order, each as {@link #encode} bytes (no names, no shapes).
   *
   * @param names the order
   * @param arrays how to get each array
   * @return lower-case hex digest
   */
  public static String sha256(List<String> names, Function<String, INDArray> arrays) {
    Hasher h = Hashing.sha256().newHasher();
    for (String n : names) {
      h.putBytes(encode(arrays.apply(n)));
    }
    return h.hash().toString();
  }

  /** @return a new SHA-256 digest */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}

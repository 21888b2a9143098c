package dev.clce.models.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's entry in a safetensors header: name, element type, shape and byte range.
 *
 * <p>The byte range {@code [begin, end)} is relative to the start of the data section (the byte
 * after the JSON header), as in the format's {@code data_offsets}. Instances are immutable.
 */
public final class SafetensorsTensorInfo {
  private final String name;
  private final SafetensorsDtype dtype;
  private final long[] shape;
  private final long begin;
  private final long end;

  /**
   * Creates an entry. The caller has checked the values (see {@link Safetensors#readHeader}).
   *
   * @param name the tensor's key
   * @param dtype the element type
   * @param shape the shape (empty for a scalar)
   * @param begin first byte, relative to the data section
   * @param end one past the last byte, relative to the data section
   */
  public SafetensorsTensorInfo(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
    this.name = Objects.requireNonNull(name, "name");
    this.dtype = Objects.requireNonNull(dtype, "dtype");
    this.shape = shape.clone();
    this.begin = begin;
    this.end = end;
  }

  /** @return the tensor's key, for example {@code layer1.0.conv1.weight} */
  public String name() {
    return name;
  }

  /** @return the element type stored in the file */
  public SafetensorsDtype dtype() {
    return dtype;
  }

  /** @return a copy of the shape (empty for a scalar) */
  public long[] shape() {
    return shape.clone();
  }

  /** @return the number of elements (1 for a scalar) */
  public long length() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** @return the first byte, relative to the data section */
  public long begin() {
    return begin;
  }

  /** @return one past the last byte, relative to the data section */
  public long end() {
    return end;
  }

  /** @return name, shape and exact element type, as {@link StateDict#check} compares them */
  public TensorSpec spec() {
    return new TensorSpec(name, shape, dtype.exactDataType());
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SafetensorsTensorInfo)) {
      return false;
    }
    SafetensorsTensorInfo t = (SafetensorsTensorInfo) o;
    return name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
        && begin == t.begin && end == t.end;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
  }
}

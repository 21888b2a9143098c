package dev.clce.models.weights;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The safetensors element types this project reads and writes.
 *
 * <p>On read, {@link #F16} and {@link #BF16} become ND4J {@link DataType#FLOAT} (both convert to
 * float32 exactly); the other types keep their precision ({@link #F64} as {@code DOUBLE},
 * {@link #I64} as {@code LONG}, {@link #I32} as {@code INT}).
 */
public enum SafetensorsDtype {
  /** IEEE 754 binary64. */
  F64(8, DataType.DOUBLE),
  /** IEEE 754 binary32. */
  F32(4, DataType.FLOAT),
  /** IEEE 754 binary16 (read as float32). */
  F16(2, DataType.FLOAT),
  /** bfloat16, the upper half of a binary32 (read as float32). */
  BF16(2, DataType.FLOAT),
  /** Signed 64-bit integer (PyTorch's {@code num_batches_tracked}). */
  I64(8, DataType.LONG),
  /** Signed 32-bit integer. */
  I32(4, DataType.INT);

  private final int bytes;
  private final DataType readAs;

  SafetensorsDtype(int bytes, DataType readAs) {
    this.bytes = bytes;
    this.readAs = readAs;
  }

  /** @return the size of one element in the file, in bytes */
  public int bytes() {
    return bytes;
  }

  /** @return the ND4J type that {@link Safetensors#read} gives tensors of this type */
  public DataType readAs() {
    return readAs;
  }

  /** @return the ND4J type with exactly this element format (HALF for F16, BFLOAT16 for BF16) */
  public DataType exactDataType() {
    switch (this) {
      case F16:
        return DataType.HALF;
      case BF16:
        return DataType.BFLOAT16;
      default:
        return readAs;
    }
  }

  /** @return true for the floating-point types */
  public boolean isFloatingPoint() {
    return this == F64 || this == F32 || this == F16 || this == BF16;
  }

  /**
   * Looks up a dtype string as written in a safetensors header.
   *
   * @param name the header's {@code dtype} value, for example {@code "F32"}
   * @return the type, or null when this project does not support it
   */
  public static SafetensorsDtype fromHeader(String name) {
    if (name == null) {
      return null;
    }
    for (SafetensorsDtype t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /**
   * The safetensors type that stores an ND4J array without loss.
   *
   * @param type the array's type
   * @return the matching safetensors type
   * @throws IllegalArgumentException for an ND4J type without a supported safetensors counterpart
   */
  public static SafetensorsDtype forDataType(DataType type) {
    switch (type) {
      case DOUBLE:
        return F64;
      case FLOAT:
        return F32;
      case HALF:
        return F16;
      case BFLOAT16:
        return BF16;
      case LONG:
        return I64;
      case INT:
        return I32;
      default:
        throw new IllegalArgumentException(
            "type: no supported safetensors dtype for ND4J " + type.name().toLowerCase(Locale.ROOT)
                + ", got " + type + " (supported: DOUBLE, FLOAT, HALF, BFLOAT16, LONG, INT)");
    }
  }
}

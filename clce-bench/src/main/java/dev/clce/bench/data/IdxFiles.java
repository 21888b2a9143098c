package dev.clce.bench.data;

import java.nio.file.Path;

/**
 * Validating reader for the IDX format of MNIST and Fashion-MNIST (gzipped or not).
 *
 * <p>An IDX file starts with a 4-byte magic number {@code 00 00 TT DD} (TT = element type, 0x08 for
 * unsigned bytes; DD = number of dimensions), then DD big-endian 32-bit sizes, then the data. Images
 * are {@code 0x00000803} (count, rows, columns), labels {@code 0x00000801} (count).
 */
public final class IdxFiles {

  /** Magic number of an unsigned-byte IDX file with 3 dimensions (images). */
  public static final int MAGIC_IMAGES = 0x00000803;
  /** Magic number of an unsigned-byte IDX file with 1 dimension (labels). */
  public static final int MAGIC_LABELS = 0x00000801;

  private IdxFiles() {}

  /** Images read from an IDX file: {@code count} images of {@code rows x cols} bytes. */
  public record Images(int count, int rows, int cols, byte[] pixels) {}

  /**
   * Reads and validates an IDX image file.
   *
   * @param file the file ({@code *-images-idx3-ubyte}, optionally gzipped)
   * @return the images
   * @throws DatasetFormatException if the magic number, sizes or length are wrong
   */
  public static Images readImages(Path file) {
    byte[] b = DataFiles.readAll(file);
    int headerLength = 16;
    checkMagic(file, b, MAGIC_IMAGES, "images (unsigned bytes, 3 dimensions)", headerLength);
    long count = DataFiles.u32(b, 4);
    long rows = DataFiles.u32(b, 8);
    long cols = DataFiles.u32(b, 12);
    if (count == 0 || rows == 0 || cols == 0) {
      throw new DatasetFormatException(file, "header declares " + count + " images of " + rows + "x"
          + cols + ": every size must be > 0");
    }
    // each size is below 2^32, so the product of two fits a long; the third is checked
    long data;
    try {
      data = Math.multiplyExact(count * rows, cols);
    } catch (ArithmeticException e) {
      data = Long.MAX_VALUE;
    }
    if (data > DataFiles.MAX_BYTES || count > Integer.MAX_VALUE || rows > Integer.MAX_VALUE
        || cols > Integer.MAX_VALUE) {
      throw new DatasetFormatException(file, "header declares " + count + " images of " + rows + "x" + cols
          + ", more than " + DataFiles.MAX_BYTES + " bytes, which this loader cannot hold; the file has "
          + (b.length - headerLength) + " data bytes");
    }
    checkLength(file, b, headerLength, data, count + " images of " + rows + "x" + cols);
    byte[] pixels = new byte[(int) data];
    System.arraycopy(b, headerLength, pixels, 0, pixels.length);
    return new Images((int) count, (int) rows, (int) cols, pixels);
  }

  /**
   * Reads and validates an IDX label file.
   *
   * @param file the file ({@code *-labels-idx1-ubyte}, optionally gzipped)
   * @param numClasses labels must lie in {@code [0, numClasses)}
   * @return the labels
   * @throws DatasetFormatException if the magic number, length or a label is wrong
   */
  public static int[] readLabels(Path file, int numClasses) {
    byte[] b = DataFiles.readAll(file);
    int headerLength = 8;
    checkMagic(file, b, MAGIC_LABELS, "labels (unsigned bytes, 1 dimension)", headerLength);
    long count = DataFiles.u32(b, 4);
    if (count == 0) {
      throw new DatasetFormatException(file, "header declares 0 labels");
    }
    checkLength(file, b, headerLength, count, count + " labels");
    int[] labels = new int[(int) count];
    for (int i = 0; i < labels.length; i++) {
      int v = b[headerLength + i] & 0xFF;
      if (v >= numClasses) {
        throw new DatasetFormatException(file, "label " + v + " at index " + i + " is outside [0, "
            + numClasses + ")");
      }
      labels[i] = v;
    }
    return labels;
  }

  private static void checkMagic(Path file, byte[] b, int expected, String what, int headerLength) {
    if (b.length < 4) {
      throw new DatasetFormatException(file, "truncated: " + b.length
          + " bytes, too short for an IDX magic number");
    }
    long magic = DataFiles.u32(b, 0);
    if (magic != expected) {
      throw new DatasetFormatException(file, String.format(
          "bad magic number 0x%08X, expected 0x%08X for IDX %s", magic, expected, what));
    }
    if (b.length < headerLength) {
      throw new DatasetFormatException(file, "truncated: " + b.length + " bytes, the IDX header alone is "
          + headerLength);
    }
  }

  private static void checkLength(Path file, byte[] b, int headerLength, long data, String declared) {
    long actual = b.length - headerLength;
    if (actual < data) {
      throw new DatasetFormatException(file, "truncated: header declares " + declared + " (" + data
          + " data bytes) but only " + actual + " follow the header");
    }
    if (actual > data) {
      throw new DatasetFormatException(file, "has " + (actual - data) + " unexpected bytes after the "
          + data + " data bytes the header declares (" + declared + ")");
    }
  }
}

package dev.clce.bench.data;

import com.google.common.primitives.Ints;
import com.google.common.primitives.UnsignedInts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reading whole dataset files, transparently decompressing gzip (recognised by its magic bytes). */
final class DataFiles {

  /** Files larger than this (after decompression) are refused: they cannot fit a Java array. */
  static final long MAX_BYTES = Integer.MAX_VALUE - 16;

  private DataFiles() {}

  /**
   * Reads a file into memory; a gzip file (first bytes 1f 8b) is decompressed.
   *
   * @param file the file
   * @return its (decompressed) bytes
   * @throws DatasetFormatException if it is missing, unreadable or a damaged gzip stream
   */
  static byte[] readAll(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DatasetFormatException(file, "no such file");
    }
    boolean gzip;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(2);
      gzip = head.length == 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
    } catch (IOException e) {
      throw new DatasetFormatException(file, "cannot be read: " + e.getMessage(), e);
    }
    try {
      if (!gzip) {
        if (Files.size(file) > MAX_BYTES) {
          throw new DatasetFormatException(file, "is " + Files.size(file) + " bytes, larger than "
              + MAX_BYTES + " bytes this loader can hold");
        }
        return Files.readAllBytes(file);
      }
      try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
        return in.readAllBytes();
      } catch (OutOfMemoryError e) {
        throw new DatasetFormatException(file, "decompresses to more data than this loader can hold", e);
      }
    } catch (java.io.EOFException e) {
      throw new DatasetFormatException(file, "truncated gzip stream (unexpected end of file)", e);
    } catch (java.util.zip.ZipException e) {
      throw new DatasetFormatException(file, "damaged gzip stream: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DatasetFormatException(file, "cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a big-endian unsigned 32-bit integer as a long.
   *
   * @param b the bytes
   * @param off the offset
   * @return the value
   */
  static long u32(byte[] b, int off) {
    return UnsignedInts.toLong(Ints.fromBytes(b[off], b[off + 1], b[off + 2], b[off + 3]));
  }
}

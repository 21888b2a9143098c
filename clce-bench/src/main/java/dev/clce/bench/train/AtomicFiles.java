package dev.clce.bench.train;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that a reader never sees a half-written one: the content goes to a temporary file
 * in the same directory, is forced to disk, and is then renamed over the target in one atomic move.
 */
public final class AtomicFiles {

  /** Suffix of temporary files (a crash can leave one behind; it is never read). */
  public static final String TEMP_SUFFIX = ".tmp";

  private AtomicFiles() {}

  /** Writes the content of a file to a stream. */
  @FunctionalInterface
  public interface Writer {
    /**
     * Writes the content.
     *
     * @param out the stream
     * @throws IOException if writing fails
     */
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes bytes atomically.
   *
   * @param target the file
   * @param bytes the content
   */
  public static void write(Path target, byte[] bytes) {
    write(target, out -> out.write(bytes));
  }

  /**
   * Writes a file atomically.
   *
   * @param target the file
   * @param writer what to write
   */
  public static void write(Path target, Writer writer) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + TEMP_SUFFIX);
    try {
      Files.createDirectories(dir);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
           OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
        writer.write(out);
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the temporary file is never read; leaving it is harmless
      }
      throw new UncheckedIOException("could not write " + target, e);
    }
  }
}

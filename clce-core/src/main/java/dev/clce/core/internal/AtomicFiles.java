package dev.clce.core.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one way clce writes a file: a reader (or a run resumed after a crash) never sees a half-written
 * one. The content goes to a temporary file in the target's directory ({@code .NAME.<random>.tmp}),
 * is forced to disk, and is renamed over the target in one atomic move (a plain replacing move where
 * the file system has no atomic one). On any failure the temporary file is removed, the target is
 * left as it was, and an {@link UncheckedIOException} names the target and the cause. A crash can
 * leave a temporary file behind; readers ignore names that start with a dot.
 */
public final class AtomicFiles {

  /** Suffix of temporary files. */
  public static final String TEMP_SUFFIX = ".tmp";

  private AtomicFiles() {}

  /** Writes the content to a stream. */
  @FunctionalInterface
  public interface StreamWriter {
    /**
     * @param out the stream (buffered; flushed and closed by the caller)
     * @throws IOException if writing fails
     */
    void write(OutputStream out) throws IOException;
  }

  /** Writes the content to a channel, for writers that need positioned or direct buffers. */
  @FunctionalInterface
  public interface ChannelWriter {
    /**
     * @param ch the channel, open for writing at position 0
     * @throws IOException if writing fails
     */
    void write(FileChannel ch) throws IOException;
  }

  /** Writes the content to a path, for libraries that only write to a named file. */
  @FunctionalInterface
  public interface PathWriter {
    /**
     * @param tmp the temporary file to fill (it exists and is empty)
     * @throws IOException if writing fails
     */
    void write(Path tmp) throws IOException;
  }

  /**
   * @param target the file (its directory is created when missing)
   * @param bytes the content
   */
  public static void write(Path target, byte[] bytes) {
    writeStream(target, out -> out.write(bytes));
  }

  /**
   * @param target the file (its directory is created when missing)
   * @param text the content, encoded as UTF-8
   */
  public static void writeString(Path target, String text) {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @param target the file (its directory is created when missing)
   * @param writer what to write
   */
  public static void writeStream(Path target, StreamWriter writer) {
    writeChannel(target, ch -> {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
      writer.write(out);
      out.flush();
    });
  }

  /**
   * @param target the file (its directory is created when missing)
   * @param writer what to write
   */
  public static void writeChannel(Path target, ChannelWriter writer) {
    writePath(target, tmp -> {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        writer.write(ch);
      }
    });
  }

  /**
   * @param target the file (its directory is created when missing)
   * @param writer fills the temporary file
   */
  public static void writePath(Path target, PathWriter writer) {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", TEMP_SUFFIX);
      writer.write(tmp);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + target + ": " + describe(e), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the write already failed and that is what is reported; a stray temporary file is never read
        }
      }
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
  }
}

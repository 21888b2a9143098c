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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one way clce writes a file: a reader (or a run resumed after a crash) never sees a half-written
 * one. The content goes to a temporary file in the target's directory ({@code .NAME.<random>.tmp}),
 * is forced to disk, and is renamed over the target in one atomic move (a plain replacing move where
 * the file system has no atomic one). On any failure the temporary file is removed, the target is
 * left as it was, and an {@link UncheckedIOException} names the target and the cause. A crash can
 * leave a temporary file behind; readers ignore names that start with a dot, and a program that
 * knows which targets a directory holds removes exactly those leftovers with
 * {@link #removeTemporaryFiles} (the one definition of the names is {@link #temporaryNames}).
 */
public final class AtomicFiles {

  /** Suffix of temporary files. */
  public static final String TEMP_SUFFIX = ".tmp";

  private AtomicFiles() {}

  /**
   * The names of the temporary files of writes to the targets whose names {@code targetNames}
   * matches: a dot, the target's name, a dot, the unsigned decimal number that
   * {@link Files#createTempFile} puts there, and {@link #TEMP_SUFFIX}, as in
   * {@code .config.json.8034512345.tmp}. A name that fits no target (a user's {@code notes.tmp}, or
   * {@code .other.tmp}) does not match, so a caller can clean up after a crash without touching
   * anything it did not write.
   *
   * @param targetNames matches whole target file names (its flags are not kept)
   * @return a pattern of whole temporary file names
   */
  public static Pattern temporaryNames(Pattern targetNames) {
    return Pattern.compile("\\.(?:" + targetNames.pattern() + ")\\.[0-9]+" + Pattern.quote(TEMP_SUFFIX));
  }

  /**
   * Creates an empty temporary file named as {@link #temporaryNames} describes; the writes of this
   * class use it, and so can a probe whose leftovers must be recognised the same way.
   *
   * @param dir the directory (it must exist)
   * @param targetName the name of the target the file stands for
   * @return the new file
   * @throws IOException if it cannot be created
   */
  public static Path createTemporary(Path dir, String targetName) throws IOException {
    return Files.createTempFile(dir, "." + targetName + ".", TEMP_SUFFIX);
  }

  /**
   * Removes the temporary files a killed process left in a directory for the given targets: regular
   * files whose names match {@link #temporaryNames}; nothing else (no other name, no directory, no
   * symbolic link). Only for a directory no other process is writing to: a write under way would
   * lose its temporary file and fail.
   *
   * @param dir the directory (nothing happens when it does not exist)
   * @param targetNames matches whole names of the targets written there
   * @return the names removed, sorted
   * @throws UncheckedIOException naming the directory or the file when listing or removing fails
   */
  public static List<String> removeTemporaryFiles(Path dir, Pattern targetNames) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    Pattern temporary = temporaryNames(targetNames);
    List<Path> found;
    try (Stream<Path> s = Files.list(dir)) {
      found = s.filter(p -> temporary.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + dir + ": " + describe(e), e);
    }
    List<String> removed = new ArrayList<>();
    for (Path p : found) {
      try {
        if (Files.deleteIfExists(p)) {
          removed.add(p.getFileName().toString());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not remove the temporary file " + p + ": " + describe(e), e);
      }
    }
    return List.copyOf(removed);
  }

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
      tmp = createTemporary(dir, abs.getFileName().toString());
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

package dev.clce.bench.data;

import java.nio.file.Path;

/**
 * A dataset file or directory that cannot be used: missing, corrupt, truncated or inconsistent. The
 * message starts with the file's path and says what is wrong. It is an
 * {@link IllegalArgumentException} because it is bad input (the command line maps it to exit code 2).
 */
public final class DatasetFormatException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** The file or directory at fault. */
  private final transient Path file;

  /**
   * Creates the exception.
   *
   * @param file the file or directory at fault
   * @param problem what is wrong with it
   */
  public DatasetFormatException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  /**
   * Creates the exception with a cause (for example an I/O or decompression error).
   *
   * @param file the file or directory at fault
   * @param problem what is wrong with it
   * @param cause the underlying error
   */
  public DatasetFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /**
   * The file or directory at fault.
   *
   * @return its path
   */
  public Path file() {
    return file;
  }
}

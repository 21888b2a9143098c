package dev.clce.bench.train;

/**
 * A checkpoint that cannot be used: missing, truncated, with a bad checksum, of another format
 * version, or made for another configuration or model. Nothing is loaded when it is thrown. It is an
 * {@link IllegalArgumentException} so that the command line reports it as bad input (exit code 2),
 * with a message that starts with {@code checkpoint:} and names the file.
 */
public final class CheckpointException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong (prefixed with {@code checkpoint: })
   */
  public CheckpointException(String message) {
    super("checkpoint: " + message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what is wrong (prefixed with {@code checkpoint: })
   * @param cause the underlying error
   */
  public CheckpointException(String message, Throwable cause) {
    super("checkpoint: " + message, cause);
  }
}

package dev.clce.bench.train;

/**
 * Training met a NaN or an infinity: in the loss, in a parameter's gradient, or in a parameter about
 * to be checkpointed. It is thrown before the bad values reach the parameters, the BatchNorm running
 * statistics or a checkpoint, so the newest checkpoint on disk is the last good state. It names the
 * step (1-based, as the progress display and {@code metrics.jsonl} count) and what was not finite.
 */
public final class NonFiniteException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** What held the non-finite value. */
  public enum Where {
    /** the loss of the step */
    LOSS,
    /** the gradient of a parameter */
    GRADIENT,
    /** a parameter or buffer of the model */
    PARAMETER,
    /**
     * a value inside the step's computation, refused by the loss's own input check (the model's
     * embeddings or logits, which overflow before the loss or a gradient can)
     */
    LOSS_INPUT
  }

  private final long step;
  private final Where where;
  private final String name;

  /**
   * @param step the step, from 1
   * @param where loss, gradient or parameter
   * @param name the parameter's name (null for the loss)
   * @param value what was found ({@code NaN}, {@code Infinity}, or a description)
   */
  NonFiniteException(long step, Where where, String name, String value) {
    this(step, where, name, value, null);
  }

  /**
   * @param step the step, from 1
   * @param where loss, gradient or parameter
   * @param name the parameter's name (null for the loss)
   * @param value what was found
   * @param cause the refusal that found it (null when this class's check did)
   */
  NonFiniteException(long step, Where where, String name, String value, Throwable cause) {
    super(describe(step, where, name, value), cause);
    this.step = step;
    this.where = where;
    this.name = name;
  }

  private static String describe(long step, Where where, String name, String value) {
    String what = switch (where) {
      case LOSS -> "the loss is " + value;
      case GRADIENT -> "the gradient of parameter " + name + " holds " + value;
      case PARAMETER -> "parameter " + name + " holds " + value;
      case LOSS_INPUT -> "the loss refused the model's output (" + value + ")";
    };
    return "training stopped at step " + step + ": " + what
        + "; nothing of this step was applied or checkpointed (lower --lr or change the loss parameters)";
  }

  /** @return the step, from 1 */
  public long step() {
    return step;
  }

  /** @return where the value was */
  public Where where() {
    return where;
  }

  /** @return the parameter's name, or null for the loss */
  public String name() {
    return name;
  }
}

package dev.clce.core.loss;

/**
 * The data of one loss call broke a "Bad input" rule of {@code LOSSES.md}: the arrays handed to
 * {@link EagerLoss} (and so to the DL4J adapter and the chunked gradients) or, at run time, the
 * arrays reaching a loss of {@link SDClceLoss} in a graph. The message starts with the argument's
 * name ({@code embeddings}, {@code labels}, {@code logits}) and shows the offending value.
 *
 * <p>Why a type of its own: a caller that runs the loss inside a larger computation (a training
 * loop, say) needs to tell "the loss refused this step's data" from any other
 * {@link IllegalArgumentException} of that computation, and in particular a diverged model
 * ({@link Rule#NON_FINITE}) from a bug, without reading messages. It extends
 * {@link IllegalArgumentException}, so code that catches that keeps working.
 *
 * <p>Not of this type: refusals of a configuration or of a graph being built (a bad {@code tau},
 * a null {@link LossConfig}, shapes {@link SDClceLoss} can already see when the loss is added) and
 * the eager form's size limits. Those are errors in the program, not in a batch of data, and stay
 * plain {@link IllegalArgumentException}s.
 */
public final class LossInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Which rule the data broke. */
  public enum Rule {
    /** an input the loss reads is null */
    MISSING,
    /** an input has the wrong rank, or no columns */
    SHAPE,
    /** an input has the wrong data type, or embeddings and logits differ in type */
    DATA_TYPE,
    /** fewer than two rows (M &lt; 2) */
    BATCH_SIZE,
    /** the row counts of embeddings, labels and logits differ */
    ROW_COUNT,
    /** a label is not a whole number, is negative, or is not below C (the logits' columns) */
    LABEL,
    /** embeddings or logits hold a NaN or an infinity (checked when {@link LossConfig#checkInputs()} is on) */
    NON_FINITE
  }

  private final String argument;
  private final Rule rule;

  /**
   * @param argument the argument's name ({@code embeddings}, {@code labels} or {@code logits}); the
   *     message starts with it
   * @param rule the rule broken
   * @param detail what is wrong, with the value (the message is {@code argument + ": " + detail})
   */
  LossInputException(String argument, Rule rule, String detail) {
    super(argument + ": " + detail);
    this.argument = argument;
    this.rule = rule;
  }

  /** @return the argument refused: {@code embeddings}, {@code labels} or {@code logits} */
  public String argument() {
    return argument;
  }

  /** @return the rule broken */
  public Rule rule() {
    return rule;
  }
}

package dev.clce.core.loss;

import dev.clce.core.loss.LossInputException.Rule;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checks the arrays of one loss call against every "Bad input" rule of {@code LOSSES.md}, before
 * any computation. Each failure of the data is a {@link LossInputException} whose message starts with
 * the argument's name ({@code config}, {@code embeddings}, {@code labels}, {@code logits}) and shows
 * the offending value.
 *
 * <p>Only the inputs the loss reads are checked (the logits of a purely contrastive loss and the
 * embeddings of CE are ignored, and may be null). The rules: the inputs it reads are present;
 * embeddings and logits are floating-point matrices of the same data type with at least one column;
 * labels are a vector (rank 1) of whole numbers; the batch has M &gt;= 2 rows; the rows of
 * embeddings, labels and logits agree; every label is &gt;= 0, and &lt; C (the logits' columns) when
 * the loss reads logits; and, when {@link LossConfig#checkInputs()} is on, embeddings and logits
 * hold no NaN or infinity. The hyper-parameters themselves were checked when the {@link LossConfig}
 * was built.
 */
public final class LossInputs {
  private LossInputs() {}

  /**
   * Validates the inputs of one loss call.
   *
   * @param config the loss
   * @param embeddings [M, d] raw embeddings (ignored for CE)
   * @param labels [M] labels: an integer array, or a floating one holding whole numbers
   * @param logits [M, C] logits (ignored for the purely contrastive losses)
   * @return the batch size M
   * @throws LossInputException naming the first argument that breaks a rule, with its value
   * @throws IllegalArgumentException when {@code config} is null
   */
  public static int validate(LossConfig config, INDArray embeddings, INDArray labels, INDArray logits) {
    if (config == null) {
      throw new IllegalArgumentException("config: must not be null");
    }
    LossKind kind = config.kind();
    if (kind.usesEmbeddings()) {
      requireMatrix("embeddings", embeddings, kind);
    }
    if (kind.usesLogits()) {
      requireMatrix("logits", logits, kind);
    }
    if (kind.usesEmbeddings() && kind.usesLogits() && embeddings.dataType() != logits.dataType()) {
      throw new LossInputException("logits", Rule.DATA_TYPE, "data type " + logits.dataType()
          + " differs from the embeddings' " + embeddings.dataType());
    }
    if (labels == null) {
      throw new LossInputException("labels", Rule.MISSING, "must not be null");
    }
    requireVector(labels);
    String first = kind.usesEmbeddings() ? "embeddings" : "logits";
    INDArray firstArr = kind.usesEmbeddings() ? embeddings : logits;
    long m = firstArr.rows();
    requireBatch(first, m);
    if (labels.length() != m) {
      throw new LossInputException("labels", Rule.ROW_COUNT,
          "length " + labels.length() + " differs from the " + first + "' rows " + m);
    }
    if (kind.usesEmbeddings() && kind.usesLogits() && logits.rows() != m) {
      throw new LossInputException("logits", Rule.ROW_COUNT, "rows " + logits.rows() + " differ from the embeddings' rows " + m);
    }
    long classes = kind.usesLogits() ? logits.columns() : Long.MAX_VALUE;
    checkLabels(labels, classes);
    if (config.checkInputs()) {
      if (kind.usesEmbeddings()) {
        requireFinite("embeddings", embeddings);
      }
      if (kind.usesLogits()) {
        requireFinite("logits", logits);
      }
    }
    return (int) m;
  }

  static void requireMatrix(String arg, INDArray a, LossKind kind) {
    if (a == null) {
      throw new LossInputException(arg, Rule.MISSING, "must not be null for loss " + kind.cliName());
    }
    if (a.rank() != 2) {
      throw new LossInputException(arg, Rule.SHAPE, "must be a matrix (rank 2), got shape " + Arrays.toString(a.shape()));
    }
    if (!a.dataType().isFPType()) {
      throw new LossInputException(arg, Rule.DATA_TYPE, "must be floating point, got " + a.dataType());
    }
    if (a.columns() < 1) {
      throw new LossInputException(arg, Rule.SHAPE, "needs at least one column, got shape " + Arrays.toString(a.shape()));
    }
  }

  static void checkLabels(INDArray labels, long classes) {
    DataType dt = labels.dataType();
    if (dt.isFPType()) {
      double[] v = labels.toDoubleVector();
      for (int i = 0; i < v.length; i++) {
        if (!Double.isFinite(v[i]) || v[i] != Math.rint(v[i])) {
          throw new LossInputException("labels", Rule.LABEL, "must be whole numbers, got " + v[i] + " at index " + i);
        }
        checkRange(v[i], i, classes);
      }
    } else if (dt.isIntType()) {
      long[] v = labels.toLongVector();
      for (int i = 0; i < v.length; i++) {
        checkRange(v[i], i, classes);
      }
    } else {
      throw new LossInputException("labels", Rule.DATA_TYPE, "must be an integer array, got data type " + dt);
    }
  }

  private static void checkRange(double label, int index, long classes) {
    if (label < 0) {
      throw new LossInputException("labels", Rule.LABEL, "must be >= 0, got " + fmt(label) + " at index " + index);
    }
    if (label >= classes) {
      throw new LossInputException("labels", Rule.LABEL, "must be < C = " + classes + " (the logits' columns), got "
          + fmt(label) + " at index " + index);
    }
  }

  /** Labels are a vector [M]. */
  static void requireVector(INDArray labels) {
    if (labels.rank() != 1) {
      throw new LossInputException("labels", Rule.SHAPE,
          "must be a vector [M] (rank 1), got shape " + Arrays.toString(labels.shape()));
    }
  }

  /** The batch has M &gt;= 2 rows (a contrastive loss needs a pair; LOSSES.md asks the same of CE). */
  static void requireBatch(String arg, long m) {
    if (m < 2) {
      throw new LossInputException(arg, Rule.BATCH_SIZE, "the batch needs M >= 2 rows, got M = " + m);
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  static void requireFinite(String arg, INDArray a) {
    // Fast path: the sum of a finite array can still overflow to infinity, so only a non-finite
    // sum triggers the exact (slower) scan.
    double s = a.sumNumber().doubleValue();
    if (Double.isFinite(s)) {
      return;
    }
    long cols = a.columns();
    double[] v = a.dup('c').data().asDouble();
    for (int k = 0; k < v.length; k++) {
      if (!Double.isFinite(v[k])) {
        throw new LossInputException(arg, Rule.NON_FINITE, "must be finite, got " + v[k] + " at row " + (k / cols)
            + ", column " + (k % cols));
      }
    }
  }
}

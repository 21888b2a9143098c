package dev.clce.core.loss;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Enforces LOSSES.md's bad-input rules on the SameDiff form at run time, where the batch size and
 * the widths may be unknown ({@code -1}) when the graph is built.
 *
 * <p>Why a listener: M2.1 has no assertion op that can raise a clear Java exception, and SameDiff
 * calls a listener's {@link #preOpExecution} before every op in all of its execution paths
 * ({@code sd.output}, {@code sd.calculateGradients}, {@code sd.fit}; the gradient function gets
 * the graph's listeners). Each loss reads its embeddings, labels and logits through an identity op
 * of its own (a pass-through that copies nothing and never calculates a shape, so it cannot fail
 * first); before such an op runs, the guard checks the array it is about to pass on, and checks it
 * against the loss's other inputs already seen in this execution. Every op of the loss that
 * combines two inputs runs after both identity ops, so a disagreement (row counts, a label
 * against the logits' width) is refused before any op sees it, and a refusal in the forward pass
 * comes before any update of {@code sd.fit}. The exception is the eager form's
 * ({@link LossInputs}): an {@link IllegalArgumentException} naming the argument and the value.
 *
 * <p>One guard per graph, attached by {@link SDClceLoss} when it adds the first loss; it holds the
 * inputs of every loss added to that graph. {@code sd.setListeners(...)} replaces a graph's
 * listeners, this guard included: add your own with {@code sd.addListeners(...)}.
 */
final class LossInputGuard extends BaseListener {

  /** The arguments, in the order of {@link Gate#ops}. */
  private static final String[] ARGS = {"embeddings", "labels", "logits"};

  /** One loss's inputs: the names of its identity ops (null where the loss reads no such input). */
  private record Gate(LossConfig config, String[] ops) {}

  private final List<Gate> gates = new ArrayList<>();
  /** Op name to (gate, argument index). */
  private final Map<String, int[]> byOp = new HashMap<>();
  /** The arrays seen in the current execution, per gate. */
  private final Map<Integer, INDArray[]> seen = new HashMap<>();

  private LossInputGuard() {}

  /**
   * Routes a loss's inputs through identity ops that this graph's guard checks at run time.
   *
   * @param sd the graph
   * @param config the loss
   * @param inputs embeddings, labels and logits (null where the loss reads none)
   * @return the checked stand-ins for {@code inputs}, in the same order
   */
  static SDVariable[] guard(SameDiff sd, LossConfig config, SDVariable... inputs) {
    LossInputGuard guard = null;
    for (var l : sd.getListeners()) {
      if (l instanceof LossInputGuard g) {
        guard = g;
      }
    }
    if (guard == null) {
      guard = new LossInputGuard();
      sd.addListeners(guard);
    }
    SDVariable[] out = new SDVariable[inputs.length];
    String[] ops = new String[inputs.length];
    int gate = guard.gates.size();
    for (int a = 0; a < inputs.length; a++) {
      if (inputs[a] == null) {
        continue;
      }
      out[a] = sd.identity(inputs[a]);
      ops[a] = sd.getVariableOutputOp(out[a].name()).getOwnName();
      guard.byOp.put(ops[a], new int[] {gate, a});
    }
    guard.gates.add(new Gate(config, ops));
    return out;
  }

  @Override
  public boolean isActive(Operation operation) {
    return true;
  }

  @Override
  public void operationStart(SameDiff sd, Operation op) {
    seen.clear();
  }

  @Override
  public void iterationStart(SameDiff sd, At at, MultiDataSet data, long etlTimeMs) {
    seen.clear();
  }

  @Override
  public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
    int[] where = byOp.get(op.getName());
    if (where == null) {
      return;
    }
    INDArray arr = opContext != null && !opContext.getInputArrays().isEmpty()
        ? opContext.getInputArrays().get(0)
        : null;
    if (arr == null) {
      return; // nothing to check (not reached in M2.1: identity ops always get their input)
    }
    Gate gate = gates.get(where[0]);
    INDArray[] arrays = seen.computeIfAbsent(where[0], k -> new INDArray[ARGS.length]);
    arrays[where[1]] = arr;
    check(gate.config(), where[1], arrays);
  }

  /** The rules for the argument that just arrived, and between it and those seen before it. */
  private static void check(LossConfig config, int arg, INDArray[] arrays) {
    INDArray z = arrays[0];
    INDArray y = arrays[1];
    INDArray o = arrays[2];
    INDArray a = arrays[arg];
    String name = ARGS[arg];
    if (arg == 1) {
      if (a.rank() != 1) {
        throw new IllegalArgumentException(
            "labels: must be a vector [M] (rank 1), got shape " + Arrays.toString(a.shape()));
      }
    } else {
      LossInputs.requireMatrix(name, a, config.kind());
    }
    long m = arg == 1 ? a.length() : a.rows();
    if (m < 2) {
      throw new IllegalArgumentException(name + ": the batch needs M >= 2 rows, got M = " + m);
    }
    if (z != null && y != null && y.length() != z.rows()) {
      throw new IllegalArgumentException(
          "labels: length " + y.length() + " differs from the embeddings' rows " + z.rows());
    }
    if (o != null && z != null && o.rows() != z.rows()) {
      throw new IllegalArgumentException("logits: rows " + o.rows() + " differ from the embeddings' rows " + z.rows());
    }
    if (o != null && y != null && z == null && o.rows() != y.length()) {
      throw new IllegalArgumentException("labels: length " + y.length() + " differs from the logits' rows " + o.rows());
    }
    if (y != null && (arg == 1 || arg == 2)) {
      LossInputs.checkLabels(y, o != null ? o.columns() : Long.MAX_VALUE);
    }
    if (arg != 1 && config.checkInputs()) {
      LossInputs.requireFinite(name, a);
    }
  }
}

package dev.clce.core.loss;

import dev.clce.core.loss.LossInputException.Rule;
import java.util.ArrayList;
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
 * the graph's listeners). Before the first op of a loss that reads its embeddings, labels or logits
 * runs, the guard checks the array the op is about to read, and checks it against the loss's other
 * inputs already seen in this execution. An op of the loss that combines two inputs runs after the
 * first reader of each, so a disagreement (row counts, a label against the logits' width) is
 * refused before any op combines them, and a refusal in the forward pass comes before any update of
 * {@code sd.fit}. The guard adds no op: the graph computes what it would compute without it,
 * rounding included (a pass-through op in front of the loss would change the order in which
 * SameDiff adds up an input's gradient contributions). The exception is the eager form's
 * ({@link LossInputs}): a {@link LossInputException} naming the argument and the value. SameDiff
 * does not wrap an exception thrown by a listener: the caller of {@code sd.output} (or
 * {@code calculateGradients}, {@code fit}) gets this one.
 *
 * <p>One guard per graph, attached by {@link SDClceLoss} when it adds the first loss; it holds the
 * inputs of every loss added to that graph. {@code sd.setListeners(...)} replaces a graph's
 * listeners, this guard included: add your own with {@code sd.addListeners(...)}.
 */
final class LossInputGuard extends BaseListener {

  /** The arguments, in the order of {@link Gate#ops}. */
  private static final String[] ARGS = {"embeddings", "labels", "logits"};

  /** One loss. */
  private record Gate(LossConfig config) {}

  private final List<Gate> gates = new ArrayList<>();
  /** A loss op's name to what it reads: (gate, argument index, index among the op's inputs). */
  private final Map<String, List<int[]>> byOp = new HashMap<>();
  /** The arrays seen in the current execution, per gate. */
  private final Map<Integer, INDArray[]> seen = new HashMap<>();

  private LossInputGuard() {}

  /**
   * Has this graph's guard check a loss's inputs at run time, before the first op of the loss that
   * reads each of them. The loss reads the caller's variables directly (no stand-in ops), so the
   * graph computes exactly what it would without the guard, rounding included.
   *
   * @param sd the graph
   * @param config the loss
   * @param before the names of the graph's ops before the loss was added: the ops added since are
   *     the loss's own
   * @param inputs embeddings, labels and logits (null where the loss reads none)
   */
  static void watch(SameDiff sd, LossConfig config, java.util.Set<String> before, SDVariable... inputs) {
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
    int gate = guard.gates.size();
    boolean[] read = new boolean[inputs.length];
    for (Map.Entry<String, SameDiffOp> e : sd.getOps().entrySet()) {
      if (before.contains(e.getKey())) {
        continue;
      }
      List<String> opInputs = e.getValue().getInputsToOp();
      for (int i = 0; opInputs != null && i < opInputs.size(); i++) {
        for (int a = 0; a < inputs.length; a++) {
          if (inputs[a] != null && inputs[a].name().equals(opInputs.get(i))) {
            guard.byOp.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new int[] {gate, a, i});
            read[a] = true;
          }
        }
      }
    }
    for (int a = 0; a < inputs.length; a++) {
      if (inputs[a] != null && !read[a]) {
        throw new IllegalStateException("the loss reads no " + ARGS[a] + " (" + inputs[a].name() + "): cannot guard it");
      }
    }
    guard.gates.add(new Gate(config));
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
    List<int[]> reads = byOp.get(op.getName());
    if (reads == null || opContext == null) {
      return;
    }
    List<INDArray> args = opContext.getInputArrays();
    for (int[] r : reads) {
      INDArray[] arrays = seen.computeIfAbsent(r[0], k -> new INDArray[ARGS.length]);
      if (arrays[r[1]] != null || args == null || r[2] >= args.size() || args.get(r[2]) == null) {
        continue;   // checked already in this execution (or nothing to check)
      }
      arrays[r[1]] = args.get(r[2]);
      check(gates.get(r[0]).config(), r[1], arrays);
    }
  }

  /** The rules for the argument that just arrived, and between it and those seen before it. */
  private static void check(LossConfig config, int arg, INDArray[] arrays) {
    INDArray z = arrays[0];
    INDArray y = arrays[1];
    INDArray o = arrays[2];
    INDArray a = arrays[arg];
    String name = ARGS[arg];
    if (arg == 1) {
      LossInputs.requireVector(a);
    } else {
      LossInputs.requireMatrix(name, a, config.kind());
    }
    long m = arg == 1 ? a.length() : a.rows();
    LossInputs.requireBatch(name, m);
    if (z != null && y != null && y.length() != z.rows()) {
      throw new LossInputException("labels", Rule.ROW_COUNT,
          "length " + y.length() + " differs from the embeddings' rows " + z.rows());
    }
    if (o != null && z != null && o.rows() != z.rows()) {
      throw new LossInputException("logits", Rule.ROW_COUNT, "rows " + o.rows() + " differ from the embeddings' rows " + z.rows());
    }
    if (o != null && y != null && z == null && o.rows() != y.length()) {
      throw new LossInputException("labels", Rule.ROW_COUNT, "length " + y.length() + " differs from the logits' rows " + o.rows());
    }
    if (y != null && (arg == 1 || arg == 2)) {
      LossInputs.checkLabels(y, o != null ? o.columns() : Long.MAX_VALUE);
    }
    if (arg != 1 && config.checkInputs()) {
      LossInputs.requireFinite(name, a);
    }
  }
}

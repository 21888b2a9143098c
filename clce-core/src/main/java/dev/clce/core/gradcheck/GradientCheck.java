package dev.clce.core.gradcheck;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Checks the gradients of any SameDiff graph against central finite differences, in double
 * precision, and says where they disagree.
 *
 * <pre>{@code
 * GradientCheckReport report = GradientCheck.builder(sd)
 *     .setLoss("loss")                       // a scalar op output
 *     .setVariables("w", "b", "z")           // trainable variables and/or floating placeholders
 *     .optPlaceholders(Map.of("z", z, "y", labels))
 *     .build()
 *     .run();
 * if (!report.passed()) System.out.println(report);
 * }</pre>
 *
 * <p>What {@link #run()} does:
 * <ol>
 *   <li>Switches the caller's graph to double for the duration of the check and restores it
 *       afterwards (in a {@code finally}): every floating VARIABLE, CONSTANT and PLACEHOLDER becomes
 *       {@link DataType#DOUBLE} (variables and constants get double copies of their values), and so
 *       do the floating types that ops fixed when the graph was built (a {@code castTo(FLOAT)}, the
 *       scalar of {@code x.add(1e-12)}, a FLOAT data-type argument); floating placeholder values
 *       are cast to double copies; integer placeholders such as labels keep their type. Afterwards
 *       the graph has its own types, value arrays, loss variables and gradient function back; the
 *       caller's arrays are never written. (Not on a {@link SameDiff#dup()} copy: in M2.1 that
 *       flatbuffers round trip loses fields of some ops, for example the target type of a cast.)
 *       Not thread-safe: do not use the graph from another thread during the check. When the loss
 *       is still not double after the switch (an op kept its type some other way) the check
 *       refuses to run rather than check in float.
 *   <li>Computes SameDiff's analytic gradient of the loss with respect to each named variable
 *       ({@link SameDiff#createGradFunction(String...)} then {@link
 *       SameDiff#calculateGradients(Map, Collection)}; a variable for which SameDiff builds no
 *       gradient is taken to have gradient zero, and the report lists it).
 *   <li>For each entry of each named variable (or a seeded random subset of {@link
 *       Builder#optMaxPerVariable(int)} entries), evaluates the loss at {@code x + eps} and {@code x
 *       - eps} and compares {@code (L+ - L-) / (2 eps)} with the analytic value (see {@link
 *       GradientCheckReport} for the error measures and the pass rule).
 * </ol>
 *
 * <p>The forward passes for the finite differences run in inference mode and the analytic gradient
 * in training mode, so a graph whose ops behave differently in training (dropout, randomness) cannot
 * be checked meaningfully. Non-smooth points (ReLU at 0, max ties) can fail legitimately.
 *
 * <p>Unlike {@code org.nd4j.autodiff.validation.GradCheckUtil}, which only returns a boolean and logs
 * failures, which needs the global default data type set to double, and which counts an entry whose
 * analytic gradient is exactly 0 as passing whatever the finite difference says, this check returns
 * a report, leaves global settings alone, and fails a zero analytic gradient against a non-zero
 * finite difference.
 */
public final class GradientCheck {

  /** Default finite-difference step. */
  public static final double DEFAULT_EPSILON = 1e-6;
  /** Default relative-error threshold. */
  public static final double DEFAULT_MAX_RELATIVE_ERROR = 1e-5;
  /** Default absolute-error floor. */
  public static final double DEFAULT_MIN_ABSOLUTE_ERROR = 1e-10;
  /** Default number of failing entries kept in the report. */
  public static final int DEFAULT_MAX_REPORTED_FAILURES = 20;
  /** Default seed of the subset choice. */
  public static final long DEFAULT_SEED = 12345L;

  private static final int MAX_NAMES_IN_MESSAGE = 20;
  /** The name under which SameDiff keeps a graph's gradient function. */
  private static final String GRAD_FUNCTION = "grad";

  private final SameDiff sd;
  private final String loss;
  private final List<String> variables;
  private final Map<String, INDArray> placeholders;
  private final double epsilon;
  private final double maxRelativeError;
  private final double minAbsoluteError;
  private final int maxPerVariable;
  private final int maxReportedFailures;
  private final long seed;

  private GradientCheck(Builder b) {
    this.sd = b.sd;
    this.loss = b.loss;
    this.variables = List.copyOf(b.variables);
    this.placeholders = new LinkedHashMap<>(b.placeholders);
    this.epsilon = b.epsilon;
    this.maxRelativeError = b.maxRelativeError;
    this.minAbsoluteError = b.minAbsoluteError;
    this.maxPerVariable = b.maxPerVariable;
    this.maxReportedFailures = b.maxReportedFailures;
    this.seed = b.seed;
  }

  /**
   * Starts a check of a graph.
   *
   * @param sd the graph (switched to double during {@link GradientCheck#run()}, then restored)
   * @return a builder
   * @throws IllegalArgumentException when {@code sd} is null
   */
  public static Builder builder(SameDiff sd) {
    return new Builder(sd);
  }

  /**
   * Runs the check.
   *
   * @return the report; {@link GradientCheckReport#passed()} says whether every entry agreed
   * @throws IllegalArgumentException when the loss turns out not to be a scalar, or not double after
   *     the conversion
   */
  public GradientCheckReport run() {
    SameDiff g = sd;
    Map<String, DataType> typesBefore = new HashMap<>();
    Map<String, SDVariable> gradientsBefore = new HashMap<>();
    for (Variable v : g.getVariables().values()) {
      typesBefore.put(v.getName(), v.getVariable().dataType());
      gradientsBefore.put(v.getName(), v.getGradient());
    }
    List<String> lossBefore = new ArrayList<>(g.getLossVariables());
    SameDiff gradFunctionBefore = g.getFunction(GRAD_FUNCTION);
    boolean cacheBefore = g.isEnableCache();
    List<Runnable> undo = new ArrayList<>();
    try {
      return runOn(g, undo);
    } finally {
      for (int i = undo.size() - 1; i >= 0; i--) {
        undo.get(i).run();
      }
      for (Variable v : g.getVariables().values()) {
        DataType t = typesBefore.get(v.getName());
        if (t != null) {
          v.getVariable().setDataType(t);
          v.setGradient(gradientsBefore.get(v.getName()));
        }
      }
      g.setLossVariables(lossBefore.toArray(new String[0]));
      if (gradFunctionBefore != null) {
        g.putSubFunction(GRAD_FUNCTION, gradFunctionBefore);
      }
      g.setEnableCache(cacheBefore);
    }
  }

  private GradientCheckReport runOn(SameDiff g, List<Runnable> undo) {
    if (convertInputsToDouble(g, undo)) {
      OpTypes.toDouble(g, undo);
      repropagateDataTypes(g);
    }
    g.setEnableCache(false);

    Map<String, INDArray> ph = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : placeholders.entrySet()) {
      INDArray a = e.getValue();
      ph.put(e.getKey(), a.dataType().isFPType() ? a.castTo(DataType.DOUBLE).dup() : a.dup());
    }

    g.setLossVariables(loss);
    List<String> checkedPlaceholders = new ArrayList<>();
    for (String v : variables) {
      if (g.getVariable(v).getVariableType() == VariableType.PLACEHOLDER) {
        checkedPlaceholders.add(v);
      }
    }
    g.createGradFunction(checkedPlaceholders.toArray(new String[0]));

    double base = lossValue(g, ph);

    Map<String, INDArray> grads = g.calculateGradients(ph, variables);
    Map<String, INDArray> analytic = new LinkedHashMap<>();
    List<String> withoutGradient = new ArrayList<>();
    for (String v : variables) {
      INDArray gr = grads.get(v);
      INDArray value = valueOf(g, ph, v);
      if (gr == null) {
        withoutGradient.add(v);
        analytic.put(v, value.ulike().assign(0.0));
      } else {
        if (!Arrays.equals(gr.shape(), value.shape())) {
          throw new IllegalStateException("gradient of '" + v + "' has shape " + Arrays.toString(gr.shape())
              + " but the variable has shape " + Arrays.toString(value.shape()));
        }
        analytic.put(v, gr.castTo(DataType.DOUBLE).dup());
      }
    }

    Random rng = new Random(seed);
    Map<String, Long> checkedPer = new LinkedHashMap<>();
    Map<String, Long> failedPer = new LinkedHashMap<>();
    List<GradientCheckReport.Entry> failures = new ArrayList<>();
    GradientCheckReport.Entry worst = null;
    long checked = 0;
    long failed = 0;
    for (String v : variables) {
      INDArray value = valueOf(g, ph, v);
      INDArray an = analytic.get(v);
      long n = value.length();
      long[] shape = value.shape();
      for (long linear : chooseIndices(n, rng)) {
        long[] idx = shape.length == 0 ? new long[0] : Shape.ind2subC(shape, linear);
        double orig = get(value, idx);
        set(value, idx, orig + epsilon);
        double plus = lossValue(g, ph);
        set(value, idx, orig - epsilon);
        double minus = lossValue(g, ph);
        set(value, idx, orig);

        double num = (plus - minus) / (2 * epsilon);
        double a = get(an, idx);
        GradientCheckReport.Entry e = compare(v, idx, a, num);
        checked++;
        checkedPer.merge(v, 1L, Long::sum);
        if (e.failed()) {
          failed++;
          failedPer.merge(v, 1L, Long::sum);
          if (failures.size() < maxReportedFailures) {
            failures.add(e);
          }
        }
        if (worse(e, worst)) {
          worst = e;
        }
      }
    }
    return new GradientCheckReport(loss, base, epsilon, maxRelativeError, minAbsoluteError, checkedPer, failedPer,
        withoutGradient, checked, failed, worst, failures);
  }

  /**
   * Converts the floating VARIABLEs, CONSTANTs and PLACEHOLDERs to DOUBLE, and gives every floating
   * VARIABLE a private copy of its value to perturb. (Not with {@link
   * SameDiff#convertDataTypes(Map)}: in M2.1 it updates op output types breadth-first, visiting
   * each op once, so an op reached through a short path before its other input was updated keeps
   * the old type, for example {@code mmul(tanh(x w1), w2)} stays FLOAT, and it can throw while
   * half done on graphs that mix integer and floating paths.)
   *
   * @return whether a data type changed
   */
  private static boolean convertInputsToDouble(SameDiff g, List<Runnable> undo) {
    boolean changed = false;
    for (Variable v : new ArrayList<>(g.getVariables().values())) {
      SDVariable s = v.getVariable();
      VariableType t = s.getVariableType();
      DataType before = s.dataType();
      boolean convert = before.isFPType() && before != DataType.DOUBLE
          && (t == VariableType.VARIABLE || t == VariableType.CONSTANT || t == VariableType.PLACEHOLDER);
      // Trainable variables are perturbed entry by entry: always on a copy, never the caller's array.
      boolean copy = before.isFPType() && t == VariableType.VARIABLE;
      if (!convert && !copy) {
        continue;
      }
      INDArray old = t == VariableType.PLACEHOLDER ? null : g.getArrForVarName(s.name());
      s.setDataType(DataType.DOUBLE);
      if (old != null) {
        g.associateArrayWithVariable(old.castTo(DataType.DOUBLE).dup(), s);
      }
      undo.add(() -> {
        s.setDataType(before);
        if (old != null) {
          g.associateArrayWithVariable(old, s);
        }
      });
      changed |= convert;
    }
    return changed;
  }

  /** Re-infers every op's output types from its inputs, in passes, until nothing changes. */
  private static void repropagateDataTypes(SameDiff g) {
    Map<String, Variable> vars = g.getVariables();
    boolean changed = true;
    for (int pass = 0; changed && pass <= g.getOps().size(); pass++) {
      changed = false;
      for (SameDiffOp op : g.getOps().values()) {
        List<String> in = op.getInputsToOp();
        List<String> out = op.getOutputsOfOp();
        if (out == null || out.isEmpty()) {
          continue;
        }
        List<DataType> inTypes = new ArrayList<>();
        if (in != null) {
          for (String s : in) {
            inTypes.add(vars.get(s).getVariable().dataType());
          }
        }
        List<DataType> outTypes;
        try {
          outTypes = op.getOp().calculateOutputDataTypes(inTypes);
        } catch (RuntimeException e) {
          continue; // an op that cannot say: leave its recorded types
        }
        if (outTypes == null) {
          continue;
        }
        for (int i = 0; i < out.size() && i < outTypes.size(); i++) {
          SDVariable v = vars.get(out.get(i)).getVariable();
          if (outTypes.get(i) != null && v.dataType() != outTypes.get(i)) {
            v.setDataType(outTypes.get(i));
            changed = true;
          }
        }
      }
    }
  }

  private GradientCheckReport.Entry compare(String v, long[] idx, double a, double num) {
    double abs = Math.abs(a - num);
    double rel;
    boolean fail;
    if (!Double.isFinite(a) || !Double.isFinite(num)) {
      rel = Double.NaN;
      fail = true;
    } else {
      rel = (a == 0.0 && num == 0.0) ? 0.0 : abs / (Math.abs(a) + Math.abs(num));
      fail = rel > maxRelativeError && abs > minAbsoluteError;
    }
    return new GradientCheckReport.Entry(v, idx.clone(), a, num, rel, abs, fail);
  }

  /** NaN first, then largest relative error above the floor, then largest absolute error. */
  private boolean worse(GradientCheckReport.Entry e, GradientCheckReport.Entry cur) {
    if (cur == null) {
      return true;
    }
    if (Double.isNaN(cur.relativeError())) {
      return false;
    }
    if (Double.isNaN(e.relativeError())) {
      return true;
    }
    boolean eCounts = e.absoluteError() > minAbsoluteError;
    boolean curCounts = cur.absoluteError() > minAbsoluteError;
    if (eCounts != curCounts) {
      return eCounts;
    }
    return eCounts ? e.relativeError() > cur.relativeError() : e.absoluteError() > cur.absoluteError();
  }

  private List<Long> chooseIndices(long n, Random rng) {
    List<Long> out = new ArrayList<>();
    if (n <= maxPerVariable) {
      for (long i = 0; i < n; i++) {
        out.add(i);
      }
      return out;
    }
    TreeSet<Long> chosen = new TreeSet<>();
    while (chosen.size() < maxPerVariable) {
      chosen.add(Math.floorMod(rng.nextLong(), n));
    }
    out.addAll(chosen);
    return out;
  }

  private static double get(INDArray a, long[] idx) {
    return idx.length == 0 ? a.getDouble(0L) : a.getDouble(idx);
  }

  private static void set(INDArray a, long[] idx, double x) {
    if (idx.length == 0) {
      a.putScalar(0L, x);
    } else {
      a.putScalar(idx, x);
    }
  }

  private static INDArray valueOf(SameDiff g, Map<String, INDArray> ph, String name) {
    if (g.getVariable(name).getVariableType() == VariableType.PLACEHOLDER) {
      return ph.get(name);
    }
    return g.getArrForVarName(name);
  }

  private double lossValue(SameDiff g, Map<String, INDArray> ph) {
    INDArray out = g.output(ph, loss).get(loss);
    if (out.length() != 1) {
      throw new IllegalArgumentException(
          "loss: '" + loss + "' must be a scalar, got shape " + Arrays.toString(out.shape()));
    }
    if (out.dataType() != DataType.DOUBLE) {
      throw new IllegalArgumentException("loss: '" + loss + "' is " + out.dataType()
          + " after converting the graph's floating inputs to DOUBLE (the graph casts to a fixed"
          + " type somewhere); a finite-difference check needs the loss in double");
    }
    return out.getDouble(0L);
  }

  /** Builder: {@code setLoss} and {@code setVariables} are required, the {@code opt} settings optional. */
  public static final class Builder {
    private final SameDiff sd;
    private String loss;
    private final List<String> variables = new ArrayList<>();
    private final Map<String, INDArray> placeholders = new LinkedHashMap<>();
    private double epsilon = DEFAULT_EPSILON;
    private double maxRelativeError = DEFAULT_MAX_RELATIVE_ERROR;
    private double minAbsoluteError = DEFAULT_MIN_ABSOLUTE_ERROR;
    private int maxPerVariable = Integer.MAX_VALUE;
    private int maxReportedFailures = DEFAULT_MAX_REPORTED_FAILURES;
    private long seed = DEFAULT_SEED;

    private Builder(SameDiff sd) {
      if (sd == null) {
        throw new IllegalArgumentException("sd: must not be null");
      }
      this.sd = sd;
    }

    /**
     * Sets the loss: the name of a scalar, floating op output of the graph.
     *
     * @param loss its name (required)
     * @return this
     */
    public Builder setLoss(String loss) {
      this.loss = loss;
      return this;
    }

    /**
     * Sets the values whose gradients are checked: trainable variables ({@code sd.var}) and/or
     * floating placeholders (whose values come from {@link #optPlaceholders(Map)}).
     *
     * @param names their names (at least one, required)
     * @return this
     */
    public Builder setVariables(String... names) {
      this.variables.clear();
      if (names != null) {
        this.variables.addAll(Arrays.asList(names));
      }
      return this;
    }

    /**
     * As {@link #setVariables(String...)}.
     *
     * @param names their names
     * @return this
     */
    public Builder setVariables(Collection<String> names) {
      return setVariables(names == null ? null : names.toArray(new String[0]));
    }

    /**
     * Sets the placeholder values: every placeholder the loss depends on needs one. Floating values
     * are cast to double for the check; integer values (labels) are used as they are. The arrays
     * passed are never modified.
     *
     * @param values placeholder name to value
     * @return this
     */
    public Builder optPlaceholders(Map<String, INDArray> values) {
      this.placeholders.clear();
      if (values != null) {
        this.placeholders.putAll(values);
      }
      return this;
    }

    /**
     * @param epsilon the finite-difference step, finite, in (0, 0.1] (default {@value
     *     GradientCheck#DEFAULT_EPSILON})
     * @return this
     */
    public Builder optEpsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /**
     * @param maxRelativeError entries with a larger relative error fail (unless within the
     *     absolute floor); finite and &gt; 0 (default {@value GradientCheck#DEFAULT_MAX_RELATIVE_ERROR})
     * @return this
     */
    public Builder optMaxRelativeError(double maxRelativeError) {
      this.maxRelativeError = maxRelativeError;
      return this;
    }

    /**
     * @param minAbsoluteError entries whose absolute error is at most this pass whatever their
     *     relative error; finite and &gt;= 0 (default {@value GradientCheck#DEFAULT_MIN_ABSOLUTE_ERROR})
     * @return this
     */
    public Builder optMinAbsoluteError(double minAbsoluteError) {
      this.minAbsoluteError = minAbsoluteError;
      return this;
    }

    /**
     * Checks at most this many entries of each variable, chosen at random (seeded) when the
     * variable has more. Default: every entry.
     *
     * @param maxPerVariable &gt;= 1
     * @return this
     */
    public Builder optMaxPerVariable(int maxPerVariable) {
      this.maxPerVariable = maxPerVariable;
      return this;
    }

    /**
     * @param maxReportedFailures how many failing entries the report keeps, &gt;= 0 (default {@value
     *     GradientCheck#DEFAULT_MAX_REPORTED_FAILURES})
     * @return this
     */
    public Builder optMaxReportedFailures(int maxReportedFailures) {
      this.maxReportedFailures = maxReportedFailures;
      return this;
    }

    /**
     * @param seed the seed of the random subset chosen by {@link #optMaxPerVariable(int)}
     * @return this
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Validates the settings against the graph and builds the check.
     *
     * @return the check, ready to {@link GradientCheck#run()}
     * @throws IllegalArgumentException naming the setting and the value that is wrong: an unknown
     *     or non-scalar loss, an unknown variable or one that cannot be perturbed, a missing
     *     placeholder value, a bad threshold
     */
    public GradientCheck build() {
      if (!(epsilon > 0) || epsilon > 0.1 || !Double.isFinite(epsilon)) {
        throw new IllegalArgumentException("epsilon: must be finite and in (0, 0.1], got " + epsilon);
      }
      if (!(maxRelativeError > 0) || !Double.isFinite(maxRelativeError)) {
        throw new IllegalArgumentException("maxRelativeError: must be finite and > 0, got " + maxRelativeError);
      }
      if (!(minAbsoluteError >= 0) || !Double.isFinite(minAbsoluteError)) {
        throw new IllegalArgumentException("minAbsoluteError: must be finite and >= 0, got " + minAbsoluteError);
      }
      if (maxPerVariable < 1) {
        throw new IllegalArgumentException("maxPerVariable: must be >= 1, got " + maxPerVariable);
      }
      if (maxReportedFailures < 0) {
        throw new IllegalArgumentException("maxReportedFailures: must be >= 0, got " + maxReportedFailures);
      }
      checkLoss();
      Set<String> ancestors = ancestorsOfLoss();
      checkVariables(ancestors);
      checkPlaceholders(ancestors);
      return new GradientCheck(this);
    }

    private void checkLoss() {
      if (loss == null) {
        throw new IllegalArgumentException("loss: must be set (setLoss), got null");
      }
      if (!sd.hasVariable(loss)) {
        throw new IllegalArgumentException("loss: no variable '" + loss + "' in the graph");
      }
      SDVariable l = sd.getVariable(loss);
      if (l.getVariableType() != VariableType.ARRAY || !l.dataType().isFPType()) {
        throw new IllegalArgumentException("loss: '" + loss + "' must be a floating op output, got a "
            + l.getVariableType() + " of type " + l.dataType());
      }
      long[] shape = l.getShape();
      if (shape != null && shape.length > 0 && Arrays.stream(shape).allMatch(d -> d >= 0)) {
        long n = 1;
        for (long d : shape) {
          n *= d;
        }
        if (n != 1) {
          throw new IllegalArgumentException(
              "loss: '" + loss + "' must be a scalar, got shape " + Arrays.toString(shape));
        }
      }
    }

    private void checkVariables(Set<String> ancestors) {
      if (variables.isEmpty()) {
        throw new IllegalArgumentException("variables: name at least one (setVariables), got none");
      }
      Set<String> seen = new HashSet<>();
      for (String v : variables) {
        if (v == null || !sd.hasVariable(v)) {
          throw new IllegalArgumentException("variables: no variable '" + v + "' in the graph (candidates: "
              + candidates() + ")");
        }
        if (!seen.add(v)) {
          throw new IllegalArgumentException("variables: '" + v + "' is named twice");
        }
        SDVariable s = sd.getVariable(v);
        VariableType t = s.getVariableType();
        if (t != VariableType.VARIABLE && t != VariableType.PLACEHOLDER) {
          throw new IllegalArgumentException("variables: '" + v + "' is a " + t
              + "; only VARIABLE and PLACEHOLDER values can be perturbed (candidates: " + candidates() + ")");
        }
        if (!s.dataType().isFPType()) {
          throw new IllegalArgumentException("variables: '" + v + "' has type " + s.dataType()
              + "; only floating values have gradients");
        }
        if (!ancestors.contains(v)) {
          throw new IllegalArgumentException("variables: '" + v + "' does not feed the loss '" + loss + "'");
        }
      }
    }

    private void checkPlaceholders(Set<String> ancestors) {
      for (Map.Entry<String, INDArray> e : placeholders.entrySet()) {
        String k = e.getKey();
        if (k == null || !sd.hasVariable(k)) {
          throw new IllegalArgumentException("placeholders: no placeholder '" + k + "' in the graph");
        }
        if (sd.getVariable(k).getVariableType() != VariableType.PLACEHOLDER) {
          throw new IllegalArgumentException(
              "placeholders: '" + k + "' is a " + sd.getVariable(k).getVariableType() + ", not a placeholder");
        }
        if (e.getValue() == null) {
          throw new IllegalArgumentException("placeholders: the value of '" + k + "' is null");
        }
        DataType declared = sd.getVariable(k).dataType();
        DataType given = e.getValue().dataType();
        if (declared.isFPType() != given.isFPType()) {
          throw new IllegalArgumentException("placeholders: '" + k + "' is declared " + declared
              + " but its value is " + given + (declared.isFPType() ? "" : " (labels stay integer)"));
        }
      }
      for (String a : ancestors) {
        if (sd.getVariable(a).getVariableType() == VariableType.PLACEHOLDER && !placeholders.containsKey(a)) {
          throw new IllegalArgumentException("placeholders: no value for placeholder '" + a
              + "', which the loss '" + loss + "' depends on");
        }
      }
    }

    /** The variables the loss is computed from, following op inputs and control dependencies. */
    private Set<String> ancestorsOfLoss() {
      Set<String> seen = new LinkedHashSet<>();
      Deque<String> todo = new ArrayDeque<>();
      todo.add(loss);
      Map<String, Variable> vars = sd.getVariables();
      Map<String, SameDiffOp> ops = sd.getOps();
      while (!todo.isEmpty()) {
        String v = todo.poll();
        if (!seen.add(v)) {
          continue;
        }
        Variable var = vars.get(v);
        if (var == null) {
          continue;
        }
        addAll(todo, var.getControlDeps() == null ? null : controlDepInputs(ops, var.getControlDeps()));
        String opName = var.getOutputOfOp();
        if (opName == null) {
          continue;
        }
        SameDiffOp op = ops.get(opName);
        if (op != null) {
          addAll(todo, op.getInputsToOp());
          addAll(todo, op.getVarControlDeps());
          addAll(todo, controlDepInputs(ops, op.getControlDeps()));
        }
      }
      return seen;
    }

    /** Control dependencies are named as variables or ops depending on the list; accept both. */
    private static List<String> controlDepInputs(Map<String, SameDiffOp> ops, List<String> names) {
      if (names == null) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (String n : names) {
        SameDiffOp op = ops.get(n);
        if (op != null && op.getOutputsOfOp() != null) {
          out.addAll(op.getOutputsOfOp());
        } else {
          out.add(n);
        }
      }
      return out;
    }

    private static void addAll(Deque<String> todo, List<String> names) {
      if (names != null) {
        todo.addAll(names);
      }
    }

    private String candidates() {
      List<String> c = new ArrayList<>();
      for (Variable v : sd.getVariables().values()) {
        SDVariable s = v.getVariable();
        if ((s.getVariableType() == VariableType.VARIABLE || s.getVariableType() == VariableType.PLACEHOLDER)
            && s.dataType().isFPType()) {
          c.add(s.name());
        }
      }
      if (c.size() > MAX_NAMES_IN_MESSAGE) {
        return String.join(", ", c.subList(0, MAX_NAMES_IN_MESSAGE)) + ", ... (" + c.size() + " in all)";
      }
      return String.join(", ", c);
    }
  }
}

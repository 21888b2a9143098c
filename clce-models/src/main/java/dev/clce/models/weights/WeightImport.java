package dev.clce.models.weights;

import dev.clce.models.layers.StateLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves a model's parameters and buffers between a SameDiff graph and a safetensors file whose
 * tensor names are the graph's variable names (torchvision's state-dict keys for our encoders).
 *
 * <p>Import is all or nothing: every tensor of the file is checked against what the graph expects
 * (missing names, unexpected names, shapes, element types) from the header alone; then every tensor
 * is read and converted to the graph's type; only then are the graph's arrays overwritten. A file
 * that does not fit is refused with an {@link IllegalArgumentException} listing every problem by
 * tensor name, and the graph is left untouched.
 *
 * <pre>{@code
 * List<String> names = ...; // the model's parameters and buffers, e.g. "conv1.weight", "bn1.running_mean"
 * WeightImport.load(sd, names, Path.of("resnet18.safetensors"));
 * WeightImport.export(sd, names, Path.of("out.safetensors"), Map.of("format", "pt"));
 * }</pre>
 *
 * <p>Element types: a floating tensor loads into a floating variable of any precision (F16 and BF16
 * exactly, F64 rounded to FLOAT), an integer tensor into an integer variable (values must fit);
 * floating into integer and integer into floating are refused.
 *
 * <p>Layouts: a graph variable may hold its tensor in another axis order than the file
 * ({@link StateLayout}, e.g. a convolution weight stored YXIO in the graph and OIHW in torchvision's
 * state dict). {@link Options#withLayout} (import) and the layout argument of
 * {@link #export(SameDiff, Collection, Path, Map, Function)} say so per name; the file side is
 * always the state-dict layout. Without them every variable is taken as laid out like the file.
 */
public final class WeightImport {

  /** How many problems a refusal lists before it summarises the rest. */
  public static final int MAX_LISTED_PROBLEMS = 25;

  private WeightImport() {}

  /**
   * What to leave out of an import. Immutable; start from {@link #strict()}.
   */
  public static final class Options {
    private static final Predicate<String> NONE = n -> false;
    private static final Function<String, StateLayout> ALL_SAME = n -> StateLayout.SAME;
    private static final Options STRICT = new Options(NONE, NONE, UnaryOperator.identity(), ALL_SAME);

    private final Predicate<String> skip;
    private final Predicate<String> ignoreUnexpected;
    private final UnaryOperator<String> rename;
    private final Function<String, StateLayout> layout;

    private Options(Predicate<String> skip, Predicate<String> ignoreUnexpected, UnaryOperator<String> rename,
        Function<String, StateLayout> layout) {
      this.skip = skip;
      this.ignoreUnexpected = ignoreUnexpected;
      this.rename = rename;
      this.layout = layout;
    }

    /** @return options under which every expected tensor must be in the file and nothing else */
    public static Options strict() {
      return STRICT;
    }

    /**
     * Names neither loaded nor checked, on either side (for example a classification head of a
     * different size when fine-tuning: {@code n -> n.startsWith("fc.")}). Those graph variables keep
     * their values. Tested on model names (after {@link #withRename}).
     *
     * @param skip true for a name to leave out
     * @return new options
     */
    public Options withSkip(Predicate<String> skip) {
      return new Options(Objects.requireNonNull(skip, "skip"), ignoreUnexpected, rename, layout);
    }

    /**
     * File tensors that the graph does not have and that are then ignored instead of refused.
     * Tested on model names (after {@link #withRename}).
     *
     * @param ignore true for an extra file tensor to ignore
     * @return new options
     */
    public Options withIgnoreUnexpected(Predicate<String> ignore) {
      return new Options(skip, Objects.requireNonNull(ignore, "ignore"), rename, layout);
    }

    /**
     * Maps each file tensor name to the model name it loads into (for example
     * {@link TorchvisionNames#LEGACY_VIT_MLP} for checkpoints older than torchvision 0.14). Two
     * file tensors that map to one name are refused.
     *
     * @param rename file name to model name
     * @return new options
     */
    public Options withRename(UnaryOperator<String> rename) {
      return new Options(skip, ignoreUnexpected, Objects.requireNonNull(rename, "rename"), layout);
    }

    /**
     * How each graph variable is laid out relative to the file's (state-dict) tensor of the same
     * model name: the file's shape is checked against {@link StateLayout#stateShape} of the
     * variable's shape, and the values are laid out with {@link StateLayout#graphView} on load.
     * {@code ModelWeights} sets this from the model's spec.
     *
     * @param layout model name to layout (must not return null for a loaded name)
     * @return new options
     */
    public Options withLayout(Function<String, StateLayout> layout) {
      return new Options(skip, ignoreUnexpected, rename, Objects.requireNonNull(layout, "layout"));
    }

    /** @return the names left out of the import */
    public Predicate<String> skip() {
      return skip;
    }

    /** @return the extra file tensors to ignore */
    public Predicate<String> ignoreUnexpected() {
      return ignoreUnexpected;
    }

    /** @return the map from file names to model names */
    public UnaryOperator<String> rename() {
      return rename;
    }

    /** @return the graph layout of each model name */
    public Function<String, StateLayout> layout() {
      return layout;
    }
  }

  /**
   * The outcome of checking a file against a model.
   *
   * @param problems why the file does not fit, one line per tensor (empty when it fits)
   * @param load model name to file name of each tensor to load, in the model's order
   * @param conversions the loaded tensors whose element type changes, as {@code name: F64 -> FLOAT}
   * @param ignored the file tensors left out (skipped or ignored), by file name
   * @param renamed the file tensors loaded under another name, as {@code file name -> model name}
   */
  public record Check(List<String> problems, Map<String, String> load, List<String> conversions, List<String> ignored,
      List<String> renamed) {
    /**
     * Copies the lists.
     *
     * @param problems problems
     * @param load names to load
     * @param conversions conversions
     * @param ignored ignored names
     * @param renamed renamed tensors
     */
    public Check {
      problems = List.copyOf(problems);
      load = Collections.unmodifiableMap(new LinkedHashMap<>(load));
      conversions = List.copyOf(conversions);
      ignored = List.copyOf(ignored);
      renamed = List.copyOf(renamed);
    }

    /** @return true when the file fits */
    public boolean ok() {
      return problems.isEmpty();
    }

    /**
     * Throws when the file does not fit.
     *
     * @param file the file (for the message)
     * @throws IllegalArgumentException naming the file and listing the problems
     */
    public void requireOk(Path file) {
      if (ok()) {
        return;
      }
      StringBuilder sb = new StringBuilder("file: ").append(file).append(" does not fit the model (")
          .append(problems.size()).append(problems.size() == 1 ? " problem" : " problems").append("): ");
      int n = Math.min(problems.size(), MAX_LISTED_PROBLEMS);
      sb.append(String.join("; ", problems.subList(0, n)));
      if (problems.size() > n) {
        sb.append("; ... and ").append(problems.size() - n).append(" more");
      }
      throw new IllegalArgumentException(sb.toString());
    }
  }

  /**
   * What was loaded.
   *
   * @param loaded the names whose arrays were overwritten, in the model's order
   * @param conversions element-type conversions made, as {@code name: F64 -> FLOAT}
   * @param ignored file tensors left out, by file name
   * @param renamed file tensors loaded under another name, as {@code file name -> model name}
   */
  public record Result(List<String> loaded, List<String> conversions, List<String> ignored, List<String> renamed) {
    /**
     * Copies the lists.
     *
     * @param loaded loaded names
     * @param conversions conversions
     * @param ignored ignored names
     * @param renamed renamed tensors
     */
    public Result {
      loaded = List.copyOf(loaded);
      conversions = List.copyOf(conversions);
      ignored = List.copyOf(ignored);
      renamed = List.copyOf(renamed);
    }
  }

  /**
   * The tensors a graph holds under the given names, with the shapes and types of their current
   * arrays.
   *
   * @param sd the graph
   * @param names variable names (parameters and buffers)
   * @return one spec per name, in order
   * @throws IllegalArgumentException if a name is not a VARIABLE or CONSTANT of the graph with an array
   */
  public static List<TensorSpec> specs(SameDiff sd, Collection<String> names) {
    return specs(sd, names, Options.ALL_SAME);
  }

  /**
   * The tensors a graph holds under the given names as a state-dict file holds them: shapes in the
   * state-dict layout, types of the current arrays.
   *
   * @param sd the graph
   * @param names variable names (parameters and buffers)
   * @param layout graph layout of each name
   * @return one spec per name, in order
   * @throws IllegalArgumentException if a name is not a VARIABLE or CONSTANT of the graph with an
   *     array, or its array does not fit its layout
   */
  public static List<TensorSpec> specs(SameDiff sd, Collection<String> names, Function<String, StateLayout> layout) {
    requireGraphAndNames(sd, names);
    if (layout == null) {
      throw new IllegalArgumentException("layout: must not be null");
    }
    List<TensorSpec> out = new ArrayList<>(names.size());
    for (String n : names) {
      INDArray arr = stateArray(sd, n);
      out.add(new TensorSpec(n, layoutOf(layout, n).stateShape(arr.shape()), arr.dataType()));
    }
    return out;
  }

  /**
   * Checks a file's tensors against what a model expects, from the header alone.
   *
   * @param expected the model's tensors
   * @param found the file's tensors (as in {@link SafetensorsHeader#tensors()})
   * @param options what to leave out
   * @return the problems (empty if it fits), what to load, the conversions and what is ignored
   */
  public static Check check(List<TensorSpec> expected, Map<String, SafetensorsTensorInfo> found, Options options) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(found, "found");
    Objects.requireNonNull(options, "options");
    List<String> problems = new ArrayList<>();
    Map<String, String> load = new LinkedHashMap<>();
    List<String> conversions = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    List<String> renamed = new ArrayList<>();
    // The file's tensors under their model names.
    Map<String, SafetensorsTensorInfo> byModelName = new LinkedHashMap<>();
    for (SafetensorsTensorInfo t : found.values()) {
      String m = options.rename().apply(t.name());
      if (m == null) {
        throw new IllegalArgumentException("options: rename maps '" + t.name() + "' to null");
      }
      SafetensorsTensorInfo other = byModelName.put(m, t);
      if (other != null) {
        problems.add("file tensors '" + other.name() + "' and '" + t.name() + "' both map to '" + m + "'");
      }
      if (!m.equals(t.name())) {
        renamed.add(t.name() + " -> " + m);
      }
    }
    Set<String> expectedNames = new LinkedHashSet<>();
    for (TensorSpec s : expected) {
      if (!expectedNames.add(s.name())) {
        throw new IllegalArgumentException("expected: name '" + s.name() + "' listed twice");
      }
      if (options.skip().test(s.name())) {
        continue;
      }
      SafetensorsTensorInfo t = byModelName.get(s.name());
      if (t == null) {
        problems.add("missing '" + s.name() + "' (model expects " + Arrays.toString(s.shape()) + " "
            + s.dataType() + ")");
        continue;
      }
      boolean bad = false;
      if (!Arrays.equals(t.shape(), s.shape())) {
        problems.add("shape of '" + s.name() + "': file " + Arrays.toString(t.shape()) + ", model "
            + Arrays.toString(s.shape()));
        bad = true;
      }
      boolean fileFloat = t.dtype().isFloatingPoint();
      boolean modelFloat = s.dataType().isFPType();
      if (fileFloat != modelFloat || !(modelFloat || s.dataType().isIntType())) {
        problems.add("type of '" + s.name() + "': file " + t.dtype() + ", model " + s.dataType()
            + " (floating and integer tensors do not convert)");
        bad = true;
      }
      if (bad) {
        continue;
      }
      load.put(s.name(), t.name());
      if (t.dtype().exactDataType() != s.dataType()) {
        conversions.add(s.name() + ": " + t.dtype() + " -> " + s.dataType());
      }
    }
    for (Map.Entry<String, SafetensorsTensorInfo> e : byModelName.entrySet()) {
      String m = e.getKey();
      SafetensorsTensorInfo t = e.getValue();
      if (expectedNames.contains(m) && !options.skip().test(m)) {
        continue;
      }
      if (options.skip().test(m) || options.ignoreUnexpected().test(m)) {
        ignored.add(t.name());
      } else {
        problems.add("unexpected '" + t.name() + "' " + t.dtype() + " " + Arrays.toString(t.shape())
            + (m.equals(t.name()) ? "" : " (as '" + m + "')") + " (not in the model)");
      }
    }
    return new Check(problems, load, conversions, ignored, renamed);
  }

  /**
   * Loads every named tensor from a safetensors file into the graph; the file must hold exactly
   * these names with the graph's shapes.
   *
   * @param sd the graph
   * @param names the model's parameters and buffers (graph variable names)
   * @param file the safetensors file
   * @return what was loaded
   * @throws IllegalArgumentException if the file is malformed or does not fit (graph untouched)
   */
  public static Result load(SameDiff sd, Collection<String> names, Path file) {
    return load(sd, names, file, Options.strict());
  }

  /**
   * Loads the named tensors from a safetensors file into the graph, all or nothing.
   *
   * @param sd the graph
   * @param names the model's parameters and buffers (graph variable names)
   * @param file the safetensors file
   * @param options what to leave out
   * @return what was loaded
   * @throws IllegalArgumentException if the file is malformed or does not fit (graph untouched)
   */
  public static Result load(SameDiff sd, Collection<String> names, Path file, Options options) {
    if (file == null) {
      throw new IllegalArgumentException("file: must not be null");
    }
    if (options == null) {
      throw new IllegalArgumentException("options: must not be null");
    }
    List<TensorSpec> expected = specs(sd, names, options.layout());
    SafetensorsHeader header = Safetensors.readHeader(file);
    Check check = check(expected, header.tensors(), options);
    check.requireOk(file);

    Map<String, INDArray> raw = Safetensors.read(header, check.load().values());
    Map<String, TensorSpec> byName = new LinkedHashMap<>();
    for (TensorSpec s : expected) {
      byName.put(s.name(), s);
    }
    Map<String, INDArray> converted = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : check.load().entrySet()) {
      TensorSpec s = byName.get(e.getKey());
      INDArray a = raw.get(e.getValue());
      if (a.dataType() != s.dataType()) {
        if (a.dataType().isIntType()) {
          requireFits(file, e.getValue(), a, s.dataType());
        }
        a = a.castTo(s.dataType());
      }
      converted.put(e.getKey(), a);
    }
    // Every tensor is read and converted: only now touch the graph.
    for (Map.Entry<String, INDArray> e : converted.entrySet()) {
      assign(sd, e.getKey(), layoutOf(options.layout(), e.getKey()).graphView(e.getValue()));
    }
    return new Result(List.copyOf(check.load().keySet()), check.conversions(), check.ignored(), check.renamed());
  }

  /**
   * Writes the named parameters and buffers of a graph to a safetensors file (atomically), each in
   * its graph type, under its variable name, in the order given.
   *
   * @param sd the graph
   * @param names the model's parameters and buffers
   * @param file the target file (replaced if present)
   * @param metadata {@code __metadata__} strings, or null for none
   * @throws IllegalArgumentException if a name is not a VARIABLE or CONSTANT with an array
   */
  public static void export(SameDiff sd, Collection<String> names, Path file, Map<String, String> metadata) {
    export(sd, names, file, metadata, Options.ALL_SAME);
  }

  /**
   * Writes the named parameters and buffers of a graph to a safetensors file (atomically), each in
   * its graph type and in the state-dict layout its {@code layout} gives, under its variable name,
   * in the order given.
   *
   * @param sd the graph
   * @param names the model's parameters and buffers
   * @param file the target file (replaced if present)
   * @param metadata {@code __metadata__} strings, or null for none
   * @param layout graph layout of each name
   * @throws IllegalArgumentException if a name is not a VARIABLE or CONSTANT with an array, or its
   *     array does not fit its layout
   */
  public static void export(SameDiff sd, Collection<String> names, Path file, Map<String, String> metadata,
      Function<String, StateLayout> layout) {
    requireGraphAndNames(sd, names);
    if (layout == null) {
      throw new IllegalArgumentException("layout: must not be null");
    }
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (String n : names) {
      StateLayout l = layoutOf(layout, n);
      INDArray arr = stateArray(sd, n);
      out.put(n, l == StateLayout.SAME ? arr : l.stateView(arr).dup('c'));
    }
    Safetensors.write(file, out, metadata);
  }

  // ---------------------------------------------------------------------------------------------

  private static void requireGraphAndNames(SameDiff sd, Collection<String> names) {
    if (sd == null) {
      throw new IllegalArgumentException("sd: must not be null");
    }
    if (names == null || names.isEmpty()) {
      throw new IllegalArgumentException("names: must list at least one variable, got " + names);
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String n : names) {
      if (!seen.add(n)) {
        throw new IllegalArgumentException("names: '" + n + "' listed twice");
      }
    }
  }

  private static INDArray stateArray(SameDiff sd, String name) {
    SDVariable v = name == null ? null : sd.getVariable(name);
    if (v == null) {
      throw new IllegalArgumentException("names: '" + name + "' is not a variable of the graph");
    }
    VariableType type = v.getVariableType();
    if (type != VariableType.VARIABLE && type != VariableType.CONSTANT) {
      throw new IllegalArgumentException("names: '" + name + "' is a " + type
          + ", not a parameter (VARIABLE) or buffer (CONSTANT)");
    }
    INDArray arr = sd.getArrForVarName(name);
    if (arr == null) {
      throw new IllegalArgumentException("names: '" + name + "' has no array in the graph");
    }
    return arr;
  }

  private static StateLayout layoutOf(Function<String, StateLayout> layout, String name) {
    StateLayout l = layout.apply(name);
    if (l == null) {
      throw new IllegalArgumentException("layout: gives no layout for '" + name + "'");
    }
    return l;
  }

  private static void requireFits(Path file, String name, INDArray a, DataType target) {
    long min;
    long max;
    switch (target) {
      case INT:
        min = Integer.MIN_VALUE;
        max = Integer.MAX_VALUE;
        break;
      case SHORT:
        min = Short.MIN_VALUE;
        max = Short.MAX_VALUE;
        break;
      case BYTE:
        min = Byte.MIN_VALUE;
        max = Byte.MAX_VALUE;
        break;
      default:
        return;
    }
    if (a.length() == 0) {
      return;
    }
    long lo = a.minNumber().longValue();
    long hi = a.maxNumber().longValue();
    if (lo < min || hi > max) {
      throw new IllegalArgumentException("file: " + file + ": tensor '" + name + "' holds values in [" + lo + ", "
          + hi + "], outside the model's " + target);
    }
  }

  private static void assign(SameDiff sd, String name, INDArray value) {
    INDArray current = sd.getArrForVarName(name);
    if (current != null && current.dataType() == value.dataType() && Arrays.equals(current.shape(), value.shape())) {
      current.assign(value);
    } else {
      sd.assignArray(value.dup('c'), sd.getVariable(name));
    }
  }
}

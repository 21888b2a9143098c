package dev.clce.models.weights;

import dev.clce.models.EncoderModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one way tensors in torchvision's state-dict layout (names to arrays) get into a model: weight
 * import, fine-tuning from a backbone, and restoring a checkpoint all come through here.
 *
 * <p>All or nothing: the source is checked against the model (missing names, unexpected names,
 * shapes, element types, under a {@link LoadRule} that says what is skipped, ignored or renamed)
 * before anything is assigned, and a source that does not fit is refused with an
 * {@link IllegalArgumentException} that names the source and every problem by tensor. Then every
 * tensor is converted to the model's element type and assigned through the model's
 * torchvision-layout view of its graph variable ({@link EncoderModel#stateArray}), which lays
 * convolution weights out as the graph holds them.
 *
 * <pre>{@code
 * StateDict.load(model, Path.of("resnet50.safetensors"), LoadRule.backbone());        // fine-tuning
 * StateDict.load(model, checkpointTensors, LoadRule.strict().withPrefix("model/").withExactTypes(), file);
 * }</pre>
 *
 * <p>Element types: a floating tensor loads into a floating entry of any precision (F16 and BF16
 * exactly, F64 rounded to FLOAT) unless the rule asks for exact types; an integer tensor into an
 * integer entry (values must fit); floating into integer and integer into floating are refused.
 */
public final class StateDict {

  /** How many problems a refusal lists before it summarises the rest. */
  public static final int MAX_LISTED_PROBLEMS = 25;

  private StateDict() {}

  /**
   * The outcome of checking a source against a model.
   *
   * @param problems why the source does not fit, one line per tensor (empty when it fits)
   * @param load model name to source name of each tensor to load, in the model's order
   * @param conversions the loaded tensors whose element type changes, as {@code name: F64 -> FLOAT}
   * @param ignored the source tensors left out (skipped or ignored), by source name
   * @param renamed the source tensors loaded under another name, as {@code source name -> model name}
   * @param adapted the tensors reshaped for another input ({@link LoadRule#withInputAdaptation()}),
   *     one line each
   */
  public record Check(List<String> problems, Map<String, String> load, List<String> conversions, List<String> ignored,
      List<String> renamed, List<String> adapted) {
    /**
     * Copies the lists.
     *
     * @param problems problems
     * @param load names to load
     * @param conversions conversions
     * @param ignored ignored names
     * @param renamed renamed tensors
     * @param adapted adapted tensors
     */
    public Check {
      problems = List.copyOf(problems);
      load = Collections.unmodifiableMap(new LinkedHashMap<>(load));
      conversions = List.copyOf(conversions);
      ignored = List.copyOf(ignored);
      renamed = List.copyOf(renamed);
      adapted = List.copyOf(adapted);
    }

    /** @return true when the source fits */
    public boolean ok() {
      return problems.isEmpty();
    }

    /** @return the problems as one line: their count, then at most {@link #MAX_LISTED_PROBLEMS} of them */
    public String summary() {
      StringBuilder sb = new StringBuilder().append(problems.size()).append(problems.size() == 1 ? " problem" : " problems")
          .append("): ");
      int n = Math.min(problems.size(), MAX_LISTED_PROBLEMS);
      sb.append(String.join("; ", problems.subList(0, n)));
      if (problems.size() > n) {
        sb.append("; ... and ").append(problems.size() - n).append(" more");
      }
      return "(" + sb;
    }

    /**
     * Throws when the source does not fit.
     *
     * @param source the file the tensors come from (for the message), or null
     * @throws IllegalArgumentException naming the source and listing the problems
     */
    public void requireOk(Path source) {
      if (!ok()) {
        throw new IllegalArgumentException((source == null ? "tensors: do not fit" : "file: " + source + " does not fit")
            + " the model " + summary());
      }
    }
  }

  /**
   * What was loaded.
   *
   * @param loaded the names whose arrays were overwritten, in the model's order
   * @param conversions element-type conversions made, as {@code name: F64 -> FLOAT}
   * @param ignored source tensors left out, by source name
   * @param renamed source tensors loaded under another name, as {@code source name -> model name}
   * @param adapted tensors reshaped for another input, one line each
   */
  public record Result(List<String> loaded, List<String> conversions, List<String> ignored, List<String> renamed,
      List<String> adapted) {
    /**
     * Copies the lists.
     *
     * @param loaded loaded names
     * @param conversions conversions
     * @param ignored ignored names
     * @param renamed renamed tensors
     * @param adapted adapted tensors
     */
    public Result {
      loaded = List.copyOf(loaded);
      conversions = List.copyOf(conversions);
      ignored = List.copyOf(ignored);
      renamed = List.copyOf(renamed);
      adapted = List.copyOf(adapted);
    }
  }

  /**
   * Where tensors come from: their names, shapes and element types up front (a file's header), the
   * values only when the check has passed.
   *
   * @param origin the file, for messages, or null
   * @param tensors every tensor's name, shape and exact element type, in the source's order
   * @param reader reads the values of the named tensors
   */
  record Source(Path origin, List<TensorSpec> tensors, Function<Collection<String>, Map<String, INDArray>> reader) {

    /** A source of arrays already in memory. */
    static Source of(Map<String, INDArray> tensors, Path origin) {
      if (tensors == null) {
        throw new IllegalArgumentException("tensors: must not be null");
      }
      List<TensorSpec> specs = new ArrayList<>(tensors.size());
      for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new IllegalArgumentException("tensors: holds a null name or array, at '" + e.getKey() + "'");
        }
        specs.add(new TensorSpec(e.getKey(), e.getValue().shape(), e.getValue().dataType()));
      }
      return new Source(origin, specs, names -> tensors);
    }

    /** A safetensors file: the header now, the data of the tensors to load later. */
    static Source of(Path file) {
      if (file == null) {
        throw new IllegalArgumentException("file: must not be null");
      }
      SafetensorsHeader header = Safetensors.readHeader(file);
      List<TensorSpec> specs = header.tensors().values().stream().map(SafetensorsTensorInfo::spec).toList();
      return new Source(file, specs, names -> Safetensors.read(header, names));
    }
  }

  /**
   * Checks tensors against a model without changing anything.
   *
   * @param model the model
   * @param tensors state-dict tensors by name, in torchvision's layout
   * @param rule what to skip, ignore or rename
   * @return the outcome
   */
  public static Check check(EncoderModel model, Map<String, INDArray> tensors, LoadRule rule) {
    requireModelAndRule(model, rule);
    return check(expected(targets(model)), Source.of(tensors, null).tensors(), resolve(rule, model));
  }

  /**
   * Loads tensors into a model, all or nothing.
   *
   * @param model the model
   * @param tensors state-dict tensors by name, in torchvision's layout
   * @param rule what to skip, ignore or rename
   * @param origin the file the tensors were read from, for messages (null if none)
   * @return what was loaded
   * @throws IllegalArgumentException if the tensors do not fit (the model is then unchanged)
   */
  public static Result load(EncoderModel model, Map<String, INDArray> tensors, LoadRule rule, Path origin) {
    requireModelAndRule(model, rule);
    return load(targets(model), Source.of(tensors, origin), resolve(rule, model));
  }

  /**
   * Loads a safetensors file into a model, all or nothing: the file's header is checked first, and
   * only the tensors to load are read.
   *
   * @param model the model
   * @param file a safetensors file in torchvision's layout
   * @param rule what to skip, ignore or rename
   * @return what was loaded
   * @throws IllegalArgumentException if the file is malformed or does not fit (the model is then unchanged)
   */
  public static Result load(EncoderModel model, Path file, LoadRule rule) {
    requireModelAndRule(model, rule);
    return load(targets(model), Source.of(file), resolve(rule, model));
  }

  /**
   * The shared path: check, read, convert, then assign.
   *
   * @param targets writable torchvision-layout views of the model's state entries, in its order
   * @param source the tensors
   * @param rule the rule, heads already resolved
   */
  static Result load(Map<String, INDArray> targets, Source source, LoadRule rule) {
    if (rule.headsUnresolved()) {
      throw new IllegalArgumentException("rule: withoutHeads() needs an EncoderModel to load into");
    }
    Check check = check(expected(targets), source.tensors(), rule);
    check.requireOk(source.origin());
    Map<String, INDArray> raw = source.reader().apply(check.load().values());
    Map<String, INDArray> converted = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : check.load().entrySet()) {
      INDArray target = targets.get(e.getKey());
      DataType type = target.dataType();
      INDArray a = raw.get(e.getValue());
      if (!Arrays.equals(a.shape(), target.shape())) {
        a = InputAdaptation.adapt(e.getKey(), a, target.shape());   // the check allowed it
      }
      if (a.dataType() != type) {
        if (a.dataType().isIntType()) {
          requireFits(source.origin(), e.getValue(), a, type);
        }
        a = a.castTo(type);
      }
      converted.put(e.getKey(), a);
    }
    // Every tensor is read and converted: only now touch the model.
    for (Map.Entry<String, INDArray> e : converted.entrySet()) {
      targets.get(e.getKey()).assign(e.getValue());
    }
    return new Result(List.copyOf(check.load().keySet()), check.conversions(), check.ignored(), check.renamed(),
        check.adapted());
  }

  /**
   * Checks a source's tensors (names, shapes and exact element types, as a file header gives them)
   * against what a model expects, under a rule.
   *
   * @param expected the model's tensors, in torchvision's layout
   * @param found the source's tensors, in the source's order
   * @param rule what to skip, ignore or rename ({@link LoadRule#withoutHeads()} must already be
   *     resolved by the caller, which knows the model)
   * @return the problems (empty if it fits), what to load, the conversions and what is ignored
   */
  public static Check check(List<TensorSpec> expected, List<TensorSpec> found, LoadRule rule) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(found, "found");
    Objects.requireNonNull(rule, "rule");
    List<String> problems = new ArrayList<>();
    Map<String, String> load = new LinkedHashMap<>();
    List<String> conversions = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    List<String> renamed = new ArrayList<>();
    List<String> adapted = new ArrayList<>();
    Map<String, TensorSpec> byModelName = new LinkedHashMap<>();
    for (TensorSpec t : found) {
      String stripped = rule.stripPrefix(t.name());
      if (stripped == null) {
        continue;   // outside the prefix: not part of the state dict
      }
      String m = rule.modelName(stripped);
      TensorSpec other = byModelName.put(m, t);
      if (other != null) {
        problems.add("file tensors '" + other.name() + "' and '" + t.name() + "' both map to '" + m + "'");
      }
      if (!m.equals(stripped)) {
        renamed.add(t.name() + " -> " + m);
      }
    }
    Set<String> expectedNames = new LinkedHashSet<>();
    for (TensorSpec s : expected) {
      if (!expectedNames.add(s.name())) {
        throw new IllegalArgumentException("expected: name '" + s.name() + "' listed twice");
      }
      if (rule.skips(s.name())) {
        continue;
      }
      TensorSpec t = byModelName.get(s.name());
      if (t == null) {
        problems.add("missing '" + s.name() + "' (model expects " + Arrays.toString(s.shape()) + " " + s.dataType() + ")");
        continue;
      }
      String adaptation = rule.adaptsInput() && !Arrays.equals(s.shape(), t.shape())
          ? InputAdaptation.describe(s.name(), t.shape(), s.shape()) : null;
      String problem = mismatch(s, adaptation != null ? new TensorSpec(t.name(), s.shape(), t.dataType()) : t,
          rule.exactTypes());
      if (adaptation != null && problem == null) {
        adapted.add(adaptation);
      }
      if (problem != null) {
        problems.add(problem);
        continue;
      }
      load.put(s.name(), t.name());
      if (t.dataType() != s.dataType()) {
        conversions.add(s.name() + ": " + typeName(t.dataType()) + " -> " + s.dataType());
      }
    }
    for (Map.Entry<String, TensorSpec> e : byModelName.entrySet()) {
      String m = e.getKey();
      TensorSpec t = e.getValue();
      boolean skipped = rule.skips(m);
      if (expectedNames.contains(m) && !skipped) {
        continue;
      }
      if (skipped || rule.ignores(m)) {
        ignored.add(t.name());
      } else {
        problems.add("unexpected '" + t.name() + "' " + typeName(t.dataType()) + " " + Arrays.toString(t.shape())
            + (m.equals(t.name()) ? "" : " (as '" + m + "')") + " (not in the model)");
      }
    }
    return new Check(problems, load, conversions, ignored, renamed, adapted);
  }

  /** Why a found tensor cannot load into an expected entry, or null when it can. */
  private static String mismatch(TensorSpec s, TensorSpec t, boolean exactTypes) {
    List<String> why = new ArrayList<>(2);
    if (!Arrays.equals(t.shape(), s.shape())) {
      why.add("shape of '" + s.name() + "': file " + Arrays.toString(t.shape()) + ", model " + Arrays.toString(s.shape()));
    }
    boolean fileFloat = t.dataType().isFPType();
    boolean modelFloat = s.dataType().isFPType();
    if (fileFloat != modelFloat || !(modelFloat || s.dataType().isIntType())) {
      why.add("type of '" + s.name() + "': file " + typeName(t.dataType()) + ", model " + s.dataType()
          + " (floating and integer tensors do not convert)");
    } else if (exactTypes && t.dataType() != s.dataType()) {
      why.add("type of '" + s.name() + "': file " + typeName(t.dataType()) + ", model " + s.dataType()
          + " (the rule asks for exact types)");
    }
    return why.isEmpty() ? null : String.join("; ", why);
  }

  /** A type as a safetensors header names it ({@code F32}, {@code I64}), or ND4J's name when it has none. */
  private static String typeName(DataType type) {
    try {
      return SafetensorsDtype.forDataType(type).name();
    } catch (IllegalArgumentException e) {
      return type.name();
    }
  }

  /** Writable torchvision-layout views of a model's state entries, in its order. */
  private static Map<String, INDArray> targets(EncoderModel model) {
    Map<String, INDArray> t = new LinkedHashMap<>();
    for (String n : model.stateNames()) {
      t.put(n, model.stateArray(n));
    }
    return t;
  }

  /** What the targets expect: their names, shapes and element types. */
  static List<TensorSpec> expected(Map<String, INDArray> targets) {
    List<TensorSpec> out = new ArrayList<>(targets.size());
    for (Map.Entry<String, INDArray> e : targets.entrySet()) {
      out.add(new TensorSpec(e.getKey(), e.getValue().shape(), e.getValue().dataType()));
    }
    return out;
  }

  /** The rule with the model's classifier and projection head skipped, when it asks so. */
  private static LoadRule resolve(LoadRule rule, EncoderModel model) {
    Set<String> heads = new HashSet<>(model.headParameterNames());
    heads.addAll(model.projectionParameterNames());
    return rule.resolveHeads(heads);
  }

  private static void requireModelAndRule(EncoderModel model, LoadRule rule) {
    if (model == null) {
      throw new IllegalArgumentException("model: must not be null");
    }
    if (rule == null) {
      throw new IllegalArgumentException("rule: must not be null");
    }
  }

  private static void requireFits(Path origin, String name, INDArray a, DataType target) {
    long min;
    long max;
    switch (target) {
      case INT -> {
        min = Integer.MIN_VALUE;
        max = Integer.MAX_VALUE;
      }
      case SHORT -> {
        min = Short.MIN_VALUE;
        max = Short.MAX_VALUE;
      }
      case BYTE -> {
        min = Byte.MIN_VALUE;
        max = Byte.MAX_VALUE;
      }
      default -> {
        return;
      }
    }
    if (a.length() == 0) {
      return;
    }
    long lo = a.minNumber().longValue();
    long hi = a.maxNumber().longValue();
    if (lo < min || hi > max) {
      throw new IllegalArgumentException((origin == null ? "tensors" : "file: " + origin) + ": tensor '" + name
          + "' holds values in [" + lo + ", " + hi + "], outside the model's " + target);
    }
  }
}

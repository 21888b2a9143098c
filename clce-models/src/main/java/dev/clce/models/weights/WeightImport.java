package dev.clce.models.weights;

import dev.clce.models.layers.StateLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves parameters and buffers between any SameDiff graph and a safetensors file whose tensor names
 * are the graph's variable names: the graph-level form of {@link ModelWeights}, for graphs that are
 * not an {@code EncoderModel}. Import goes through {@link StateDict}'s one loading path (all or
 * nothing, every problem named; see there for element types), with the graph's variables as the
 * model.
 *
 * <pre>{@code
 * List<String> names = ...; // the graph's parameters and buffers, e.g. "conv1.weight", "bn1.running_mean"
 * WeightImport.load(sd, names, Path.of("resnet18.safetensors"));
 * WeightImport.export(sd, names, Path.of("out.safetensors"), Map.of("format", "pt"));
 * }</pre>
 *
 * <p>Layouts: a graph variable may hold its tensor in another axis order than the file
 * ({@link StateLayout}, e.g. a convolution weight stored YXIO in the graph and OIHW in torchvision's
 * state dict). The layout arguments say so per name; the file side is always the state-dict layout.
 * Without them every variable is taken as laid out like the file.
 */
public final class WeightImport {

  private static final Function<String, StateLayout> ALL_SAME = n -> StateLayout.SAME;

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
    return specs(sd, names, ALL_SAME);
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
   * Loads every named tensor from a safetensors file into the graph; the file must hold exactly
   * these names with the graph's shapes.
   *
   * @param sd the graph
   * @param names the graph's parameters and buffers (variable names)
   * @param file the safetensors file
   * @return what was loaded
   * @throws IllegalArgumentException if the file is malformed or does not fit (graph untouched)
   */
  public static StateDict.Result load(SameDiff sd, Collection<String> names, Path file) {
    return load(sd, names, file, LoadRule.strict());
  }

  /**
   * Loads the named tensors from a safetensors file into the graph, all or nothing.
   *
   * @param sd the graph
   * @param names the graph's parameters and buffers (variable names)
   * @param file the safetensors file
   * @param rule what to skip, ignore or rename ({@link LoadRule#withoutHeads()} needs an
   *     {@code EncoderModel}: use {@link ModelWeights})
   * @return what was loaded
   * @throws IllegalArgumentException if the file is malformed or does not fit (graph untouched)
   */
  public static StateDict.Result load(SameDiff sd, Collection<String> names, Path file, LoadRule rule) {
    return load(sd, names, file, rule, ALL_SAME);
  }

  /**
   * Loads the named tensors from a safetensors file in state-dict layout into a graph that holds
   * some of them in another layout, all or nothing.
   *
   * @param sd the graph
   * @param names the graph's parameters and buffers (variable names)
   * @param file the safetensors file
   * @param rule what to skip, ignore or rename
   * @param layout graph layout of each name
   * @return what was loaded
   * @throws IllegalArgumentException if the file is malformed or does not fit (graph untouched)
   */
  public static StateDict.Result load(SameDiff sd, Collection<String> names, Path file, LoadRule rule,
      Function<String, StateLayout> layout) {
    requireGraphAndNames(sd, names);
    if (rule == null || layout == null) {
      throw new IllegalArgumentException("rule, layout: must not be null, got " + rule + ", " + layout);
    }
    Map<String, INDArray> targets = new LinkedHashMap<>();
    for (String n : names) {
      targets.put(n, layoutOf(layout, n).stateView(stateArray(sd, n)));
    }
    return StateDict.load(targets, StateDict.Source.of(file), rule);
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
    export(sd, names, file, metadata, ALL_SAME);
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
}

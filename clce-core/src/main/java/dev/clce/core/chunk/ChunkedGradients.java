package dev.clce.core.chunk;

import dev.clce.core.loss.EagerLoss;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.LossResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Exact large-batch gradients of a clce loss on a SameDiff graph, computed in chunks so that only one
 * chunk's activations are alive at a time (gradient caching, after Gao et al. 2021, "Scaling Deep
 * Contrastive Learning Batch Size under Memory Limited Setup").
 *
 * <p>A contrastive loss couples every row of the batch, so its batch cannot simply be split into
 * independent micro-batches whose gradients add up. But the loss reads only the embeddings {@code z}
 * and logits {@code o} of the whole batch, and {@link EagerLoss} gives {@code G = dL/dz} and
 * {@code H = dL/do} in closed form. By the chain rule the parameter gradient is
 * {@code sum_chunks (dz_c/dtheta)^T G_c + (do_c/dtheta)^T H_c}: each chunk's share is the gradient of
 * the surrogate {@code sum(z_c * G_c) + sum(o_c * H_c)} with {@code G_c}, {@code H_c} held constant.
 * {@link #compute} therefore
 * <ol>
 *   <li>runs every chunk forward without keeping activations and collects {@code z} and {@code o};</li>
 *   <li>computes the loss and {@code G}, {@code H} for the whole batch at once ({@link EagerLoss});</li>
 *   <li>runs every chunk forward again, this time with activations, backpropagates its rows of
 *       {@code G} and {@code H} through the surrogate and adds up the parameter gradients.</li>
 * </ol>
 * The caller then takes one optimiser step with {@link ChunkedResult#gradients()}: the same gradients
 * {@code sd.calculateGradients} would give for the whole batch with the same loss built by
 * {@link dev.clce.core.loss.SDClceLoss}, up to rounding, for any graph whose rows do not interact.
 *
 * <p><b>The graph.</b> Any SameDiff graph: input placeholder(s) to an embedding variable and a logits
 * variable (only the ones the loss reads, see {@link LossKind#usesEmbeddings()} and
 * {@link LossKind#usesLogits()}, are needed). {@link Builder#build()} adds, once, two placeholders and
 * the surrogate under the reserved names {@link #GRAD_EMBEDDINGS}, {@link #GRAD_LOGITS} and
 * {@link #SURROGATE}. The placeholders fed per chunk are the ones the embeddings and logits depend on
 * ({@link #inputs()}). The user's own loss variable, if any, stays in the graph and stays the graph's
 * loss: while {@link #compute} runs, the surrogate is the graph's only loss variable; afterwards the
 * previous loss variables and the previous gradient function are put back, and the surrogate's
 * gradient function is kept for the next call (rebuilt when the graph gains ops or variables).
 * {@code sd.fit}, {@code sd.calculateGradients} and {@code sd.output} on the user's loss work as before.
 * A graph that relies on SameDiff guessing its loss (no {@code markAsLoss()}) should mark it: the
 * surrogate is a second candidate for the guess.
 *
 * <p><b>Batch-coupled layers.</b> Layers that normalise each example on its own (LayerNorm, as in a
 * ViT) give exact results. BatchNorm in training mode normalises with the statistics of the rows it
 * sees, which here is one chunk: the result is exactly the gradient of a model whose BatchNorm uses
 * per-chunk statistics, as data-parallel training on several devices without synchronised BatchNorm
 * does, not the gradient of a full-batch step. BatchNorm in inference mode (running statistics) is
 * exact. A layer that draws random numbers (dropout) sees, in the second pass over a chunk, the same
 * state of ND4J's random generator as in the first pass: {@link #compute} records the generator's
 * state before each chunk's first forward pass and restores it before the second, and leaves the
 * generator where a single forward pass over all chunks would have left it.
 *
 * <p><b>Running statistics.</b> Each chunk is run forward twice; state that a forward pass updates
 * (BatchNorm's running mean and variance) must be updated from one of the two only. {@link #compute}
 * never updates state itself: it returns the variables named in {@link Builder#optOutputs} from the
 * second pass of every chunk ({@link ChunkedResult#chunks()}), and the caller applies them, for
 * example once per chunk (as several devices would, each with its chunk's statistics) or once per
 * step from statistics pooled over the chunks.
 *
 * <p><b>Memory.</b> The per-chunk arrays this class creates or receives (chunk inputs, outputs of the
 * first pass, gradient slices, per-chunk parameter gradients) are closed as soon as they are used, so
 * that the off-heap memory does not wait for the garbage collector. The full-batch {@code z},
 * {@code o} ({@link ChunkedResult#embeddings()}, {@link ChunkedResult#logits()}) and the summed
 * gradients belong to the caller.
 *
 * <p>Not thread-safe (neither is {@link SameDiff}): one instance per graph and thread.
 */
public final class ChunkedGradients {
  /** Reserved name of the placeholder that carries a chunk's rows of {@code dL/dz}. */
  public static final String GRAD_EMBEDDINGS = "clce_chunk_grad_embeddings";
  /** Reserved name of the placeholder that carries a chunk's rows of {@code dL/do}. */
  public static final String GRAD_LOGITS = "clce_chunk_grad_logits";
  /** Reserved name of the surrogate {@code sum(z * G) + sum(o * H)}. */
  public static final String SURROGATE = "clce_chunk_surrogate";
  /**
   * The key under which SameDiff keeps its gradient function ({@code SameDiff.getFunction("grad")},
   * as its {@code createGradFunction} Javadoc documents).
   */
  private static final String GRAD_FUNCTION = "grad";

  private final SameDiff sd;
  private final LossConfig config;
  private final String embeddings;
  private final String logits;
  private final List<String> inputs;
  private final List<String> parameters;
  private final List<String> outputs;
  private final Runnable afterChunk;
  /** The surrogate's gradient function, kept between calls. */
  private SameDiff surrogateGradient;
  /** The graph's size when {@link #surrogateGradient} was built. */
  private long[] surrogateGradientShape;

  private ChunkedGradients(Builder b, List<String> inputs, List<String> parameters) {
    this.sd = b.sd;
    this.config = b.config;
    this.embeddings = b.config.kind().usesEmbeddings() ? b.embeddings : null;
    this.logits = b.config.kind().usesLogits() ? b.logits : null;
    this.inputs = Collections.unmodifiableList(inputs);
    this.parameters = Collections.unmodifiableList(parameters);
    this.outputs = Collections.unmodifiableList(new ArrayList<>(b.outputs));
    this.afterChunk = b.afterChunk;
  }

  /**
   * Starts a description of chunked gradients on a graph.
   *
   * @param sd the graph (required)
   * @param config the loss (required)
   * @return a builder
   */
  public static Builder builder(SameDiff sd, LossConfig config) {
    return new Builder(sd, config);
  }

  /** @return the graph */
  public SameDiff sameDiff() {
    return sd;
  }

  /** @return the loss */
  public LossConfig config() {
    return config;
  }

  /** @return the placeholders the embeddings and logits depend on, which {@link #compute} slices into chunks, sorted */
  public List<String> inputs() {
    return inputs;
  }

  /** @return the variables whose gradients {@link #compute} returns */
  public List<String> parameters() {
    return parameters;
  }

  /** @return the variables returned per chunk from the second pass */
  public List<String> outputs() {
    return outputs;
  }

  /**
   * {@link #compute(Map, INDArray, int)} for a graph with one input placeholder.
   *
   * @param features [B, ...] the batch, fed to the only placeholder of {@link #inputs()}
   * @param labels [B] integer labels
   * @param chunkSize rows per chunk, in [1, B]; the last chunk holds the remainder
   * @return loss, gradients and per-chunk outputs
   * @throws IllegalArgumentException when the graph has more than one input placeholder, or as
   *     {@link #compute(Map, INDArray, int)}
   */
  public ChunkedResult compute(INDArray features, INDArray labels, int chunkSize) {
    if (inputs.size() != 1) {
      throw new IllegalArgumentException("features: the graph has " + inputs.size() + " input placeholders " + inputs
          + ", pass a map from placeholder name to array");
    }
    Map<String, INDArray> m = new HashMap<>();
    m.put(inputs.get(0), features);
    return compute(m, labels, chunkSize);
  }

  /**
   * Computes the loss of the whole batch and the exact gradients of every parameter, one chunk of
   * rows at a time. Every argument is checked before any work.
   *
   * @param features the batch, by placeholder name: every placeholder of {@link #inputs()}, and
   *     optionally other placeholders of the graph (they are sliced the same way); each [B, ...]
   *     with the same B, in the placeholder's data type
   * @param labels [B] integer class labels (whole numbers; the loss checks their range)
   * @param chunkSize rows per chunk, in [1, B]; the last chunk holds the remainder
   * @return loss, summed gradients, the batch's embeddings and logits, and per-chunk outputs
   * @throws IllegalArgumentException naming the argument and value: a missing or unknown placeholder,
   *     rows that differ, labels that are not a vector of B values, B &lt; 2, a chunk size outside
   *     [1, B]; and after the first pass, anything {@link EagerLoss#compute} refuses
   */
  public ChunkedResult compute(Map<String, INDArray> features, INDArray labels, int chunkSize) {
    int batch = checkBatch(features, labels);
    if (chunkSize < 1 || chunkSize > batch) {
      throw new IllegalArgumentException("chunkSize: must be in [1, B = " + batch + "], got " + chunkSize);
    }
    List<int[]> ranges = new ArrayList<>();
    for (int from = 0; from < batch; from += chunkSize) {
      ranges.add(new int[] {from, Math.min(batch, from + chunkSize)});
    }
    Set<INDArray> graphArrays = graphArrays();
    Random rng = Nd4j.getRandom();
    long[][] rngStates = new long[ranges.size()][];

    // 1. forward every chunk, keeping only z and o
    INDArray z = null;
    INDArray o = null;
    List<String> firstOutputs = new ArrayList<>(2);
    if (embeddings != null) {
      firstOutputs.add(embeddings);
    }
    if (logits != null) {
      firstOutputs.add(logits);
    }
    for (int c = 0; c < ranges.size(); c++) {
      int[] r = ranges.get(c);
      rngStates[c] = new long[] {rng.rootState(), rng.nodeState()};
      Map<String, INDArray> ph = slice(features, r);
      Map<String, INDArray> out = sd.output(ph, firstOutputs);
      if (embeddings != null) {
        z = gather(z, out.get(embeddings), embeddings, batch, r);
      }
      if (logits != null) {
        o = gather(o, out.get(logits), logits, batch, r);
      }
      release(out.values(), graphArrays);
      release(ph.values(), graphArrays);
      afterChunk.run();
    }
    long[] rngAfterForward = {rng.rootState(), rng.nodeState()};

    // 2. the loss and its gradients for the whole batch
    LossResult loss = EagerLoss.compute(config, z, labels, o);

    // 3. forward again with activations, backpropagate each chunk's rows of G and H
    Map<String, INDArray> sum = new LinkedHashMap<>();
    List<ChunkOutputs> chunks = new ArrayList<>(ranges.size());
    List<String> savedLoss = new ArrayList<>(sd.getLossVariables());
    SameDiff savedGradient = sd.getFunction(GRAD_FUNCTION);
    try {
      useSurrogate();
      for (int c = 0; c < ranges.size(); c++) {
        int[] r = ranges.get(c);
        Map<String, INDArray> ph = slice(features, r);
        if (embeddings != null) {
          ph.put(GRAD_EMBEDDINGS, rows(loss.gradEmbeddings(), r));
        }
        if (logits != null) {
          ph.put(GRAD_LOGITS, rows(loss.gradLogits(), r));
        }
        rng.setStates(rngStates[c][0], rngStates[c][1]);
        OutAndGrad og = sd.calculateGradientsAndOutputs(ph, outputs.isEmpty() ? null : outputs, parameters);
        Map<String, INDArray> grads = og.getGradients();
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
          INDArray acc = sum.get(e.getKey());
          if (acc == null) {
            sum.put(e.getKey(), e.getValue().dup());
          } else {
            acc.addi(e.getValue());
          }
        }
        Map<String, INDArray> extra = outputs.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(og.getOutputs()));
        chunks.add(new ChunkOutputs(r[0], r[1], extra));
        Set<INDArray> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        keep.addAll(graphArrays);
        keep.addAll(extra.values());
        release(grads.values(), keep);
        release(ph.values(), graphArrays);
        afterChunk.run();
      }
    } finally {
      restore(savedLoss, savedGradient);
      rng.setStates(rngAfterForward[0], rngAfterForward[1]);
    }
    release(Arrays.asList(loss.gradEmbeddings(), loss.gradLogits()), graphArrays);
    Map<String, INDArray> ordered = new LinkedHashMap<>();
    for (String p : parameters) {
      if (sum.containsKey(p)) {
        ordered.put(p, sum.get(p));
      }
    }
    return new ChunkedResult(loss.value(), Collections.unmodifiableMap(ordered), z, o, List.copyOf(chunks));
  }

  // ------------------------------------------------------------------------------------------
  // Checks

  private int checkBatch(Map<String, INDArray> features, INDArray labels) {
    if (features == null) {
      throw new IllegalArgumentException("features: must not be null");
    }
    for (String in : inputs) {
      if (features.get(in) == null) {
        throw new IllegalArgumentException("features: needs an array for placeholder '" + in + "' (the graph's inputs are "
            + inputs + "), got keys " + new TreeSet<>(features.keySet()));
      }
    }
    long batch = features.get(inputs.get(0)).rank() == 0 ? -1 : features.get(inputs.get(0)).size(0);
    for (Map.Entry<String, INDArray> e : features.entrySet()) {
      String name = e.getKey();
      if (name == null || !sd.hasVariable(name) || sd.getVariable(name).getVariableType() != VariableType.PLACEHOLDER) {
        throw new IllegalArgumentException("features: '" + name + "' is not a placeholder of the graph");
      }
      if (name.equals(GRAD_EMBEDDINGS) || name.equals(GRAD_LOGITS)) {
        throw new IllegalArgumentException("features: '" + name + "' is reserved for the chunked gradients");
      }
      INDArray a = e.getValue();
      if (a == null || a.rank() == 0) {
        throw new IllegalArgumentException("features: placeholder '" + name + "' needs an array with a batch dimension, got "
            + (a == null ? "null" : "shape " + Arrays.toString(a.shape())));
      }
      if (a.size(0) != batch) {
        throw new IllegalArgumentException("features: placeholder '" + name + "' has " + a.size(0) + " rows, '" + inputs.get(0)
            + "' has " + batch);
      }
    }
    if (labels == null) {
      throw new IllegalArgumentException("labels: must not be null");
    }
    if (labels.rank() != 1 || labels.length() != batch) {
      throw new IllegalArgumentException("labels: must be a vector of B = " + batch + " values (the features' rows), got shape "
          + Arrays.toString(labels.shape()));
    }
    if (batch < 2) {
      throw new IllegalArgumentException("features: the loss needs a batch of B >= 2 rows, got B = " + batch);
    }
    if (batch > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("features: at most " + Integer.MAX_VALUE + " rows, got B = " + batch);
    }
    return (int) batch;
  }

  // ------------------------------------------------------------------------------------------
  // Loss variables and gradient functions

  /** Makes the surrogate the only loss and installs its gradient function (built on first use). */
  private void useSurrogate() {
    long[] shape = graphShape();
    sd.setLossVariables(SURROGATE);   // also drops the current gradient function
    if (surrogateGradient != null && Arrays.equals(shape, surrogateGradientShape)) {
      sd.putSubFunction(GRAD_FUNCTION, surrogateGradient);
    } else {
      sd.createGradFunction();
      surrogateGradient = sd.getFunction(GRAD_FUNCTION);
      surrogateGradientShape = shape;
    }
  }

  /** Puts back the loss variables and the gradient function the graph had before. */
  private void restore(List<String> lossVariables, SameDiff gradient) {
    sd.setLossVariables(lossVariables.toArray(new String[0]));
    if (gradient != null) {
      sd.putSubFunction(GRAD_FUNCTION, gradient);
    }
  }

  /** What a change of the graph changes: ops, variables, trainable variables. */
  private long[] graphShape() {
    long trainable = 0;
    List<SDVariable> vars = sd.variables();
    for (SDVariable v : vars) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        trainable++;
      }
    }
    return new long[] {sd.ops().length, vars.size(), trainable};
  }

  // ------------------------------------------------------------------------------------------
  // Arrays

  private static Map<String, INDArray> slice(Map<String, INDArray> features, int[] r) {
    Map<String, INDArray> ph = new HashMap<>();
    for (Map.Entry<String, INDArray> e : features.entrySet()) {
      ph.put(e.getKey(), rows(e.getValue(), r));
    }
    return ph;
  }

  /** @return a contiguous copy of rows [r0, r1) */
  static INDArray rows(INDArray a, int[] r) {
    INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
    idx[0] = NDArrayIndex.interval(r[0], r[1]);
    for (int i = 1; i < idx.length; i++) {
      idx[i] = NDArrayIndex.all();
    }
    return a.get(idx).dup('c');
  }

  private static INDArray gather(INDArray full, INDArray chunk, String name, int batch, int[] r) {
    if (chunk == null || chunk.rank() != 2 || chunk.rows() != r[1] - r[0]) {
      throw new IllegalStateException("'" + name + "' must be a matrix with one row per example, got shape "
          + (chunk == null ? "none" : Arrays.toString(chunk.shape())) + " for a chunk of " + (r[1] - r[0]) + " rows");
    }
    INDArray f = full != null ? full : Nd4j.createUninitialized(chunk.dataType(), batch, chunk.columns());
    f.get(NDArrayIndex.interval(r[0], r[1]), NDArrayIndex.all()).assign(chunk);
    return f;
  }

  /** The arrays of the graph's variables, constants and placeholders: never closed here. */
  private Set<INDArray> graphArrays() {
    Set<INDArray> s = Collections.newSetFromMap(new IdentityHashMap<>());
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
        INDArray a = v.getArr();
        if (a != null) {
          s.add(a);
        }
      }
    }
    return s;
  }

  /** Closes each distinct array once, unless it is in {@code keep} (views and attached arrays are left to the collector). */
  private static void release(Iterable<INDArray> arrays, Set<INDArray> keep) {
    Set<INDArray> done = Collections.newSetFromMap(new IdentityHashMap<>());
    for (INDArray a : arrays) {
      if (a != null && !keep.contains(a) && done.add(a) && a.closeable()) {
        a.close();
      }
    }
  }

  // ------------------------------------------------------------------------------------------

  /**
   * Builder: the graph and the loss are required; the embeddings and logits variables are required
   * when the loss reads them; everything else is optional ({@code optX}).
   */
  public static final class Builder {
    private final SameDiff sd;
    private final LossConfig config;
    private String embeddings;
    private String logits;
    private List<String> parameters;
    private List<String> outputs = List.of();
    private Runnable afterChunk = () -> { };

    private Builder(SameDiff sd, LossConfig config) {
      if (sd == null) {
        throw new IllegalArgumentException("sd: must not be null");
      }
      if (config == null) {
        throw new IllegalArgumentException("config: must not be null");
      }
      this.sd = sd;
      this.config = config;
    }

    /** @param name the embedding variable [N, d] (required when the loss reads embeddings; ignored otherwise) @return this */
    public Builder optEmbeddings(String name) {
      this.embeddings = name;
      return this;
    }

    /** @param name the logits variable [N, C] (required when the loss reads logits; ignored otherwise) @return this */
    public Builder optLogits(String name) {
      this.logits = name;
      return this;
    }

    /**
     * @param names the variables to return gradients for (default: every floating-point
     *     {@code VARIABLE} of the graph; a variable the loss does not reach gets no entry, as with
     *     {@code sd.calculateGradients})
     * @return this
     */
    public Builder optParameters(List<String> names) {
      this.parameters = names == null ? null : List.copyOf(names);
      return this;
    }

    /**
     * @param names variables to return from the second pass of every chunk, for example BatchNorm's
     *     batch statistics (default none)
     * @return this
     */
    public Builder optOutputs(List<String> names) {
      this.outputs = names == null ? List.of() : List.copyOf(names);
      return this;
    }

    /**
     * @param hook run after each pass over a chunk (both passes), for example a bounded garbage
     *     collection: SameDiff's sessions leave the arrays of a pass's intermediate results to the
     *     garbage collector, so without collections inside {@link #compute} the off-heap memory of one
     *     call grows with the number of chunks instead of staying at one chunk's (default: nothing)
     * @return this
     */
    public Builder optAfterChunk(Runnable hook) {
      this.afterChunk = hook == null ? () -> { } : hook;
      return this;
    }

    /**
     * Checks the graph and the names, then adds the gradient placeholders and the surrogate to the
     * graph under the reserved names.
     *
     * @return the chunked gradients
     * @throws IllegalArgumentException naming the argument and value: a variable the loss reads that
     *     is not named or not in the graph or not an op output, a parameter that is not a
     *     floating-point {@code VARIABLE}, an unknown output, a graph that already holds the reserved
     *     names, or embeddings and logits that depend on no placeholder
     */
    public ChunkedGradients build() {
      LossKind kind = config.kind();
      if (kind.usesEmbeddings()) {
        requireActivation("embeddings", embeddings, kind);
      }
      if (kind.usesLogits()) {
        requireActivation("logits", logits, kind);
      }
      if (kind.usesEmbeddings() && kind.usesLogits()
          && sd.getVariable(embeddings).dataType() != sd.getVariable(logits).dataType()) {
        throw new IllegalArgumentException("logits: data type " + sd.getVariable(logits).dataType() + " of '" + logits
            + "' differs from the embeddings' " + sd.getVariable(embeddings).dataType());
      }
      for (String r : List.of(GRAD_EMBEDDINGS, GRAD_LOGITS, SURROGATE)) {
        if (sd.hasVariable(r)) {
          throw new IllegalArgumentException("sd: already holds a variable named '" + r
              + "' (reserved; build one ChunkedGradients per graph)");
        }
      }
      List<String> params = parameters != null ? parameters : trainable(sd);
      for (String p : params) {
        if (p == null || !sd.hasVariable(p) || sd.getVariable(p).getVariableType() != VariableType.VARIABLE
            || !sd.getVariable(p).dataType().isFPType()) {
          throw new IllegalArgumentException("parameters: '" + p + "' is not a floating-point VARIABLE of the graph");
        }
      }
      if (params.isEmpty()) {
        throw new IllegalArgumentException("parameters: the graph has no trainable floating-point variable");
      }
      for (String out : outputs) {
        if (out == null || !sd.hasVariable(out)) {
          throw new IllegalArgumentException("outputs: '" + out + "' is not a variable of the graph");
        }
      }
      List<String> reads = new ArrayList<>(2);
      if (kind.usesEmbeddings()) {
        reads.add(embeddings);
      }
      if (kind.usesLogits()) {
        reads.add(logits);
      }
      List<String> inputs = placeholdersBehind(sd, reads);
      if (inputs.isEmpty()) {
        throw new IllegalArgumentException((kind.usesEmbeddings() ? "embeddings: '" + embeddings : "logits: '" + logits)
            + "' depends on no placeholder: nothing to split into chunks");
      }
      ChunkedGradients cg = new ChunkedGradients(this, inputs, params);
      cg.addSurrogate();
      return cg;
    }

    private void requireActivation(String arg, String name, LossKind kind) {
      if (name == null) {
        throw new IllegalArgumentException(arg + ": loss " + kind.cliName() + " reads " + arg + ", name the variable (opt"
            + Character.toUpperCase(arg.charAt(0)) + arg.substring(1) + ")");
      }
      if (!sd.hasVariable(name)) {
        throw new IllegalArgumentException(arg + ": the graph has no variable named '" + name + "'");
      }
      SDVariable v = sd.getVariable(name);
      if (v.getVariableType() != VariableType.ARRAY || !v.dataType().isFPType()) {
        throw new IllegalArgumentException(arg + ": '" + name + "' must be a floating-point op output (ARRAY), got "
            + v.getVariableType() + " " + v.dataType());
      }
    }

    private static List<String> trainable(SameDiff sd) {
      List<String> names = new ArrayList<>();
      for (SDVariable v : sd.variables()) {
        if (v.getVariableType() == VariableType.VARIABLE && v.dataType().isFPType()) {
          names.add(v.name());
        }
      }
      return names;
    }

    /** @return the placeholders that {@code names} are computed from, sorted */
    private static List<String> placeholdersBehind(SameDiff sd, List<String> names) {
      Set<String> seen = new HashSet<>();
      Set<String> found = new TreeSet<>();
      Deque<String> todo = new ArrayDeque<>(names);
      while (!todo.isEmpty()) {
        String n = todo.pop();
        if (!seen.add(n)) {
          continue;
        }
        SDVariable v = sd.getVariable(n);
        if (v.getVariableType() == VariableType.PLACEHOLDER) {
          found.add(n);
          continue;
        }
        DifferentialFunction op = sd.getVariableOutputOp(n);
        if (op != null) {
          for (SDVariable in : op.args()) {
            todo.push(in.name());
          }
        }
      }
      return new ArrayList<>(found);
    }
  }

  /** Adds {@code sum(z * G) + sum(o * H)} (only the terms the loss reads) and its placeholders. */
  private void addSurrogate() {
    SDVariable s = null;
    if (embeddings != null) {
      SDVariable z = sd.getVariable(embeddings);
      SDVariable g = sd.placeHolder(GRAD_EMBEDDINGS, z.dataType(), -1, -1);
      s = z.mul(g).sum();
    }
    if (logits != null) {
      SDVariable o = sd.getVariable(logits);
      SDVariable h = sd.placeHolder(GRAD_LOGITS, o.dataType(), -1, -1);
      SDVariable t = o.mul(h).sum();
      s = s == null ? t : s.add(t);
    }
    s.rename(SURROGATE);
  }
}

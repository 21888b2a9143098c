package dev.clce.core.chunk;

import dev.clce.core.loss.EagerLoss;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.LossResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link ChunkedGradients} for a DL4J {@link ComputationGraph}: the same three steps, with DL4J's
 * own external-errors backpropagation ({@link ComputationGraph#backpropGradient(INDArray...)}) in
 * place of the SameDiff surrogate.
 *
 * <p>The network's outputs must be plain layers (for example {@code DenseLayer}s with the identity
 * activation), not output layers with their own loss: the embeddings output and, when the loss reads
 * logits, the logits output, named by their vertex names. Other outputs get a zero error.
 *
 * <p>The returned {@link Gradient} has the layout of {@link ComputationGraph#params()} and is the
 * exact gradient of the loss, which is already a mean over the batch: apply it with DL4J's updater
 * for a minibatch of 1, or with {@code miniBatch(false)} in the configuration, so that DL4J does
 * not divide it again by the batch size.
 *
 * <p>BatchNorm: in training mode each chunk is normalised with its own statistics, as in
 * {@link ChunkedGradients}. DL4J's {@code BatchNormalization} carries its running-statistics update
 * in the gradient (a "gradient" {@code (1 - decay)(running - batch)} for the global mean and
 * variance, which the step subtracts), and the gradient pass is the only pass that makes one: those
 * entries are averaged over the chunks instead of summed, so one step moves the running statistics
 * once, towards the mean of the chunks' statistics.
 *
 * <p>Workspaces: DL4J layers keep forward-pass state (BatchNorm's normalised input, for example)
 * in workspaces that are closed between {@code feedForward} and {@code backpropGradient}; while
 * {@link #compute} runs, the network's training and inference workspace modes are set to
 * {@code NONE} (and put back afterwards), so that this state survives until the backward pass.
 *
 * <p>The random state is replayed per chunk as in {@link ChunkedGradients} (dropout sees the same
 * masks in both passes). Not thread-safe.
 */
public final class Dl4jChunkedGradients {
  private final ComputationGraph net;
  private final LossConfig config;
  private final int embeddingsOutput;
  private final int logitsOutput;

  private Dl4jChunkedGradients(ComputationGraph net, LossConfig config, int embeddingsOutput, int logitsOutput) {
    this.net = net;
    this.config = config;
    this.embeddingsOutput = embeddingsOutput;
    this.logitsOutput = logitsOutput;
  }

  /**
   * @param net an initialised network whose outputs include the embeddings and (when the loss reads
   *     them) the logits as plain layers
   * @param config the loss
   * @param embeddings the vertex name of the embeddings output (ignored when the loss does not read
   *     embeddings, may then be null)
   * @param logits the vertex name of the logits output (ignored when the loss does not read logits,
   *     may then be null)
   * @return chunked gradients for the network
   * @throws IllegalArgumentException naming the argument and value: a null network or loss, a name
   *     that is not one of the network's outputs
   */
  public static Dl4jChunkedGradients of(ComputationGraph net, LossConfig config, String embeddings, String logits) {
    if (net == null) {
      throw new IllegalArgumentException("net: must not be null");
    }
    if (config == null) {
      throw new IllegalArgumentException("config: must not be null");
    }
    if (net.params() == null) {
      throw new IllegalArgumentException("net: not initialised (call init() first)");
    }
    List<String> outs = net.getConfiguration().getNetworkOutputs();
    LossKind kind = config.kind();
    int e = kind.usesEmbeddings() ? outputIndex("embeddings", embeddings, outs, kind) : -1;
    int l = kind.usesLogits() ? outputIndex("logits", logits, outs, kind) : -1;
    return new Dl4jChunkedGradients(net, config, e, l);
  }

  private static int outputIndex(String arg, String name, List<String> outs, LossKind kind) {
    if (name == null) {
      throw new IllegalArgumentException(arg + ": loss " + kind.cliName() + " reads " + arg + ", name its output vertex");
    }
    int i = outs.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(arg + ": '" + name + "' is not an output of the network, whose outputs are " + outs);
    }
    return i;
  }

  /**
   * Computes the loss of the whole batch and the exact gradient of every parameter, one chunk at a
   * time. Every argument is checked before any work.
   *
   * @param features one array per network input, each [B, ...] with the same B
   * @param labels [B] integer class labels
   * @param chunkSize rows per chunk, in [1, B]
   * @return the loss, the summed gradient (layout of {@code net.params()}) and the batch's embeddings
   *     and logits
   * @throws IllegalArgumentException naming the argument and value
   */
  public Dl4jChunkedResult compute(INDArray[] features, INDArray labels, int chunkSize) {
    int inputs = net.getConfiguration().getNetworkInputs().size();
    if (features == null || features.length != inputs) {
      throw new IllegalArgumentException("features: the network has " + inputs + " inputs, got "
          + (features == null ? "null" : features.length + " arrays"));
    }
    for (int i = 0; i < features.length; i++) {
      if (features[i] == null || features[i].rank() == 0 || features[i].size(0) != features[0].size(0)) {
        throw new IllegalArgumentException("features: input " + i + " must have " + (features[0] == null ? "?" : features[0].size(0))
            + " rows like input 0, got " + (features[i] == null ? "null" : "shape " + Arrays.toString(features[i].shape())));
      }
    }
    long batch = features[0].size(0);
    if (labels == null || labels.rank() != 1 || labels.length() != batch) {
      throw new IllegalArgumentException("labels: must be a vector of B = " + batch + " values (the features' rows), got "
          + (labels == null ? "null" : "shape " + Arrays.toString(labels.shape())));
    }
    if (batch < 2) {
      throw new IllegalArgumentException("features: the loss needs a batch of B >= 2 rows, got B = " + batch);
    }
    if (chunkSize < 1 || chunkSize > batch) {
      throw new IllegalArgumentException("chunkSize: must be in [1, B = " + batch + "], got " + chunkSize);
    }
    List<int[]> ranges = new ArrayList<>();
    for (int from = 0; from < batch; from += chunkSize) {
      ranges.add(new int[] {from, (int) Math.min(batch, from + chunkSize)});
    }
    ComputationGraphConfiguration conf = net.getConfiguration();
    WorkspaceMode training = conf.getTrainingWorkspaceMode();
    WorkspaceMode inference = conf.getInferenceWorkspaceMode();
    conf.setTrainingWorkspaceMode(WorkspaceMode.NONE);
    conf.setInferenceWorkspaceMode(WorkspaceMode.NONE);
    try {
      return chunked(features, labels, (int) batch, ranges);
    } finally {
      conf.setTrainingWorkspaceMode(training);
      conf.setInferenceWorkspaceMode(inference);
    }
  }

  private Dl4jChunkedResult chunked(INDArray[] features, INDArray labels, int batch, List<int[]> ranges) {
    Random rng = Nd4j.getRandom();
    long[][] states = new long[ranges.size()][];
    INDArray z = null;
    INDArray o = null;
    for (int c = 0; c < ranges.size(); c++) {
      int[] r = ranges.get(c);
      states[c] = new long[] {rng.rootState(), rng.nodeState()};
      INDArray[] in = slice(features, r);
      INDArray[] out = net.output(true, in);
      if (embeddingsOutput >= 0) {
        z = gather(z, out[embeddingsOutput], batch, r);
      }
      if (logitsOutput >= 0) {
        o = gather(o, out[logitsOutput], batch, r);
      }
      net.clearLayersStates();
      close(in);   // the outputs may be DL4J's own arrays: left to the collector (one chunk's z and o)
    }
    long[] after = {rng.rootState(), rng.nodeState()};
    LossResult loss = EagerLoss.compute(config, z, labels, o);

    INDArray sum = null;
    INDArray flat = null;
    Map<String, INDArray> layout = null;
    try {
      for (int c = 0; c < ranges.size(); c++) {
        int[] r = ranges.get(c);
        INDArray[] in = slice(features, r);
        rng.setStates(states[c][0], states[c][1]);
        Map<String, INDArray> acts = net.feedForward(in, true, false);
        INDArray[] errors = new INDArray[net.getNumOutputArrays()];
        List<String> outs = net.getConfiguration().getNetworkOutputs();
        for (int k = 0; k < errors.length; k++) {
          if (k == embeddingsOutput) {
            errors[k] = ChunkedGradients.rows(loss.gradEmbeddings(), r);
          } else if (k == logitsOutput) {
            errors[k] = ChunkedGradients.rows(loss.gradLogits(), r);
          } else {
            INDArray a = acts.get(outs.get(k));
            errors[k] = Nd4j.zeros(a.dataType(), a.shape());
          }
        }
        Gradient g = net.backpropGradient(errors);
        if (sum == null) {
          sum = g.gradient().dup();
          layout = g.gradientForVariable();
          flat = g.gradient();
        } else {
          sum.addi(g.gradient());
        }
        net.clearLayersStates();
        close(in);
        close(errors);
      }
    } finally {
      rng.setStates(after[0], after[1]);
    }
    Gradient result = gradientOf(sum, flat, layout, ranges.size());
    return new Dl4jChunkedResult(loss.value(), result, z, o);
  }

  /**
   * The summed flat gradient with one view per parameter, at the offsets DL4J's own per-parameter
   * views have in its flat gradient array; BatchNorm's running-statistics entries averaged.
   */
  private Gradient gradientOf(INDArray sum, INDArray flat, Map<String, INDArray> layout, int chunks) {
    DefaultGradient g = new DefaultGradient(sum);
    INDArray line = sum.reshape(sum.length());
    for (Map.Entry<String, INDArray> e : new LinkedHashMap<>(layout).entrySet()) {
      INDArray v = e.getValue();
      long off = v.offset() - flat.offset();
      INDArray segment = line.get(NDArrayIndex.interval(off, off + v.length()));
      String key = e.getKey();
      int cut = key.lastIndexOf('_');
      Layer l = net.getLayer(key.substring(0, cut));
      String param = key.substring(cut + 1);
      if (l instanceof BatchNormalization && (param.equals(BatchNormalizationParamInitializer.GLOBAL_MEAN)
          || param.equals(BatchNormalizationParamInitializer.GLOBAL_VAR)
          || param.equals(BatchNormalizationParamInitializer.GLOBAL_LOG_STD))) {
        segment.divi(chunks);
      }
      g.setGradientFor(key, segment.reshape(v.ordering(), v.shape()));
    }
    return g;
  }

  private static INDArray[] slice(INDArray[] features, int[] r) {
    INDArray[] s = new INDArray[features.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = ChunkedGradients.rows(features[i], r);
    }
    return s;
  }

  private static INDArray gather(INDArray full, INDArray chunk, int batch, int[] r) {
    INDArray f = full != null ? full : Nd4j.createUninitialized(chunk.dataType(), batch, chunk.columns());
    f.get(NDArrayIndex.interval(r[0], r[1]), NDArrayIndex.all()).assign(chunk);
    return f;
  }

  private static void close(INDArray[] arrays) {
    for (INDArray a : arrays) {
      if (a != null && a.closeable()) {
        a.close();
      }
    }
  }
}

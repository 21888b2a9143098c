package dev.clce.core.loss;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The losses computed directly from INDArrays, with their gradients, for users who are not building
 * a graph.
 *
 * <pre>{@code
 * LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
 * LossResult r = EagerLoss.compute(cfg, embeddings, labels, logits);
 * double loss = r.value();
 * INDArray dz = r.gradEmbeddings(), dLogits = r.gradLogits();
 * }</pre>
 *
 * <p>Inputs are validated first with {@link LossInputs#validate} (every "Bad input" rule of
 * LOSSES.md). The value and the gradients then come from SameDiff's autodiff on a graph built with
 * {@link SDClceLoss}, so the two forms compute the same thing by construction. One graph is built
 * per (configuration, data type) on first use and cached (its batch size and widths are dynamic,
 * so any M, d and C reuse it; the {@value #MAX_CACHED_GRAPHS} most recently used are kept); building costs tens to hundreds of milliseconds, later calls only run it.
 *
 * <p>Thread-safe: calls that share a cached graph are serialised on it; different configurations run
 * in parallel. The returned gradients are fresh copies, owned by the caller.
 */
public final class EagerLoss {
  /** Placeholder name of the embeddings in the cached graphs. */
  static final String EMBEDDINGS = "embeddings";
  /** Placeholder name of the labels (INT64) in the cached graphs. */
  static final String LABELS = "labels";
  /** Placeholder name of the logits in the cached graphs. */
  static final String LOGITS = "logits";
  /** Name of the scalar loss in the cached graphs. */
  static final String LOSS = "loss";

  /** At most this many graphs stay cached; beyond it the least recently used goes. */
  static final int MAX_CACHED_GRAPHS = 128;

  /** Least-recently-used cache; every access holds its lock (graphs are built outside it). */
  private static final Map<Key, Graph> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Graph> eldest) {
      return size() > MAX_CACHED_GRAPHS;
    }
  };

  private EagerLoss() {}

  /**
   * Computes the loss and its gradients.
   *
   * @param config the loss
   * @param embeddings [M, d] raw embeddings (null for CE)
   * @param labels [M] integer labels
   * @param logits [M, C] logits (null for purely contrastive losses)
   * @return value and gradients, in the data type of the inputs (a gradient is null when the loss
   *     does not read that input)
   * @throws IllegalArgumentException naming the argument, for any input LOSSES.md refuses
   */
  public static LossResult compute(LossConfig config, INDArray embeddings, INDArray labels, INDArray logits) {
    LossInputs.validate(config, embeddings, labels, logits);
    LossKind kind = config.kind();
    DataType dt = kind.usesEmbeddings() ? embeddings.dataType() : logits.dataType();
    // checkInputs does not change the graph: one cached graph serves both settings.
    LossConfig graphConfig = config.checkInputs() ? config : config.toBuilder().optCheckInputs(true).build();
    Graph g = graph(new Key(graphConfig, dt));
    Map<String, INDArray> ph = new HashMap<>();
    if (kind.usesEmbeddings()) {
      ph.put(EMBEDDINGS, embeddings);
    }
    if (kind.usesLogits()) {
      ph.put(LOGITS, logits);
    }
    ph.put(LABELS, labels.dataType() == DataType.INT64 ? labels : labels.castTo(DataType.INT64));
    return g.run(ph);
  }

  private static Graph graph(Key key) {
    synchronized (CACHE) {
      Graph g = CACHE.get(key);
      if (g != null) {
        return g;
      }
    }
    // Built outside the lock: two threads may both build a missing graph; the first one stored wins.
    Graph built = new Graph(key.config, key.dataType);
    synchronized (CACHE) {
      Graph g = CACHE.putIfAbsent(key, built);
      return g != null ? g : built;
    }
  }

  /** Number of cached graphs (for tests and monitoring). @return the count */
  static int cachedGraphs() {
    synchronized (CACHE) {
      return CACHE.size();
    }
  }

  private record Key(LossConfig config, DataType dataType) {}

  /** One built graph with its lock. */
  private static final class Graph {
    private final SameDiff sd;
    private final List<String> gradInputs = new ArrayList<>();
    private final boolean embeddings;
    private final boolean logits;

    Graph(LossConfig config, DataType dt) {
      sd = SameDiff.create();
      LossKind kind = config.kind();
      embeddings = kind.usesEmbeddings();
      logits = kind.usesLogits();
      SDVariable z = embeddings ? sd.placeHolder(EMBEDDINGS, dt, -1, -1) : null;
      SDVariable o = logits ? sd.placeHolder(LOGITS, dt, -1, -1) : null;
      SDVariable y = sd.placeHolder(LABELS, DataType.INT64, -1);
      SDClceLoss.of(sd).loss(LOSS, config, z, y, o).markAsLoss();
      if (embeddings) {
        gradInputs.add(EMBEDDINGS);
      }
      if (logits) {
        gradInputs.add(LOGITS);
      }
      sd.createGradFunction(gradInputs.toArray(new String[0]));
    }

    synchronized LossResult run(Map<String, INDArray> ph) {
      OutAndGrad r = sd.calculateGradientsAndOutputs(ph, List.of(LOSS), gradInputs);
      double value = r.getOutputs().get(LOSS).getDouble(0);
      INDArray gz = embeddings ? copyOrZeros(r.getGradients().get(EMBEDDINGS), ph.get(EMBEDDINGS)) : null;
      INDArray go = logits ? copyOrZeros(r.getGradients().get(LOGITS), ph.get(LOGITS)) : null;
      return new LossResult(value, gz, go);
    }

    private static INDArray copyOrZeros(INDArray grad, INDArray input) {
      return grad == null ? Nd4j.zeros(input.dataType(), input.shape()) : grad.dup('c');
    }
  }
}

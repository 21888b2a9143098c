package dev.clce.bench.perf;

import dev.clce.core.loss.EagerLoss;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.SDClceLoss;
import dev.clce.core.random.NdRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times the loss alone, forward plus backward, on random float inputs: M rows (M/2 images seen
 * twice, labels from 10 classes), embeddings [M, d] and logits [M, 10], as
 * {@code scripts/perf_torch.py --loss-only} does.
 *
 * <ul>
 *   <li>{@link Form#SAMEDIFF}: one graph with fixed shapes, one step is {@code sd.calculateGradients}
 *       with respect to the embeddings and (where read) the logits.</li>
 *   <li>{@link Form#EAGER}: one step is {@link EagerLoss#compute} (validates the inputs, then value and
 *       gradients).</li>
 * </ul>
 */
public final class LossStepBenchmark implements StepBenchmark {
  /** How the loss is run. */
  public enum Form {
    /** A SameDiff graph built once. */
    SAMEDIFF,
    /** {@link EagerLoss#compute}. */
    EAGER
  }

  /** Number of classes of the logits and labels. */
  public static final int CLASSES = 10;
  private static final String Z = "perf.z";
  private static final String Y = "perf.y";
  private static final String O = "perf.o";
  private static final String LOSS = "perf.loss";

  private final LossConfig config;
  private final Form form;
  private final INDArray z;
  private final INDArray y;
  private final INDArray o;
  private SameDiff sd;
  private final Map<String, INDArray> ph = new HashMap<>();
  private final List<String> wrt = new ArrayList<>();

  /**
   * @param config the loss
   * @param form eager or SameDiff
   * @param m rows, even and &gt;= 2
   * @param d embedding width, &gt;= 1
   * @param seed seed of the inputs
   */
  public LossStepBenchmark(LossConfig config, Form form, int m, int d, long seed) {
    if (config == null) {
      throw new IllegalArgumentException("config: must not be null");
    }
    if (form == null) {
      throw new IllegalArgumentException("form: must not be null");
    }
    if (m < 2 || m % 2 != 0) {
      throw new IllegalArgumentException("m: must be even and >= 2 (two views per image), got " + m);
    }
    if (d < 1) {
      throw new IllegalArgumentException("d: must be >= 1, got " + d);
    }
    this.config = config;
    this.form = form;
    z = NdRandom.randn(seed, DataType.FLOAT, m, d).castTo(DataType.FLOAT);
    o = NdRandom.randn(seed + 1, DataType.FLOAT, m, CLASSES).castTo(DataType.FLOAT);
    java.util.Random rnd = new java.util.Random(seed);
    long[] yv = new long[m];
    for (int i = 0; i < m / 2; i++) {
      yv[i] = rnd.nextInt(CLASSES);
      yv[i + m / 2] = yv[i];
    }
    y = Nd4j.createFromArray(yv);
    if (form == Form.SAMEDIFF) {
      buildGraph();
    }
  }

  private void buildGraph() {
    sd = SameDiff.create();
    SDVariable zv = null;
    SDVariable ov = null;
    if (config.kind().usesEmbeddings()) {
      zv = sd.placeHolder(Z, DataType.FLOAT, z.shape());
      ph.put(Z, z);
      wrt.add(Z);
    }
    if (config.kind().usesLogits()) {
      ov = sd.placeHolder(O, DataType.FLOAT, o.shape());
      ph.put(O, o);
      wrt.add(O);
    }
    SDVariable yv = sd.placeHolder(Y, DataType.INT64, y.shape());
    ph.put(Y, y);
    SDClceLoss.of(sd).loss(LOSS, config, zv, yv, ov).markAsLoss();
    sd.createGradFunction(wrt.toArray(new String[0]));
  }

  /**
   * Adds a listener to the SameDiff form's runs (ignored by the eager form, which runs no graph).
   *
   * @param l the listener
   */
  public void addListener(Listener l) {
    if (sd != null) {
      sd.addListeners(l); // adds: setListeners would drop the loss's input guard
    }
  }

  /** Runs forward and backward once. @return its wall time in seconds */
  public double step() {
    long t0 = System.nanoTime();
    if (form == Form.SAMEDIFF) {
      sd.calculateGradients(ph, wrt);
    } else {
      EagerLoss.compute(config, config.kind().usesEmbeddings() ? z : null, y, config.kind().usesLogits() ? o : null);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * Runs {@code warmup} untimed steps then {@code steps} timed ones.
   *
   * @param warmup untimed steps, &gt;= 0
   * @param steps timed steps, &gt;= 1
   * @return the timed steps
   */
  public StepTimes run(int warmup, int steps) {
    if (warmup < 0) {
      throw new IllegalArgumentException("warmup: must be >= 0, got " + warmup);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps: must be >= 1, got " + steps);
    }
    for (int i = 0; i < warmup; i++) {
      step();
    }
    double[] t = new double[steps];
    for (int i = 0; i < steps; i++) {
      t[i] = step();
    }
    return new StepTimes(t);
  }
}

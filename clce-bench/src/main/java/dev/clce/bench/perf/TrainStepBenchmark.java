package dev.clce.bench.perf;

import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.SDClceLoss;
import dev.clce.core.random.NdRandom;
import dev.clce.models.EncoderModel;
import dev.clce.bench.train.NativeMemoryGuard;
import dev.clce.models.ModelOptions;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Times whole training steps of an encoder with a loss: forward, loss, backward, Adam update and the
 * BatchNorm running-statistics update, each step one {@code sd.fit(batch)} on the same random batch.
 *
 * <p>The batch is {@code batch} random normal images; the labels treat it as {@code batch / 2} images
 * seen twice (rows {@code i} and {@code i + batch/2} share a label, as two augmented views do), with
 * labels drawn from {@link #LABEL_CLASSES} classes. The optimiser is Adam with learning rate
 * {@link #LEARNING_RATE} and no weight decay. {@code scripts/perf_torch.py} does exactly the same in
 * PyTorch.
 */
public final class TrainStepBenchmark implements StepBenchmark {
  /** Name of the label placeholder (INT64 [N]). */
  public static final String LABELS = "perf.labels";
  /** Name of the scalar loss. */
  public static final String LOSS = "perf.loss";
  /** Adam's learning rate in the benchmark. */
  public static final double LEARNING_RATE = 1e-3;
  /** Number of distinct labels in the benchmark batch. */
  public static final int LABEL_CLASSES = 10;

  private final EncoderModel model;
  private final MultiDataSet data;
  private final List<Listener> listeners = new ArrayList<>();
  private double firstStepSeconds = Double.NaN;
  private final List<Double> rssAfterStepMb = new ArrayList<>();
  private NativeMemoryGuard memoryGuard = NativeMemoryGuard.withDefaults();

  /**
   * Adds the loss and the training configuration to the model's graph and makes the batch.
   *
   * @param model a freshly built model (its graph gets the label placeholder, the loss and Adam)
   * @param loss the loss; contrastive losses read the model's contrastive embedding, CE its logits
   * @param batch images per step, even and &gt;= 2
   * @param seed seed of the images and labels
   */
  public TrainStepBenchmark(EncoderModel model, LossConfig loss, int batch, long seed) {
    if (model == null) {
      throw new IllegalArgumentException("model: must not be null");
    }
    if (loss == null) {
      throw new IllegalArgumentException("loss: must not be null");
    }
    if (batch < 2 || batch % 2 != 0) {
      throw new IllegalArgumentException("batch: must be even and >= 2 (two views per image), got " + batch);
    }
    this.model = model;
    SameDiff sd = model.sameDiff();
    SDVariable labels = sd.placeHolder(LABELS, DataType.INT64, -1);
    SDVariable z = loss.kind().usesEmbeddings() ? model.contrastiveEmbedding() : null;
    SDVariable o = loss.kind().usesLogits() ? model.logits() : null;
    SDClceLoss.of(sd).loss(LOSS, loss, z, labels, o).markAsLoss();
    sd.setTrainingConfig(TrainingConfig.builder()
        .updater(new Adam(LEARNING_RATE))
        .dataSetFeatureMapping(model.inputName())
        .dataSetLabelMapping(LABELS)
        .build());
    this.data = batch(model.spec().options(), batch, seed);
    listeners.add(model.batchNormStatistics().listener());
  }

  /**
   * The benchmark batch: random normal images and two-view labels.
   *
   * @param o the model options (channels, image size, data type)
   * @param batch even number of images
   * @param seed the seed
   * @return features [batch, C, H, W] and labels INT64 [batch]
   */
  static MultiDataSet batch(ModelOptions o, int batch, long seed) {
    INDArray x = NdRandom.randn(seed, DataType.FLOAT, batch, o.channels(), o.imageSize(), o.imageSize()).castTo(o.dataType());
    java.util.Random rnd = new java.util.Random(seed);
    long[] y = new long[batch];
    for (int i = 0; i < batch / 2; i++) {
      y[i] = rnd.nextInt(LABEL_CLASSES);
      y[i + batch / 2] = y[i];
    }
    return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x}, new INDArray[] {Nd4j.createFromArray(y)});
  }

  /**
   * Adds a listener to every following step (for example an {@link OpTimingListener}).
   *
   * @param l the listener
   */
  public void addListener(Listener l) {
    listeners.add(l);
  }

  /**
   * Sets the guard that runs the garbage collector between steps (part of each timed step, as in a
   * training loop); {@link NativeMemoryGuard#withDefaults()} unless set.
   *
   * @param guard the guard, or null for none (resident memory then grows until a collection happens)
   */
  public void setMemoryGuard(NativeMemoryGuard guard) {
    this.memoryGuard = guard;
  }

  /** @return garbage collections the memory guard ran so far (0 without a guard) */
  public int memoryCollections() {
    return memoryGuard == null ? 0 : memoryGuard.collections();
  }

  /** Runs one training step. @return its wall time in seconds */
  public double step() {
    long t0 = System.nanoTime();
    model.sameDiff().fit(data, listeners.toArray(new Listener[0]));
    if (memoryGuard != null) {
      memoryGuard.afterStep();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    if (Double.isNaN(firstStepSeconds)) {
      firstStepSeconds = s;
    }
    return s;
  }

  /**
   * Runs {@code warmup} untimed steps then {@code steps} timed ones.
   *
   * @param warmup steps first, &gt;= 0 (the first step builds the gradient graph)
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
    rssAfterStepMb.clear();
    for (int i = 0; i < steps; i++) {
      t[i] = step();
      rssAfterStepMb.add(PeakRss.currentMb());
    }
    return new StepTimes(t);
  }

  /** @return resident set size in MiB after each timed step of the last {@link #run}, in order */
  public List<Double> rssAfterStepMb() {
    return List.copyOf(rssAfterStepMb);
  }

  /** @return wall time of the first step run (it includes building the gradient graph), NaN before */
  public double firstStepSeconds() {
    return firstStepSeconds;
  }

  /** @return the loss on the benchmark batch with the current weights (runs a forward pass) */
  public double currentLoss() {
    java.util.Map<String, INDArray> ph = new java.util.HashMap<>();
    ph.put(model.inputName(), data.getFeatures(0));
    ph.put(LABELS, data.getLabels(0));
    return model.sameDiff().output(ph, LOSS).get(LOSS).getDouble(0);
  }
}

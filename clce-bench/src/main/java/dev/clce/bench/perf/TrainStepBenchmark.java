package dev.clce.bench.perf;

import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.SDClceLoss;
import dev.clce.core.random.NdRandom;
import dev.clce.models.EncoderModel;
import dev.clce.bench.data.TwoViewBatch;
import dev.clce.bench.train.NativeMemoryGuard;
import dev.clce.bench.train.Optimizer;
import dev.clce.bench.train.OptimizerKind;
import dev.clce.bench.train.TrainStep;
import dev.clce.bench.train.WarmupCosineSchedule;
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
 * BatchNorm running-statistics update, each step on the same random batch. Two kinds of step:
 * <ul>
 *   <li>{@link #fit}: one {@code sd.fit(batch)} with SameDiff's own Adam; what
 *       {@code scripts/perf_torch.py} does exactly the same of in PyTorch;</li>
 *   <li>{@link #trainer}: the step {@code clce train} takes ({@link TrainStep#addTo}): the plain step
 *       (one SameDiff pass, then the trainer's {@link Optimizer}) or, with a chunk size, the chunked
 *       step (gradient caching: the gradient of the whole batch's loss computed a chunk at a time).
 *       Plain and chunked are compared with this kind, so that only the chunking differs.</li>
 * </ul>
 *
 * <p>The batch is {@code batch} random normal images; the labels treat it as {@code batch / 2} images
 * seen twice (rows {@code i} and {@code i + batch/2} share a label, as two augmented views do: the
 * layout of a {@link TwoViewBatch}), with labels drawn from {@link #LABEL_CLASSES} classes. The
 * optimiser is Adam with learning rate {@link #LEARNING_RATE} and no weight decay.
 */
public final class TrainStepBenchmark implements StepBenchmark {
  /** Name of the label placeholder (INT64 [N]) of {@link #fit}. */
  public static final String LABELS = "perf.labels";
  /** Name of the scalar loss of {@link #fit}. */
  public static final String LOSS = "perf.loss";
  /** Adam's learning rate in the benchmark. */
  public static final double LEARNING_RATE = 1e-3;
  /** Number of distinct labels in the benchmark batch. */
  public static final int LABEL_CLASSES = 10;

  private final EncoderModel model;
  private final int chunk;
  private final MultiDataSet data;
  /** The trainer's step, or null for {@code sd.fit}. */
  private final TrainStep trainStep;
  private final List<Listener> listeners = new ArrayList<>();
  private double firstStepSeconds = Double.NaN;
  private double firstLoss = Double.NaN;
  private double lastLoss = Double.NaN;
  private long globalStep;
  private final List<Double> rssAfterStepMb = new ArrayList<>();
  private NativeMemoryGuard memoryGuard = NativeMemoryGuard.withDefaults();

  private TrainStepBenchmark(EncoderModel model, LossConfig loss, int batch, int chunk, long seed, boolean fit) {
    if (model == null) {
      throw new IllegalArgumentException("model: must not be null");
    }
    if (loss == null) {
      throw new IllegalArgumentException("loss: must not be null");
    }
    if (batch < 2 || batch % 2 != 0) {
      throw new IllegalArgumentException("batch: must be even and >= 2 (two views per image), got " + batch);
    }
    if (chunk != 0 && (chunk < 1 || chunk > batch)) {
      throw new IllegalArgumentException("chunk: must be in [1, batch = " + batch + "] images (0 = no chunks), got " + chunk);
    }
    if (chunk % 2 != 0) {
      throw new IllegalArgumentException("chunk: must be even (both views of an image go into the same chunk), got " + chunk);
    }
    this.model = model;
    this.chunk = chunk;
    SameDiff sd = model.sameDiff();
    INDArray x = images(model.spec().options(), batch, seed);
    long[] y = labels(batch, seed);
    if (fit) {
      SDVariable labels = sd.placeHolder(LABELS, DataType.INT64, -1);
      SDVariable z = loss.kind().usesEmbeddings() ? model.contrastiveEmbedding() : null;
      SDVariable o = loss.kind().usesLogits() ? model.logits() : null;
      SDClceLoss.of(sd).loss(LOSS, loss, z, labels, o).markAsLoss();
      sd.setTrainingConfig(TrainingConfig.builder()
          .updater(new Adam(LEARNING_RATE))
          .dataSetFeatureMapping(model.inputName())
          .dataSetLabelMapping(LABELS)
          .build());
      this.data = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x}, new INDArray[] {Nd4j.createFromArray(y)});
      this.trainStep = null;
      listeners.add(model.batchNormStatistics().listener());
    } else {
      // a constant rate: the cosine schedule over a horizon no benchmark reaches
      Optimizer opt = new Optimizer(OptimizerKind.ADAM, new WarmupCosineSchedule(LEARNING_RATE, 0, Long.MAX_VALUE), 0, 0,
          sd, model.parameterNames());
      this.trainStep = TrainStep.addTo(model, loss, opt, chunk / 2);
      INDArray y32 = Nd4j.createFromArray(y).castTo(DataType.INT32);
      this.data = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x}, new INDArray[] {y32});
    }
  }

  /**
   * The {@code sd.fit} step: adds the loss ({@link #LOSS}, labels {@link #LABELS}) and SameDiff's
   * training configuration (Adam) to the model's graph and makes the batch.
   *
   * @param model a freshly built model (its graph gets the label placeholder, the loss and Adam)
   * @param loss the loss; contrastive losses read the model's contrastive embedding, CE its logits
   * @param batch images per step, even and &gt;= 2
   * @param seed seed of the images and labels
   * @return the benchmark
   */
  public static TrainStepBenchmark fit(EncoderModel model, LossConfig loss, int batch, long seed) {
    return new TrainStepBenchmark(model, loss, batch, 0, seed, true);
  }

  /**
   * The trainer's step ({@link TrainStep#addTo}, with the trainer's {@link Optimizer}: Adam) and the
   * batch.
   *
   * @param model a freshly built model (its graph gets the trainer's label placeholder and loss)
   * @param loss the loss
   * @param batch images per step, even and &gt;= 2
   * @param chunk images per chunk, even and in [2, batch] (both views of an image go into one chunk);
   *     0 for the plain step
   * @param seed seed of the images and labels
   * @return the benchmark
   */
  public static TrainStepBenchmark trainer(EncoderModel model, LossConfig loss, int batch, int chunk, long seed) {
    return new TrainStepBenchmark(model, loss, batch, chunk, seed, false);
  }

  /**
   * The benchmark images: {@code batch} random normal images.
   *
   * @param o the model options (channels, image size, data type)
   * @param batch even number of images
   * @param seed the seed
   * @return [batch, C, H, W]
   */
  static INDArray images(ModelOptions o, int batch, long seed) {
    return NdRandom.randn(seed, DataType.FLOAT, batch, o.channels(), o.imageSize(), o.imageSize()).castTo(o.dataType());
  }

  /**
   * The benchmark labels: rows {@code i} and {@code i + batch/2} share one of {@link #LABEL_CLASSES}.
   *
   * @param batch even number of images
   * @param seed the seed
   * @return [batch] labels
   */
  static long[] labels(int batch, long seed) {
    java.util.Random rnd = new java.util.Random(seed);
    long[] y = new long[batch];
    for (int i = 0; i < batch / 2; i++) {
      y[i] = rnd.nextInt(LABEL_CLASSES);
      y[i + batch / 2] = y[i];
    }
    return y;
  }

  /** @return images per chunk, 0 for a step over the whole batch */
  public int chunk() {
    return chunk;
  }

  /** @return whether this times the trainer's step ({@link #trainer}) rather than {@code sd.fit} */
  public boolean trainerStep() {
    return trainStep != null;
  }

  /**
   * Adds a listener to every following step (for example an {@link OpTimingListener}).
   *
   * @param l the listener
   */
  public void addListener(Listener l) {
    if (trainStep != null) {
      throw new UnsupportedOperationException("listeners: only the sd.fit step takes SameDiff listeners, not the trainer's step");
    }
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
    // the trainer's step closes its batch: it gets copies, made before the clock starts
    TwoViewBatch views = trainStep == null ? null : new TwoViewBatch(data.getFeatures(0).dup(), data.getLabels(0).dup(),
        new int[(int) data.getFeatures(0).size(0) / 2], globalStep);
    long t0 = System.nanoTime();
    if (trainStep == null) {
      model.sameDiff().fit(data, listeners.toArray(new Listener[0]));
    } else {
      lastLoss = trainStep.run(views, globalStep, 0);
      if (Double.isNaN(firstLoss)) {
        firstLoss = lastLoss;
      }
    }
    globalStep++;
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

  /**
   * @return the loss the trainer's first step computed (at the initial weights), NaN before or for
   *     the {@code sd.fit} step
   */
  public double firstStepLoss() {
    return firstLoss;
  }

  /**
   * @return the loss the trainer's last step computed (before that step's update), NaN before or
   *     for the {@code sd.fit} step
   */
  public double lastStepLoss() {
    return lastLoss;
  }

  /**
   * The loss on the benchmark batch with the current weights, from a forward pass over the whole
   * batch. Only for the {@code sd.fit} step: for the trainer's step see {@link #firstStepLoss()}
   * (a whole-batch pass would defeat the memory a chunked step saves).
   *
   * @return the loss
   */
  public double currentLoss() {
    if (trainStep != null) {
      throw new UnsupportedOperationException("currentLoss: only for the sd.fit step; the trainer's step reports "
          + "firstStepLoss() and lastStepLoss()");
    }
    java.util.Map<String, INDArray> ph = new java.util.HashMap<>();
    ph.put(model.inputName(), data.getFeatures(0));
    ph.put(LABELS, data.getLabels(0));
    return model.sameDiff().output(ph, LOSS).get(LOSS).getDouble(0);
  }
}

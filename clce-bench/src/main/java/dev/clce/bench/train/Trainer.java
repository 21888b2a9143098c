package dev.clce.bench.train;

import dev.clce.bench.data.BatchIterator;
import dev.clce.bench.data.BatchSampler;
import dev.clce.bench.data.ClassPairSampler;
import dev.clce.bench.data.Seeds;
import dev.clce.bench.data.ShuffleSampler;
import dev.clce.bench.data.TwoViewAugmenter;
import dev.clce.core.internal.AtomicFiles;
import dev.clce.core.loss.LossInputException;
import dev.clce.bench.protocol.Provenance;
import dev.clce.models.EncoderModel;
import dev.clce.models.weights.LoadRule;
import dev.clce.models.weights.StateDict;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains any encoder of clce-models with any loss of clce-core on two augmented views per image.
 *
 * <pre>{@code
 * TrainResult r = Trainer.create(config, Path.of("runs/a"), false, System.err).run();
 * }</pre>
 *
 * <p>The loop only runs steps: the next batch of B images becomes 2B views ({@link BatchIterator},
 * seeded by the global step) and a {@link TrainStep} trains on them: {@link FullBatchStep} (one
 * SameDiff pass, the BatchNorm statistics, the {@link Optimizer}) or, with {@link Budget#chunk()},
 * {@link ChunkedStep} (the same gradient of the whole batch's loss, a chunk of images at a time). Everything else follows the loop as a
 * {@link TrainingListener}: the metrics log ({@code metrics.jsonl}), the evaluation in inference mode
 * at the end of each epoch ({@link ModelEvaluator}), the checkpoints ({@link Checkpoint}, every
 * {@code checkpointEvery} steps and at the end), the progress display and the
 * {@link NativeMemoryGuard}. The batch order and augmentation depend only on the seed and the global
 * step, so a run resumed from a checkpoint continues exactly as an uninterrupted one (bit-identical
 * weights on the CPU backend).
 *
 * <p>The run directory gets {@code config.json}, {@code metrics.jsonl}, the checkpoints and, at the
 * end, {@code final.json} (a {@link TrainResult}).
 */
public final class Trainer {
  /** A checkpoint's model group: every parameter and buffer, exact element types, nothing else. */
  static final LoadRule MODEL_STATE = LoadRule.strict().withPrefix(Checkpoint.MODEL_GROUP).withExactTypes();
  private static final long SAMPLER_STREAM = 1;
  private static final long AUGMENT_STREAM = 2;

  private final TrainConfig config;
  private final RunData data;
  private final Path dir;
  private final PrintStream log;
  private final EncoderModel model;
  private final SameDiff sd;
  private final Optimizer optimizer;
  private final BatchIterator batches;
  private final long totalSteps;
  private final int stepsPerEpoch;
  private final Checkpoint resumedFrom;
  private TrainStep trainStep;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private long step;
  private Path lastCheckpoint;
  private ModelEvaluator.Scores lastScores;
  private long lastEvalStep = -1;

  private Trainer(TrainConfig requested, Path dir, boolean resume, PrintStream log) {
    this.dir = dir;
    this.log = log;
    // 1. The run directory: a fresh run must not overwrite another one.
    Path newest = Checkpoint.newest(dir).orElse(null);
    if (!resume && (newest != null || Files.exists(dir.resolve(TrainNames.CONFIG_JSON)))) {
      throw new IllegalArgumentException("out: " + dir + " already holds a run (" + (newest != null ? newest.getFileName()
          : TrainNames.CONFIG_JSON) + "); pass --resume to continue it or choose another --out");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("out: " + dir + " exists and is not a directory");
    }
    checkWritable(dir);
    // 2. The checkpoint is read and checked in full before anything is built.
    Checkpoint ckpt = resume && newest != null ? Checkpoint.read(newest) : null;
    // 3. Data, and the configuration resolved against it.
    this.data = RunData.load(requested);
    this.config = data.config();
    if (ckpt != null) {
      String diff = ckpt.config().firstDifference(config);
      if (diff != null) {
        throw new CheckpointException(ckpt.file() + " was written by a run with another configuration (" + diff
            + "); resume with the same arguments or choose another --out");
      }
    }
    int batch = config.budget().batch();
    BatchSampler sampler = config.data().sampler() == Sampler.CLASS_PAIRS
        ? new ClassPairSampler(data.train().labels(), batch, Seeds.mix(config.seed(), SAMPLER_STREAM))
        : new ShuffleSampler(data.train().size(), checkBatch(batch, data.train().size()),
            Seeds.mix(config.seed(), SAMPLER_STREAM));
    this.stepsPerEpoch = sampler.stepsPerEpoch();
    this.totalSteps = config.budget().totalSteps(stepsPerEpoch);
    OptimizerConfig opt = config.optimizer();
    if (opt.warmupSteps() >= totalSteps) {
      throw new IllegalArgumentException("warmup-steps: must be below the number of steps " + totalSteps + ", got "
          + opt.warmupSteps());
    }
    this.batches = new BatchIterator(sampler, new TwoViewAugmenter(data.train(), data.augment(),
        Seeds.mix(config.seed(), AUGMENT_STREAM)));
    // 4. Model, loss, optimiser.
    this.model = config.arch().create(config.modelOptions(data.numClasses()));
    this.sd = model.sameDiff();
    this.optimizer = new Optimizer(opt.kind(), new WarmupCosineSchedule(opt.lr(), opt.warmupSteps(), totalSteps),
        opt.momentum(), opt.weightDecay(), sd, model.parameterNames());
    this.trainStep = TrainStep.addTo(model, config.loss(), optimizer, config.budget().chunk());
    // 5. Restore (checked against the model first: nothing is assigned unless everything fits).
    if (ckpt != null) {
      restore(ckpt);
      this.step = ckpt.step();
      ckpt.release();
    }
    this.resumedFrom = ckpt;
    batches.seek(step);
    // 6. The listeners of every run: memory, progress, metrics, evaluation, checkpoints.
    listeners.add(NativeMemoryGuard.withDefaults());
    if (config.run().progressEvery() > 0) {
      listeners.add(new TrainListeners.Progress(log));
    }
    listeners.add(new TrainListeners.Metrics());
    listeners.add(new TrainListeners.EpochEvaluation());
    listeners.add(new TrainListeners.Checkpoints());
    // 7. Everything is checked: the temporary files a killed run left are removed, then config.json written.
    removeLeftovers(dir, log);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create " + dir, e);
    }
    TrainJson.write(dir.resolve(TrainNames.CONFIG_JSON), config);
  }

  /**
   * Removes the temporary files that a run killed during one of its atomic writes (a checkpoint,
   * {@code config.json}, the metrics log, {@code final.json}) or during the write check left in
   * its directory, and says so on the log. Only names that the trainer's own writes produce are
   * touched ({@link TrainNames#RUN_DIR_TARGETS}); anything else in the directory is kept. Called
   * once the run is known to start (resumed or fresh), never for a refused one.
   *
   * @param dir the run directory
   * @param log where the line goes
   * @return the names removed
   */
  static List<String> removeLeftovers(Path dir, PrintStream log) {
    List<String> removed = AtomicFiles.removeTemporaryFiles(dir, TrainNames.RUN_DIR_TARGETS);
    if (!removed.isEmpty()) {
      log.println("removed " + removed.size() + " temporary file" + (removed.size() == 1 ? "" : "s")
          + " left by an interrupted run in " + dir + ": " + String.join(", ", removed));
    }
    return removed;
  }

  /**
   * Prepares a run: checks the run directory, reads and checks the checkpoint when resuming, loads the
   * data, builds the model, loss and optimiser, restores the state, writes {@code config.json}.
   *
   * @param config the configuration (resolved against the data here)
   * @param dir the run directory (created when missing)
   * @param resume continue from the newest checkpoint in {@code dir} (a fresh start when there is none)
   * @param log where progress goes (standard error)
   * @return the trainer, positioned at the checkpoint's step when resuming
   * @throws IllegalArgumentException for a bad configuration or run directory
   * @throws CheckpointException for a damaged checkpoint or one of another configuration
   */
  public static Trainer create(TrainConfig config, Path dir, boolean resume, PrintStream log) {
    if (config == null) {
      throw new IllegalArgumentException("config: must not be null");
    }
    if (dir == null) {
      throw new IllegalArgumentException("out: must not be null");
    }
    return new Trainer(config, dir, resume, log == null ? new PrintStream(PrintStream.nullOutputStream()) : log);
  }

  /**
   * Refuses a run directory that cannot be written before any data is loaded or any step is run,
   * rather than after the first hours of training. The directory (or, while it does not exist yet,
   * its nearest existing ancestor) must be a directory in which a file can be created: a probe file is
   * created and deleted, which also catches read-only mounts and permissions that {@code access(2)}
   * reports wrongly (root). A full disk can still fail a later write; that write is atomic
   * ({@code AtomicFiles}), names its file, and leaves the previous checkpoint as it was.
   */
  static void checkWritable(Path dir) {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new IllegalArgumentException("out: " + dir + " cannot be created: no part of the path exists");
    }
    if (!Files.isDirectory(existing)) {
      throw new IllegalArgumentException("out: " + dir + " cannot be created: " + existing + " is not a directory");
    }
    Path probe = null;
    try {
      probe = AtomicFiles.createTemporary(existing, TrainNames.WRITE_CHECK);
    } catch (IOException | SecurityException e) {
      throw new IllegalArgumentException("out: " + existing + " is not writable" + (existing.equals(dir.toAbsolutePath())
          ? "" : " (needed to create " + dir + ")") + ": " + e, e);
    } finally {
      if (probe != null) {
        try {
          Files.deleteIfExists(probe);
        } catch (IOException ignored) {
          // a stray probe starts with a dot: nothing reads it, and the next start removes it (removeLeftovers)
        }
      }
    }
  }

  private static int checkBatch(int batch, int size) {
    if (batch > size) {
      throw new IllegalArgumentException("batch: must be at most the number of training images " + size + ", got " + batch);
    }
    return batch;
  }

  /**
   * Adds a listener after those of every run (memory guard, progress, metrics, evaluation, checkpoints).
   *
   * @param listener the listener
   * @return this
   */
  public Trainer addListener(TrainingListener listener) {
    if (listener == null) {
      throw new IllegalArgumentException("listener: must not be null");
    }
    listeners.add(listener);
    return this;
  }

  /**
   * Replaces the step by one built around it, so that tests can make a step fail the way a fault or
   * a bug would (a step that throws, a batch with labels the head cannot hold) inside the real loop.
   *
   * @param wrap given the step, returns the step to run
   */
  void wrapStep(java.util.function.UnaryOperator<TrainStep> wrap) {
    trainStep = wrap.apply(trainStep);
  }

  /** @return the resolved configuration */
  public TrainConfig config() {
    return config;
  }

  /** @return the model being trained */
  public EncoderModel model() {
    return model;
  }

  /** @return the data */
  public RunData data() {
    return data;
  }

  /** @return the run directory */
  public Path dir() {
    return dir;
  }

  /** @return completed steps */
  public long step() {
    return step;
  }

  /** @return the run's total number of steps */
  public long totalSteps() {
    return totalSteps;
  }

  /**
   * Trains to the end, evaluates, writes the last checkpoint and {@code final.json}.
   *
   * @return the result
   */
  public TrainResult run() {
    return run(totalSteps);
  }

  /**
   * Trains until {@code stopAfter} steps are complete. Stopping before the end leaves the run
   * directory as an interruption would (checkpoints at the configured interval only), which is how
   * tests interrupt a run.
   *
   * @param stopAfter completed steps to stop at (at most the total)
   * @return the result ({@link TrainResult#finished()} only when the end was reached)
   */
  public TrainResult run(long stopAfter) {
    long stop = Math.min(stopAfter, totalSteps);
    double lastLoss = Double.NaN;
    listeners.forEach(l -> l.onStart(this, resumedFrom));
    try {
      long sessionStart = System.nanoTime();
      long timedStart = -1;
      long timedSteps = 0;
      double epochLossSum = 0;
      int epochLossCount = 0;
      int batch = config.budget().batch();
      while (step < stop) {
        BatchIterator.Position pos = batches.position();
        double loss;
        try {
          loss = trainStep.run(batches.next(), pos.globalStep(), (int) pos.epoch());
        } catch (LossInputException e) {
          // NaN or infinite embeddings or logits: the model of this step diverged (they overflow before
          // the loss or a gradient can). Any other refusal of the loss (a label beyond the head's
          // classes, rows that differ) and every other exception is a bug, and goes up as it is.
          if (e.rule() != LossInputException.Rule.NON_FINITE) {
            throw e;
          }
          throw new NonFiniteException(step + 1, NonFiniteException.Where.LOSS_INPUT, null, e.getMessage(), e);
        }
        step++;
        lastLoss = loss;
        epochLossSum += loss;
        epochLossCount++;
        long now = System.nanoTime();
        if (timedStart < 0) {
          timedStart = now; // the first step builds the gradient graph: leave it out of the rate
        } else {
          timedSteps++;
        }
        double secPerStep = timedSteps > 0 ? (now - timedStart) / 1e9 / timedSteps : Double.NaN;
        double imagesPerSecond = timedSteps > 0 ? batch / secPerStep : batch / ((now - sessionStart) / 1e9);
        TrainingListener.StepEvent event = new TrainingListener.StepEvent(step, pos.epoch(), loss,
            optimizer.learningRate(pos.globalStep()), imagesPerSecond, secPerStep, (now - sessionStart) / 1e9);
        listeners.forEach(l -> l.onStep(this, event));
        if (step % stepsPerEpoch == 0) {
          double mean = epochLossCount > 0 ? epochLossSum / epochLossCount : Double.NaN;
          long epoch = step / stepsPerEpoch - 1;
          listeners.forEach(l -> l.onEpochEnd(this, epoch, mean));
          epochLossSum = 0;
          epochLossCount = 0;
        }
      }
      if (step < totalSteps) {
        return result(false, lastLoss, new ModelEvaluator.Scores(Double.NaN, Double.NaN, 0), weightsSha256());
      }
      // The end: last checkpoint, final evaluation (the last epoch's when it ended here), final.json.
      listeners.forEach(l -> l.onLastStep(this));
      ModelEvaluator.Scores scores = lastEvalStep == step && lastScores != null ? lastScores
          : ModelEvaluator.evaluate(model, data.train(), data.test(), data.augment(), config.run().evalBatch());
      TrainResult result = result(true, lastLoss, scores, weightsSha256());
      TrainJson.write(dir.resolve(TrainNames.FINAL_JSON), result);
      listeners.forEach(l -> l.onResult(this, result));
      return result;
    } finally {
      listeners.forEach(l -> l.onStop(this));
    }
  }

  private TrainResult result(boolean finished, double lastLoss, ModelEvaluator.Scores scores, String sha) {
    return new TrainResult(finished, step, step / (double) stepsPerEpoch, config.seed(), scores.headTop1(),
        scores.nearestCentroidTop1(), scores.testImages(), sha, lastLoss, data.train().size(), data.numClasses(),
        lastCheckpoint == null ? null : lastCheckpoint.getFileName().toString(),
        resumedFrom == null ? null : resumedFrom.step(), config, Provenance.clceVersion(), Provenance.nd4jBuild());
  }

  /**
   * Scores the model in inference mode on the run's subsets and tells the listeners (called by the
   * end-of-epoch evaluation listener).
   *
   * @param epoch the epoch that ended (from 0)
   * @param trainLossMean the mean loss of its steps in this session
   * @return the scores
   */
  public ModelEvaluator.Scores evaluate(long epoch, double trainLossMean) {
    ModelEvaluator.Scores s = ModelEvaluator.evaluate(model, data.train(), data.test(), data.augment(),
        config.run().evalBatch());
    lastScores = s;
    lastEvalStep = step;
    listeners.forEach(l -> l.onEvaluation(this, epoch, trainLossMean, s));
    return s;
  }

  /**
   * SHA-256 over every parameter and buffer ({@link EncoderModel#stateNames()} order), each as raw
   * little-endian bytes in C order of torchvision's layout ({@link EncoderModel#stateArray}).
   *
   * @return lower-case hex digest
   */
  public String weightsSha256() {
    return weightsSha256(model);
  }

  /**
   * SHA-256 over a model's parameters and buffers in state-dict order and layout, raw little-endian
   * bytes.
   *
   * @param model the model
   * @return lower-case hex digest
   */
  public static String weightsSha256(EncoderModel model) {
    return TensorBytes.sha256(model.stateNames(), model::stateArray);
  }

  /**
   * Writes a checkpoint of the current step (model, optimiser state, position) and deletes the oldest
   * beyond {@link RunPolicy#keepCheckpoints()}; called by the checkpoint listener.
   *
   * @return the file written
   */
  public Path saveCheckpoint() {
    // An update can overflow a parameter although its gradient was finite: such a state is never saved.
    FiniteCheck.checkArrays(step, NonFiniteException.Where.PARAMETER, model.stateNames(), model::stateArray);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put(Checkpoint.KEY_STEP, step);
    meta.put("total_steps", totalSteps);
    meta.put("position", batches.position().describe());
    Map<String, Object> rng = new LinkedHashMap<>();
    rng.put("kind", "stateless: batches and augmentations are functions of (seed, global step)");
    rng.put("seed", config.seed());
    rng.put("sampler_seed", Seeds.mix(config.seed(), SAMPLER_STREAM));
    rng.put("augment_seed", Seeds.mix(config.seed(), AUGMENT_STREAM));
    meta.put("rng", rng);
    meta.put("weights_sha256", weightsSha256());
    meta.put("arch", config.arch().cliName());
    meta.put(TrainedModel.KEY_CLASSES, data.numClasses());
    meta.put(Checkpoint.KEY_CONFIG, TrainJson.mapper().convertValue(config, Map.class));
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    for (String n : model.stateNames()) {
      tensors.put(Checkpoint.MODEL_GROUP + n, model.stateArray(n));
    }
    for (Map.Entry<String, INDArray> e : optimizer.state().entrySet()) {
      // the updater's state follows its parameter's graph layout: store it in the state-dict layout
      String p = e.getKey();
      tensors.put(Checkpoint.OPTIMIZER_GROUP + p, model.layout(p).flatToState(e.getValue(), sd.getArrForVarName(p).shape()));
    }
    Path file = Checkpoint.path(dir, step);
    Checkpoint.write(file, meta, tensors);
    List<Path> all = Checkpoint.list(dir);
    for (int i = 0; i < all.size() - config.run().keepCheckpoints(); i++) {
      try {
        Files.deleteIfExists(all.get(i));
      } catch (IOException e) {
        log.println("warning: could not delete old checkpoint " + all.get(i) + ": " + e.getMessage());
      }
    }
    lastCheckpoint = file;
    return file;
  }

  private void restore(Checkpoint ckpt) {
    if (ckpt.step() < 0 || ckpt.step() > totalSteps) {
      throw new CheckpointException(ckpt.file() + ": step " + ckpt.step() + " is outside [0, " + totalSteps + "]");
    }
    Map<String, INDArray> opt = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : ckpt.tensors().entrySet()) {
      if (e.getKey().startsWith(Checkpoint.OPTIMIZER_GROUP)) {
        opt.put(e.getKey().substring(Checkpoint.OPTIMIZER_GROUP.length()), e.getValue());
      }
    }
    StateDict.Check fit = StateDict.check(model, ckpt.tensors(), MODEL_STATE);
    String problem = fit.ok() ? optimizer.checkState(opt) : fit.summary();
    if (problem != null) {
      throw new CheckpointException(ckpt.file() + " does not fit this model and optimizer: " + problem);
    }
    StateDict.load(model, ckpt.tensors(), MODEL_STATE, ckpt.file());
    for (Map.Entry<String, INDArray> e : opt.entrySet()) {
      e.setValue(model.layout(e.getKey()).flatToGraph(e.getValue(), model.stateArray(e.getKey()).shape()));
    }
    optimizer.restoreState(opt);
  }

  /**
   * Loads a checkpoint's parameters and buffers into a model (inference use: eval, few-shot).
   *
   * @param model the model
   * @param ckpt the checkpoint
   * @throws CheckpointException when it does not fit (nothing is changed then)
   */
  public static void loadModel(EncoderModel model, Checkpoint ckpt) {
    try {
      StateDict.load(model, ckpt.tensors(), MODEL_STATE, ckpt.file());
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(e.getMessage());
    }
  }
}

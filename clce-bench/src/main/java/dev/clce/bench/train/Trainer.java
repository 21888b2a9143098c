package dev.clce.bench.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clce.bench.data.BatchIterator;
import dev.clce.bench.data.BatchSampler;
import dev.clce.bench.data.ClassPairSampler;
import dev.clce.bench.data.Seeds;
import dev.clce.bench.data.ShuffleSampler;
import dev.clce.bench.data.TwoViewAugmenter;
import dev.clce.bench.data.TwoViewBatch;
import dev.clce.core.internal.AtomicFiles;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.SDClceLoss;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelNames;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains any encoder of clce-models with any loss of clce-core on two augmented views per image.
 *
 * <pre>{@code
 * TrainResult r = Trainer.create(config, Path.of("runs/a"), false, System.err).run();
 * }</pre>
 *
 * <p>Each step: the next batch of B images becomes 2B views ({@link BatchIterator}, seeded by the
 * global step); one SameDiff pass gives the loss, the BatchNorm batch statistics and the gradients of
 * every parameter; the running statistics and then the parameters are updated ({@link Optimizer}).
 * At the end of each epoch and at the end of the run the model is evaluated in inference mode
 * ({@link ModelEvaluator}). Checkpoints ({@link Checkpoint}) are written every
 * {@code checkpointEvery} steps and at the end; the batch order and augmentation depend only on the
 * seed and the global step, so a run resumed from a checkpoint continues exactly as an uninterrupted
 * one (bit-identical weights on the CPU backend).
 *
 * <p>The run directory gets {@code config.json}, {@code metrics.jsonl}, the checkpoints and, at the
 * end, {@code final.json}. Per-step arrays are closed after use and nothing accumulates across steps.
 */
public final class Trainer {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
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
  private final List<String> parameters;
  private final List<String> outputs;
  private final Checkpoint resumedFrom;
  /** Collects garbage between steps, at most 10% of the time (ND4J frees off-heap memory at GC). */
  private final NativeMemoryGuard memoryGuard = NativeMemoryGuard.withDefaults();
  private long step;

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
    BatchSampler sampler = TrainConfig.SAMPLER_CLASS_PAIRS.equals(config.sampler())
        ? new ClassPairSampler(data.train().labels(), config.batch(), Seeds.mix(config.seed(), SAMPLER_STREAM))
        : new ShuffleSampler(data.train().size(), checkBatch(config.batch(), data.train().size()),
            Seeds.mix(config.seed(), SAMPLER_STREAM));
    this.stepsPerEpoch = sampler.stepsPerEpoch();
    this.totalSteps = config.totalSteps(stepsPerEpoch);
    if (config.warmupSteps() >= totalSteps) {
      throw new IllegalArgumentException("warmup-steps: must be below the number of steps " + totalSteps + ", got "
          + config.warmupSteps());
    }
    this.batches = new BatchIterator(sampler, new TwoViewAugmenter(data.train(), data.augment(),
        Seeds.mix(config.seed(), AUGMENT_STREAM)));
    // 4. Model, loss, optimiser.
    this.model = config.arch().create(config.modelOptions(data.numClasses()));
    this.sd = model.sameDiff();
    SDVariable labels = sd.placeHolder(TrainNames.LABELS, DataType.INT32, -1);
    LossKind kind = config.loss().kind();
    SDVariable loss = SDClceLoss.of(sd).loss(TrainNames.LOSS, config.loss(),
        kind.usesEmbeddings() ? model.contrastiveEmbedding() : null, labels, kind.usesLogits() ? model.logits() : null);
    loss.markAsLoss();
    this.parameters = model.parameterNames();
    this.optimizer = new Optimizer(config.optimizer(), new WarmupCosineSchedule(config.lr(), config.warmupSteps(), totalSteps),
        config.momentum(), config.weightDecay(), sd, parameters);
    this.outputs = new ArrayList<>();
    outputs.add(TrainNames.LOSS);
    outputs.addAll(model.batchNormStatistics().outputNames());
    // 5. Restore (checked against the model first: nothing is assigned unless everything fits).
    if (ckpt != null) {
      restore(ckpt);
      this.step = ckpt.step();
      ckpt.release();
    }
    this.resumedFrom = ckpt;
    batches.seek(step);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create " + dir, e);
    }
    writeJson(dir.resolve(TrainNames.CONFIG_JSON), config.toMap());
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

  private static int checkBatch(int batch, int size) {
    if (batch > size) {
      throw new IllegalArgumentException("batch: must be at most the number of training images " + size + ", got " + batch);
    }
    return batch;
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
    boolean terminal = ProgressBar.stderrIsTerminal();
    ProgressBar bar = new ProgressBar(log, terminal, totalSteps, config.progressEvery());
    Path metricsFile = dir.resolve(TrainNames.METRICS_JSONL);
    Path lastCheckpoint = null;
    double lastLoss = Double.NaN;
    ModelEvaluator.Scores lastEpochScores = null;
    long lastEvalStep = -1;
    try (MetricsLog metrics = resumedFrom != null ? MetricsLog.resume(metricsFile, step) : MetricsLog.create(metricsFile)) {
      if (resumedFrom != null) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", MetricsLog.TYPE_RESUME);
        r.put("step", step);
        r.put("checkpoint", resumedFrom.file().getFileName().toString());
        metrics.write(r);
        bar.message("resumed from " + resumedFrom.file() + " at step " + step + "/" + totalSteps);
      }
      long sessionStart = System.nanoTime();
      long timedStart = -1;
      long timedSteps = 0;
      double epochLossSum = 0;
      int epochLossCount = 0;
      while (step < stop) {
        BatchIterator.Position pos = batches.position();
        TwoViewBatch batch = batches.next();
        double loss = trainStep(batch, pos.globalStep(), (int) pos.epoch());
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
        double imagesPerSecond = timedSteps > 0 ? config.batch() / secPerStep : config.batch() / ((now - sessionStart) / 1e9);
        bar.update(step, pos.epoch(), loss, imagesPerSecond, secPerStep * (totalSteps - step));
        if (step % config.logEvery() == 0 || step == totalSteps) {
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("type", MetricsLog.TYPE_STEP);
          r.put("step", step);
          r.put("epoch", pos.epoch());
          r.put("loss", loss);
          r.put("lr", optimizer.learningRate(pos.globalStep()));
          r.put("images_per_s", imagesPerSecond);
          r.put("time_s", (now - sessionStart) / 1e9);
          Runtime rt = Runtime.getRuntime();
          r.put("heap_used_mib", (rt.totalMemory() - rt.freeMemory()) >> 20);
          r.put("heap_committed_mib", rt.totalMemory() >> 20);
          r.put("offheap_mib", Math.round(Pointer.totalBytes() / 10485.76) / 100.0);
          r.put("rss_mib", Pointer.physicalBytes() >> 20);
          metrics.write(r);
        }
        if (step % stepsPerEpoch == 0) {
          lastEpochScores = ModelEvaluator.evaluate(model, data.train(), data.test(), data.augment(), config.evalBatch());
          lastEvalStep = step;
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("type", MetricsLog.TYPE_EPOCH);
          r.put("step", step);
          r.put("epoch", step / stepsPerEpoch - 1);
          r.put("train_loss_mean", epochLossCount > 0 ? epochLossSum / epochLossCount : Double.NaN);
          r.put("test_top1", lastEpochScores.headTop1());
          r.put("nearest_centroid_top1", lastEpochScores.nearestCentroidTop1());
          r.put("test_images", lastEpochScores.testImages());
          metrics.write(r);
          bar.message(String.format(Locale.ROOT, "epoch %d: test top-1 %.4f (head), %.4f (nearest centroid)",
              step / stepsPerEpoch - 1, lastEpochScores.headTop1(), lastEpochScores.nearestCentroidTop1()));
          epochLossSum = 0;
          epochLossCount = 0;
        }
        if (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0 && step < totalSteps) {
          lastCheckpoint = saveCheckpoint();
        }
      }
      bar.finish();
      if (step < totalSteps) {
        return new TrainResult(false, step, lastLoss, weightsSha256(), null, lastCheckpoint, Map.of());
      }
      // The end: last checkpoint, final evaluation, final.json.
      lastCheckpoint = saveCheckpoint();
      ModelEvaluator.Scores scores = lastEvalStep == step && lastEpochScores != null ? lastEpochScores
          : ModelEvaluator.evaluate(model, data.train(), data.test(), data.augment(), config.evalBatch());
      String sha = weightsSha256();
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("test_top1", scores.headTop1());
      summary.put("nearest_centroid_top1", scores.nearestCentroidTop1());
      summary.put("steps", step);
      summary.put("epochs", step / (double) stepsPerEpoch);
      summary.put("seed", config.seed());
      summary.put("weights_sha256", sha);
      summary.put("final_loss", lastLoss);
      summary.put("train_images", data.train().size());
      summary.put("test_images", scores.testImages());
      summary.put("classes", data.train().numClasses());
      summary.put("checkpoint", lastCheckpoint.getFileName().toString());
      summary.put("resumed_from_step", resumedFrom == null ? null : resumedFrom.step());
      summary.put("config", config.toMap());
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("type", MetricsLog.TYPE_FINAL);
      r.put("step", step);
      r.put("test_top1", scores.headTop1());
      r.put("nearest_centroid_top1", scores.nearestCentroidTop1());
      r.put("weights_sha256", sha);
      metrics.write(r);
      writeJson(dir.resolve(TrainNames.FINAL_JSON), summary);
      bar.message(String.format(Locale.ROOT, "done: %d steps, test top-1 %.4f (head), %.4f (nearest centroid), weights %s",
          step, scores.headTop1(), scores.nearestCentroidTop1(), sha));
      return new TrainResult(true, step, lastLoss, sha, scores, lastCheckpoint, summary);
    }
  }

  private double trainStep(TwoViewBatch batch, long globalStep, int epoch) {
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(ModelNames.INPUT, batch.features());
    ph.put(TrainNames.LABELS, batch.labels());
    OutAndGrad og = sd.calculateGradientsAndOutputs(ph, outputs, parameters);
    Map<String, INDArray> outs = og.getOutputs();
    double loss = outs.get(TrainNames.LOSS).getDouble(0);
    if (!Double.isFinite(loss)) {
      throw new IllegalStateException("the loss is " + loss + " at step " + (globalStep + 1)
          + ": lower --lr or change the loss parameters");
    }
    model.batchNormStatistics().update(outs, batch.features().size(0));
    optimizer.step(sd, og.getGradients(), globalStep, epoch);
    closeAll(outs);
    closeAll(og.getGradients());
    batch.features().close();
    batch.labels().close();
    memoryGuard.afterStep();
    return loss;
  }

  private static void closeAll(Map<String, INDArray> arrays) {
    for (INDArray a : arrays.values()) {
      if (a != null && !a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
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

  private Path saveCheckpoint() {
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
    meta.put(Checkpoint.KEY_CONFIG, config.toMap());
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
    for (int i = 0; i < all.size() - config.keepCheckpoints(); i++) {
      try {
        Files.deleteIfExists(all.get(i));
      } catch (IOException e) {
        log.println("warning: could not delete old checkpoint " + all.get(i) + ": " + e.getMessage());
      }
    }
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
    String problem = checkModelState(model, ckpt);
    if (problem == null) {
      problem = optimizer.checkState(opt);
    }
    if (problem != null) {
      throw new CheckpointException(ckpt.file() + " does not fit this model and optimizer: " + problem);
    }
    loadModelState(model, ckpt);
    for (Map.Entry<String, INDArray> e : opt.entrySet()) {
      e.setValue(model.layout(e.getKey()).flatToGraph(e.getValue(), model.stateArray(e.getKey()).shape()));
    }
    optimizer.restoreState(opt);
  }

  /**
   * Checks that a checkpoint holds exactly the model's parameters and buffers with their shapes and
   * types, without changing anything.
   *
   * @param model the model
   * @param ckpt the checkpoint
   * @return null if they fit, else what is wrong
   */
  static String checkModelState(EncoderModel model, Checkpoint ckpt) {
    int count = 0;
    for (String n : model.stateNames()) {
      INDArray have = model.stateArray(n);
      INDArray got = ckpt.tensors().get(Checkpoint.MODEL_GROUP + n);
      if (got == null) {
        return "missing " + n;
      }
      if (!java.util.Arrays.equals(have.shape(), got.shape()) || have.dataType() != got.dataType()) {
        return n + " is " + got.dataType() + " " + java.util.Arrays.toString(got.shape()) + ", the model has "
            + have.dataType() + " " + java.util.Arrays.toString(have.shape());
      }
      count++;
    }
    long inFile = ckpt.tensors().keySet().stream().filter(k -> k.startsWith(Checkpoint.MODEL_GROUP)).count();
    if (inFile != count) {
      return "the checkpoint holds " + inFile + " model tensors, the model " + count;
    }
    return null;
  }

  /**
   * Loads a checkpoint's parameters and buffers into a model (inference use: eval, few-shot).
   *
   * @param model the model
   * @param ckpt the checkpoint
   * @throws CheckpointException when it does not fit (nothing is changed then)
   */
  public static void loadModel(EncoderModel model, Checkpoint ckpt) {
    String problem = checkModelState(model, ckpt);
    if (problem != null) {
      throw new CheckpointException(ckpt.file() + " does not fit this model: " + problem);
    }
    loadModelState(model, ckpt);
  }

  private static void loadModelState(EncoderModel model, Checkpoint ckpt) {
    for (String n : model.stateNames()) {
      model.stateArray(n).assign(ckpt.tensors().get(Checkpoint.MODEL_GROUP + n));
    }
  }

  private static void writeJson(Path file, Map<String, Object> content) {
    try {
      AtomicFiles.write(file, JSON.writeValueAsBytes(content));
    } catch (IOException e) {
      throw new UncheckedIOException("could not encode " + file, e);
    }
  }
}

package dev.clce.bench.protocol;

import dev.clce.bench.data.AugmentConfig;
import dev.clce.bench.data.ClassSubset;
import dev.clce.bench.data.DataSpec;
import dev.clce.bench.data.ImageDataset;
import dev.clce.bench.data.Split;
import dev.clce.bench.eval.FewShotConfig;
import dev.clce.bench.eval.FewShotEvaluator;
import dev.clce.bench.eval.FewShotResult;
import dev.clce.bench.train.Budget;
import dev.clce.core.internal.AtomicFiles;
import dev.clce.bench.train.Checkpoint;
import dev.clce.bench.train.DataConfig;
import dev.clce.bench.train.ModelEvaluator;
import dev.clce.bench.train.OptimizerConfig;
import dev.clce.bench.train.OptimizerKind;
import dev.clce.bench.train.RunPolicy;
import dev.clce.bench.train.TrainConfig;
import dev.clce.bench.train.TrainJson;
import dev.clce.bench.train.TrainNames;
import dev.clce.bench.train.TrainResult;
import dev.clce.bench.train.Trainer;
import dev.clce.core.loss.LossConfig;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelOptions;
import dev.clce.models.ModelSpec;
import dev.clce.models.weights.LoadRule;
import dev.clce.models.weights.ModelWeights;
import dev.clce.models.weights.StateDict;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs every arm of a bench preset on top of the trainer ({@link Trainer}) and collects the numbers
 * the report needs. The CE pretraining on the base classes is cached under
 * {@code OUT/cache/pretrain-<hash of its configuration>}; every other run has its directory
 * {@code OUT/runs/<arm key>/} with its {@code config.json}, {@code metrics.jsonl} (the training curve),
 * {@code final.json} and, written atomically when the run ends, {@code result.json} ({@link RunRecord}).
 * A bench killed at any point and run again with the same output directory and preset reads the
 * finished runs back from their records, trains the others (an unfinished run starts again) and so
 * gives the same results as an uninterrupted one. A progress line per run shows where the whole bench
 * is and its ETA.
 */
public final class BenchRunner {
  /** Sub-directory of the output directory holding cached pretraining runs. */
  public static final String CACHE_DIR = "cache";
  /** Sub-directory of the output directory holding one directory per finished (or unfinished) run. */
  public static final String RUNS_DIR = "runs";
  /** A run's record in its directory, written atomically when the run ends. */
  public static final String RESULT_JSON = "result.json";
  /** Sub-directory of the cache holding decompressed Fashion-MNIST files. */
  public static final String FASHION_COPY = "fashion-mnist-idx";
  /**
   * How a preset's pretrained weights load: the backbone only (the runs train their own heads), with
   * the stem and a ViT's position embedding adapted to the data's channels and the preset's image
   * size, so ImageNet weights from the torchvision converter serve grey or small images.
   */
  static final LoadRule PRETRAINED_WEIGHTS = LoadRule.backbone().withInputAdaptation();
  private static final List<String> FASHION_FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
  /** Images per forward pass in evaluation. */
  static final int EVAL_BATCH = 256;
  /** Every run: checkpoint at the end only, keep one, a metrics record per step, no progress display. */
  static final RunPolicy RUN_POLICY = new RunPolicy(0, 1, 1, 0, EVAL_BATCH);

  /**
   * One finished transfer, from-scratch or fine-tuning run.
   *
   * @param arm the arm
   * @param top1 nearest-centroid top-1 on the test images (centroids from its training images)
   * @param headTop1 top-1 of the classification head (meaningless for losses without CE)
   * @param steps steps run
   * @param seconds wall time of the run
   * @param isotropy isotropy score of its test embeddings (NaN when not measured)
   */
  public record ArmResult(Arm arm, double top1, double headTop1, long steps, double seconds, double isotropy) {}

  /**
   * What one finished run recorded in {@code OUT/runs/<arm key>/result.json} (read back as this
   * record, via Jackson, when the bench is run again with the same output directory).
   *
   * @param config the run's configuration (a rerun with another one is refused)
   * @param result its scores
   * @param fewShot its few-shot results (base fine-tuning arms), else null
   * @param embeddings its test embeddings when the plan keeps them (first seed), else null
   */
  public record RunRecord(TrainConfig config, ArmResult result, List<FewShotResult> fewShot, Embeddings embeddings) {}

  /** Thrown when a bench stops after the number of runs it was told to ({@link #stopAfter}), as a kill would. */
  public static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped(int runs) {
      super("bench stopped after " + runs + " runs, as requested");
    }
  }

  /**
   * Few-shot results of one base-fine-tuned encoder.
   *
   * @param arm the arm
   * @param results one per K
   */
  public record FewShotArm(Arm arm, List<FewShotResult> results) {}

  /**
   * Test embeddings kept for the embedding-quality section.
   *
   * @param arm the arm
   * @param embeddings one row per test image
   * @param labels local labels (0..k-1 in novel-class order)
   */
  public record Embeddings(Arm arm, float[][] embeddings, int[] labels) {}

  /**
   * Everything a bench run measured.
   *
   * @param preset the preset
   * @param arms every transfer and from-scratch run by key
   * @param fewShot every few-shot arm
   * @param embeddings kept embeddings by loss label (section 5)
   * @param novelClassNames the novel classes' names in local order
   * @param pretrainTop1 the pretraining's nearest-centroid top-1 on base test images (NaN with weights)
   * @param pretrainCached whether the pretraining came from the cache
   * @param pretrainKey the pretraining cache directory name (null with weights)
   * @param normMean normalisation mean (training split)
   * @param normStd normalisation standard deviation
   */
  public record Results(BenchPreset preset, Map<String, ArmResult> arms, List<FewShotArm> fewShot,
      Map<String, Embeddings> embeddings, List<String> novelClassNames, double pretrainTop1, boolean pretrainCached,
      String pretrainKey, List<Double> normMean, List<Double> normStd) {

    /**
     * Top-1 of the arms of one phase, loss config and batch, in seed order, with the chunk of the
     * preset's chunk rule.
     *
     * @param phase the phase
     * @param loss the loss
     * @param batch the batch
     * @param seeds the seeds
     * @return values (NaN where missing)
     */
    public double[] top1(Arm.Phase phase, LossConfig loss, int batch, List<Long> seeds) {
      return top1(phase, loss, batch, preset.chunkFor(batch), seeds);
    }

    /**
     * Top-1 of the arms of one phase, loss config, batch and chunk, in seed order.
     *
     * @param phase the phase
     * @param loss the loss
     * @param batch the batch
     * @param chunk the chunk (0: one pass)
     * @param seeds the seeds
     * @return values (NaN where missing)
     */
    public double[] top1(Arm.Phase phase, LossConfig loss, int batch, int chunk, List<Long> seeds) {
      double[] v = new double[seeds.size()];
      for (int i = 0; i < v.length; i++) {
        ArmResult r = arms.get(new Arm(phase, "", loss, batch, chunk, seeds.get(i)).key());
        v[i] = r == null ? Double.NaN : r.top1();
      }
      return v;
    }

    /**
     * Steps of the first seed's arm of one phase, loss, batch and chunk (every seed runs as many).
     *
     * @param phase the phase
     * @param loss the loss
     * @param batch the batch
     * @param chunk the chunk (0: one pass)
     * @return the steps, or -1 when that arm is missing
     */
    public long steps(Arm.Phase phase, LossConfig loss, int batch, int chunk) {
      ArmResult r = arms.get(new Arm(phase, "", loss, batch, chunk, preset.seeds().get(0)).key());
      return r == null ? -1 : r.steps();
    }

    /**
     * Isotropy scores of the arms of one phase, loss and batch, in seed order.
     *
     * @param loss the loss
     * @param batch the batch
     * @param seeds the seeds
     * @return values (NaN where missing)
     */
    public double[] isotropy(LossConfig loss, int batch, List<Long> seeds) {
      double[] v = new double[seeds.size()];
      for (int i = 0; i < v.length; i++) {
        ArmResult r = arms.get(new Arm(Arm.Phase.TRANSFER, "", loss, batch, preset.chunkFor(batch), seeds.get(i)).key());
        v[i] = r == null ? Double.NaN : r.isotropy();
      }
      return v;
    }
  }

  private final BenchPreset preset;
  private final Path out;
  private final PrintWriter progress;
  private final BenchPlan plan;
  private final DataSpec data;
  private int stopAfterRuns;
  private int finishedThisSession;

  /**
   * A runner.
   *
   * @param preset the preset
   * @param out the output directory (its {@code cache/} holds the pretraining, {@code runs/} the other runs)
   * @param progress where the progress lines go (the command's standard error)
   */
  public BenchRunner(BenchPreset preset, Path out, PrintWriter progress) {
    this.preset = preset;
    this.out = out;
    this.progress = progress == null ? new PrintWriter(java.io.Writer.nullWriter()) : progress;
    this.plan = new BenchPlan(preset);
    this.data = plainCopy(preset.data(), out.resolve(CACHE_DIR));
  }

  /**
   * Stops {@link #run()} with {@link Stopped} once this many runs have been trained in this session (runs
   * read back from their records do not count), leaving the output directory as a kill after that run
   * would; for tests of resumption.
   *
   * @param runs runs to train, &gt;= 1
   * @return this
   */
  public BenchRunner stopAfter(int runs) {
    if (runs < 1) {
      throw new IllegalArgumentException("runs: must be >= 1, got " + runs);
    }
    this.stopAfterRuns = runs;
    return this;
  }

  /** @return the dataset the runs read (a decompressed copy of gzipped Fashion-MNIST files) */
  public DataSpec data() {
    return data;
  }

  /**
   * The trainer loads its dataset once per run; gunzipping Fashion-MNIST's 26 MB each time would
   * dominate short runs. Gzipped IDX files are therefore decompressed once into
   * {@code cache/fashion-mnist-idx/} (each file written atomically) and the runs read that copy.
   *
   * @param spec the requested dataset
   * @param cache the cache directory
   * @return the dataset to read
   */
  static DataSpec plainCopy(DataSpec spec, Path cache) {
    if (spec.kind() != DataSpec.Kind.FASHION_MNIST) {
      return spec;
    }
    Path dir = cache.resolve(FASHION_COPY);
    boolean any = false;
    try {
      for (String f : FASHION_FILES) {
        Path plain = spec.dir().resolve(f);
        Path gz = spec.dir().resolve(f + ".gz");
        if (Files.isRegularFile(plain) || !Files.isRegularFile(gz)) {
          continue;
        }
        any = true;
        Path target = dir.resolve(f);
        if (Files.isRegularFile(target)) {
          continue;
        }
        AtomicFiles.writeStream(target, o -> {
          try (java.io.InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
            in.transferTo(o);
          }
        });
      }
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException("could not decompress " + spec.dir() + " into " + dir, e.getCause());
    }
    if (!any) {
      return spec;
    }
    for (String f : FASHION_FILES) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        return spec; // a mix of plain and gzipped files: read the original
      }
    }
    return DataSpec.parse(DataSpec.Kind.FASHION_MNIST.id() + ":" + dir);
  }

  /** @return the plan */
  public BenchPlan plan() {
    return plan;
  }

  /**
   * Runs every arm.
   *
   * @return the results
   */
  public Results run() {
    long start = System.nanoTime();
    ImageDataset fullTrain = data.load(Split.TRAIN);
    double[][] stats = AugmentConfig.channelStats(fullTrain);
    List<Double> mean = new ArrayList<>();
    List<Double> std = new ArrayList<>();
    for (int c = 0; c < stats[0].length; c++) {
      mean.add(stats[0][c]);
      std.add(stats[1][c] > 0 ? stats[1][c] : 1.0);
    }
    int channels = fullTrain.channels();
    fullTrain = null; // only the statistics are kept
    ImageDataset fullTest = data.load(Split.TEST);
    int fewShotPerClass = Math.max(preset.testPerClass(), 5 + FewShotConfig.DEFAULT_QUERIES);
    ImageDataset novelTest = new ClassSubset(preset.novelClasses(), fewShotPerClass).apply(fullTest);
    fullTest = null;

    List<Arm> arms = plan.arms();
    if (preset.weights() != null) {
      checkWeights(config(arms.get(0), mean, std, channels));
    }
    double[] cost = new double[arms.size()];
    double totalCost = 0;
    for (int i = 0; i < arms.size(); i++) {
      cost[i] = plan.cost(arms.get(i));
      totalCost += cost[i];
    }
    Map<String, ArmResult> results = new LinkedHashMap<>();
    List<FewShotArm> fewShot = new ArrayList<>();
    Map<String, Embeddings> kept = new LinkedHashMap<>();
    Path pretrainCkpt = null;
    double pretrainTop1 = Double.NaN;
    boolean cached = false;
    String pretrainKey = null;
    double doneCost = 0;
    double measuredCost = 0;
    double measuredSeconds = 0;
    for (int i = 0; i < arms.size(); i++) {
      Arm arm = arms.get(i);
      double elapsed = (System.nanoTime() - start) / 1e9;
      String eta = measuredCost > 0 ? clock((totalCost - doneCost) * measuredSeconds / measuredCost) : "?";
      progress.printf(Locale.ROOT, "bench [%d/%d %3.0f%%] %s: %s b%d%s seed %d | elapsed %s | ETA %s%n", i + 1,
          arms.size(), 100 * doneCost / totalCost, BenchPlan.describe(arm.phase()), arm.label(), arm.batch(),
          arm.chunk() > 0 ? " in chunks of " + arm.chunk() : "", arm.seed(), clock(elapsed), eta);
      progress.flush();
      long t0 = System.nanoTime();
      TrainConfig config = config(arm, mean, std, channels);
      boolean reused = false;
      if (arm.phase() == Arm.Phase.PRETRAIN) {
        pretrainKey = "pretrain-" + hash(TrainJson.tree(config).toString());
        Path dir = out.resolve(CACHE_DIR).resolve(pretrainKey);
        Path done = dir.resolve(TrainNames.FINAL_JSON);
        if (Files.exists(done) && Checkpoint.newest(dir).isPresent()) {
          cached = true;
          reused = true;
          pretrainTop1 = TrainJson.read(done, TrainResult.class).nearestCentroidTop1();
          progress.println("  cached: " + dir);
        } else {
          deleteTree(dir);
          TrainResult r = Trainer.create(config, dir, false, null).run();
          pretrainTop1 = r.scores().nearestCentroidTop1();
        }
        pretrainCkpt = Checkpoint.newest(dir).orElseThrow();
      } else {
        Path dir = out.resolve(RUNS_DIR).resolve(arm.key());
        Path recordFile = dir.resolve(RESULT_JSON);
        RunRecord rec;
        if (Files.isRegularFile(recordFile)) {
          rec = TrainJson.read(recordFile, RunRecord.class);
          String diff = rec.config().firstDifference(config);
          if (diff != null || !rec.result().arm().equals(arm)) {
            throw new IllegalArgumentException("out: " + dir + " holds a run of another configuration ("
                + (diff != null ? diff : "arm " + rec.result().arm()) + "); rerun with the same preset and data, or "
                + "choose another --out");
          }
          reused = true;
          progress.printf(Locale.ROOT, "  finished before: top-1 %.4f (nearest centroid), %s%n", rec.result().top1(),
              recordFile);
        } else {
          rec = train(arm, config, dir, pretrainCkpt, novelTest, t0);
          TrainJson.write(recordFile, rec);
          for (Path ckpt : Checkpoint.list(dir)) {
            deleteTree(ckpt); // the run's result, configuration and metrics stay; its weights are not needed again
          }
          progress.printf(Locale.ROOT, "  -> top-1 %.4f (nearest centroid), %d steps, %.1f s%n", rec.result().top1(),
              rec.result().steps(), rec.result().seconds());
        }
        progress.flush();
        results.put(arm.key(), rec.result());
        if (rec.fewShot() != null) {
          fewShot.add(new FewShotArm(arm, rec.fewShot()));
        }
        if (rec.embeddings() != null) {
          kept.put(arm.label(), rec.embeddings());
        }
        if (!reused && stopAfterRuns > 0 && ++finishedThisSession >= stopAfterRuns) {
          throw new Stopped(finishedThisSession);
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      doneCost += cost[i];
      if (!reused) {
        measuredCost += cost[i];
        measuredSeconds += secs;
      }
    }
    progress.printf(Locale.ROOT, "bench: %d runs done in %s%n", arms.size(), clock((System.nanoTime() - start) / 1e9));
    return new Results(preset, results, fewShot, kept, novelTest.classNames(), pretrainTop1, cached, pretrainKey, mean,
        std);
  }

  /**
   * Trains one arm in its run directory and measures what the report needs of it.
   *
   * @param arm the arm (not the pretraining)
   * @param config its configuration
   * @param dir its run directory (replaced)
   * @param pretrainCkpt the pretraining checkpoint (null with the preset's weights)
   * @param novelTest the novel classes' test images of the few-shot episodes
   * @param t0 when the arm started (its wall time includes the evaluation)
   * @return its record
   */
  private RunRecord train(Arm arm, TrainConfig config, Path dir, Path pretrainCkpt, ImageDataset novelTest, long t0) {
    deleteTree(dir);
    Trainer trainer = Trainer.create(config, dir, false, null);
    if (arm.phase() == Arm.Phase.TRANSFER || arm.phase() == Arm.Phase.BASE_FINETUNE) {
      loadPretrained(trainer.model(), pretrainCkpt);
    }
    TrainResult r = trainer.run();
    double iso = Double.NaN;
    List<FewShotResult> fs = null;
    Embeddings emb = null;
    if (arm.phase() == Arm.Phase.BASE_FINETUNE) {
      ModelEvaluator.Outputs o = ModelEvaluator.run(trainer.model(), novelTest, trainer.data().augment(), EVAL_BATCH);
      List<Integer> local = new ArrayList<>();
      for (int c = 0; c < novelTest.numClasses(); c++) {
        local.add(c);
      }
      FewShotConfig fsc = new FewShotConfig(FewShotConfig.DEFAULT_WAYS, FewShotConfig.DEFAULT_SHOTS,
          FewShotConfig.DEFAULT_QUERIES, preset.episodes(), arm.seed(), 1.0);
      fs = FewShotEvaluator.evaluate(o.embeddings(), o.labels(), local, fsc);
    } else if (arm.phase() == Arm.Phase.TRANSFER && plan.keepsEmbeddings(arm)) {
      ModelEvaluator.Outputs o = ModelEvaluator.run(trainer.model(), trainer.data().test(), trainer.data().augment(),
          EVAL_BATCH);
      iso = dev.clce.bench.metrics.Isotropy.score(o.embeddings());
      if (arm.seed() == preset.seeds().get(0)) {
        emb = new Embeddings(arm, o.embeddings(), o.labels());
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    return new RunRecord(config, new ArmResult(arm, r.nearestCentroidTop1(), r.testTop1(), r.steps(), secs, iso), fs,
        emb);
  }

  /**
   * The trainer configuration of an arm.
   *
   * @param arm the arm
   * @param mean normalisation mean
   * @param std normalisation standard deviation
   * @param channels image channels
   * @return the configuration (resolved)
   */
  TrainConfig config(Arm arm, List<Double> mean, List<Double> std, int channels) {
    boolean base = arm.phase() == Arm.Phase.PRETRAIN || arm.phase() == Arm.Phase.BASE_FINETUNE;
    DataConfig d = DataConfig.of(data).withClasses(base ? preset.baseClasses() : preset.novelClasses())
        .withPerClass(base ? preset.pretrainPerClass() : preset.labelledPerClass(), preset.testPerClass())
        .withImageSize(preset.imageSize()).withChannels(channels).withNormalisation(mean, std);
    ModelOptions model = ModelOptions.builder().optStem(preset.stem()).optWidth(preset.width())
        .optMaxBlocksPerStage(preset.maxBlocks()).build();
    OptimizerConfig opt = OptimizerConfig.of(OptimizerKind.ADAM,
        arm.phase() == Arm.Phase.PRETRAIN ? preset.pretrainLr() : preset.lr()).withWeightDecay(1e-4);
    Budget budget = switch (arm.phase()) {
      case PRETRAIN -> Budget.ofSteps(arm.batch(), preset.pretrainSteps());
      case BASE_FINETUNE -> Budget.ofSteps(arm.batch(), preset.baseFinetuneSteps());
      default -> Budget.ofEpochs(arm.batch(), preset.transferEpochs());
    };
    budget = budget.withChunk(arm.chunk());
    return new TrainConfig(d, preset.arch(), model, arm.loss(), opt, budget, arm.seed(), RUN_POLICY);
  }

  /**
   * Checks, before any run, that the preset's weights load into the encoder the runs build (for the
   * data's channels and the preset's image size, adapted as {@link #PRETRAINED_WEIGHTS} allows), and
   * prints each adaptation.
   *
   * @param config a resolved configuration of the bench's encoder
   * @throws IllegalArgumentException naming the file and every problem
   */
  void checkWeights(TrainConfig config) {
    ModelSpec spec = config.arch().spec(config.modelOptions(Math.max(2, config.data().classes().size())));
    StateDict.Check check = ModelWeights.check(spec, preset.weights(), PRETRAINED_WEIGHTS);
    check.requireOk(preset.weights());
    for (String a : check.adapted()) {
      progress.println("weights: " + preset.weights().getFileName() + ": " + a);
    }
    progress.flush();
  }

  /**
   * Loads the pretrained encoder into a model: every parameter and buffer but the classifier and the
   * projection head (from the cached pretraining checkpoint, or from the preset's safetensors file,
   * adapted to the model's input).
   *
   * @param model the model
   * @param ckpt the pretraining checkpoint (null when the preset has weights)
   */
  void loadPretrained(EncoderModel model, Path ckpt) {
    if (preset.weights() != null) {
      StateDict.load(model, preset.weights(), PRETRAINED_WEIGHTS);
      return;
    }
    Checkpoint c = Checkpoint.read(ckpt);
    try {
      StateDict.load(model, c.tensors(), LoadRule.backbone().withPrefix(Checkpoint.MODEL_GROUP), ckpt);
    } finally {
      c.release();
    }
  }

  static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 6; i++) {
        b.append(String.format(Locale.ROOT, "%02x", d[i]));
      }
      return b.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Formats seconds as h:mm:ss or m:ss.
   *
   * @param seconds seconds
   * @return the clock form
   */
  public static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  /**
   * Deletes a directory tree if present.
   *
   * @param dir the directory
   */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }
}

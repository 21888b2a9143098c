package dev.clce.bench.train;

import dev.clce.bench.data.DataSpec;
import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.Stem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that defines a training run: an immutable, validated value, written to
 * {@code DIR/config.json} and into every checkpoint, and compared on {@code --resume}.
 *
 * <pre>{@code
 * TrainConfig c = TrainConfig.builder(DataSpec.parse("fashion-mnist"), Arch.RESNET18,
 *         LossConfig.builder(LossKind.CLCE).build())
 *     .optStem(Stem.SMALL).optBatch(64).optEpochs(10).optSeed(1).build();
 * }</pre>
 *
 * <p>The training length is given either in steps or in epochs (exactly one of the two is &gt; 0).
 * Three values may be left to the data ({@code 0} or empty): the image size (the dataset's), the
 * channels (the dataset's) and the normalisation (the training subset's per-channel mean and
 * standard deviation); {@link Trainer} fills them in ({@link #resolved}) before it records the
 * configuration, so a recorded configuration always holds the values that were used.
 *
 * <p>{@link #toMap()} and {@link #fromMap(Map)} convert to and from the JSON form. Fields that do
 * not change the trained weights ({@link #OPERATIONAL_KEYS}: checkpoint interval, how many
 * checkpoints to keep, logging intervals) may differ between a run and its resumption.
 */
public final class TrainConfig {

  /** Default images per batch (each gives two views). */
  public static final int DEFAULT_BATCH = 64;
  /** Default peak learning rate. */
  public static final double DEFAULT_LR = 0.05;
  /** Default SGD momentum. */
  public static final double DEFAULT_MOMENTUM = 0.9;
  /** Default weight decay. */
  public static final double DEFAULT_WEIGHT_DECAY = 1e-4;
  /** Default images per evaluation forward pass. */
  public static final int DEFAULT_EVAL_BATCH = 256;
  /** Default number of checkpoints kept in the run directory. */
  public static final int DEFAULT_KEEP_CHECKPOINTS = 2;
  /** Default smallest crop area fraction of the random resized crop. */
  public static final double DEFAULT_CROP_SCALE_MIN = 0.2;
  /** Sampler: a plain shuffle per epoch. */
  public static final String SAMPLER_SHUFFLE = "shuffle";
  /** Sampler: every class of a batch appears at least twice (pairs of images). */
  public static final String SAMPLER_CLASS_PAIRS = "class-pairs";

  /** JSON keys whose values may differ between a run and its resumption. */
  public static final List<String> OPERATIONAL_KEYS =
      List.of("checkpoint_every", "keep_checkpoints", "log_every", "progress_every");

  private final DataSpec data;
  private final List<Integer> classes;
  private final int trainPerClass;
  private final int testPerClass;
  private final Arch arch;
  private final int imageSize;
  private final int channels;
  private final Stem stem;
  private final double width;
  private final boolean projectionHead;
  private final int projectionDim;
  private final int maxBlocksPerStage;
  private final LossConfig loss;
  private final int batch;
  private final long steps;
  private final int epochs;
  private final long seed;
  private final OptimizerKind optimizer;
  private final double lr;
  private final double momentum;
  private final double weightDecay;
  private final long warmupSteps;
  private final String sampler;
  private final double cropScaleMin;
  private final List<Double> normMean;
  private final List<Double> normStd;
  private final long checkpointEvery;
  private final int keepCheckpoints;
  private final int logEvery;
  private final int progressEvery;
  private final int evalBatch;

  private TrainConfig(Builder b) {
    this.data = b.data;
    this.classes = b.classes == null || b.classes.isEmpty() ? List.of() : List.copyOf(b.classes);
    this.trainPerClass = b.trainPerClass;
    this.testPerClass = b.testPerClass;
    this.arch = b.arch;
    this.imageSize = b.imageSize;
    this.channels = b.channels;
    this.stem = b.stem;
    this.width = b.width;
    this.projectionHead = b.projectionHead;
    this.projectionDim = b.projectionDim;
    this.maxBlocksPerStage = b.maxBlocksPerStage;
    this.loss = b.loss;
    this.batch = b.batch;
    this.steps = b.steps;
    this.epochs = b.epochs;
    this.seed = b.seed;
    this.optimizer = b.optimizer;
    this.lr = b.lr;
    this.momentum = b.momentum;
    this.weightDecay = b.weightDecay;
    this.warmupSteps = b.warmupSteps;
    this.sampler = b.sampler;
    this.cropScaleMin = b.cropScaleMin;
    this.normMean = List.copyOf(b.normMean);
    this.normStd = List.copyOf(b.normStd);
    this.checkpointEvery = b.checkpointEvery;
    this.keepCheckpoints = b.keepCheckpoints;
    this.logEvery = b.logEvery;
    this.progressEvery = b.progressEvery;
    this.evalBatch = b.evalBatch;
  }

  /**
   * Starts a configuration.
   *
   * @param data the dataset
   * @param arch the encoder
   * @param loss the loss
   * @return a builder with the defaults
   */
  public static Builder builder(DataSpec data, Arch arch, LossConfig loss) {
    return new Builder(data, arch, loss);
  }

  /** @return a builder holding this configuration's values */
  public Builder toBuilder() {
    Builder b = new Builder(data, arch, loss);
    b.classes = classes;
    b.trainPerClass = trainPerClass;
    b.testPerClass = testPerClass;
    b.imageSize = imageSize;
    b.channels = channels;
    b.stem = stem;
    b.width = width;
    b.projectionHead = projectionHead;
    b.projectionDim = projectionDim;
    b.maxBlocksPerStage = maxBlocksPerStage;
    b.batch = batch;
    b.steps = steps;
    b.epochs = epochs;
    b.seed = seed;
    b.optimizer = optimizer;
    b.lr = lr;
    b.momentum = momentum;
    b.weightDecay = weightDecay;
    b.warmupSteps = warmupSteps;
    b.sampler = sampler;
    b.cropScaleMin = cropScaleMin;
    b.normMean = normMean;
    b.normStd = normStd;
    b.checkpointEvery = checkpointEvery;
    b.keepCheckpoints = keepCheckpoints;
    b.logEvery = logEvery;
    b.progressEvery = progressEvery;
    b.evalBatch = evalBatch;
    return b;
  }

  /**
   * This configuration with the values left to the data filled in.
   *
   * @param imageSize the dataset's image size (used when {@link #imageSize()} is 0)
   * @param channels the dataset's channel count (must equal {@link #channels()} unless that is 0)
   * @param mean the training subset's per-channel mean (used when none is set)
   * @param std the training subset's per-channel standard deviation (used when none is set)
   * @return the resolved configuration
   */
  public TrainConfig resolved(int imageSize, int channels, List<Double> mean, List<Double> std) {
    if (this.channels != 0 && this.channels != channels) {
      throw new IllegalArgumentException("channels: the model is configured for " + this.channels
          + " channels, the data has " + channels);
    }
    Builder b = toBuilder().optChannels(channels);
    if (this.imageSize == 0) {
      b.optImageSize(imageSize);
    }
    if (normMean.isEmpty()) {
      b.optNormalisation(mean, std);
    }
    return b.build();
  }

  /** @return whether image size, channels and normalisation are all set */
  public boolean isResolved() {
    return imageSize > 0 && channels > 0 && !normMean.isEmpty();
  }

  /**
   * The model options of this run.
   *
   * @param numClasses the number of classes of the classifier
   * @return the options (seed = the run's seed, FLOAT)
   * @throws IllegalStateException when the configuration is not resolved
   */
  public ModelOptions modelOptions(int numClasses) {
    if (!isResolved()) {
      throw new IllegalStateException("the configuration is not resolved (image size, channels, normalisation)");
    }
    return ModelOptions.builder().optClasses(numClasses).optImageSize(imageSize).optChannels(channels)
        .optStem(stem).optWidth(width).optProjectionHead(projectionHead).optProjectionDim(projectionDim)
        .optMaxBlocksPerStage(maxBlocksPerStage).optSeed(seed).build();
  }

  /**
   * The total number of steps.
   *
   * @param stepsPerEpoch batches per epoch of the sampler
   * @return {@link #steps()} if set, else {@code epochs * stepsPerEpoch}
   */
  public long totalSteps(int stepsPerEpoch) {
    return steps > 0 ? steps : (long) epochs * stepsPerEpoch;
  }

  /** @return the dataset */
  public DataSpec data() {
    return data;
  }

  /** @return the classes trained on (relabelled 0..k-1 in this order), empty for all */
  public List<Integer> classes() {
    return classes;
  }

  /** @return images per class kept from the training split, 0 for all */
  public int trainPerClass() {
    return trainPerClass;
  }

  /** @return images per class kept from the test split for evaluation, 0 for all */
  public int testPerClass() {
    return testPerClass;
  }

  /** @return the encoder */
  public Arch arch() {
    return arch;
  }

  /** @return the model's input size (crop size), 0 = the dataset's */
  public int imageSize() {
    return imageSize;
  }

  /** @return input channels, 0 = the dataset's */
  public int channels() {
    return channels;
  }

  /** @return the ResNet stem */
  public Stem stem() {
    return stem;
  }

  /** @return the width multiplier */
  public double width() {
    return width;
  }

  /** @return whether the projection head is built (contrastive losses then read it) */
  public boolean projectionHead() {
    return projectionHead;
  }

  /** @return the projection head's output width */
  public int projectionDim() {
    return projectionDim;
  }

  /** @return cap on blocks per stage (0 = none; for tiny models) */
  public int maxBlocksPerStage() {
    return maxBlocksPerStage;
  }

  /** @return the loss */
  public LossConfig loss() {
    return loss;
  }

  /** @return images per batch (the loss sees 2 views of each) */
  public int batch() {
    return batch;
  }

  /** @return training steps, 0 when the length is given in epochs */
  public long steps() {
    return steps;
  }

  /** @return training epochs, 0 when the length is given in steps */
  public int epochs() {
    return epochs;
  }

  /** @return the seed of initialisation, sampling and augmentation */
  public long seed() {
    return seed;
  }

  /** @return the optimiser */
  public OptimizerKind optimizer() {
    return optimizer;
  }

  /** @return the peak learning rate */
  public double lr() {
    return lr;
  }

  /** @return SGD momentum (ignored by Adam and AdamW) */
  public double momentum() {
    return momentum;
  }

  /** @return the weight decay */
  public double weightDecay() {
    return weightDecay;
  }

  /** @return linear warm-up steps before the cosine decay */
  public long warmupSteps() {
    return warmupSteps;
  }

  /** @return {@link #SAMPLER_SHUFFLE} or {@link #SAMPLER_CLASS_PAIRS} */
  public String sampler() {
    return sampler;
  }

  /** @return smallest crop area fraction of the random resized crop */
  public double cropScaleMin() {
    return cropScaleMin;
  }

  /** @return the per-channel normalisation mean, empty = the training subset's */
  public List<Double> normMean() {
    return normMean;
  }

  /** @return the per-channel normalisation standard deviation, empty = the training subset's */
  public List<Double> normStd() {
    return normStd;
  }

  /** @return steps between checkpoints, 0 = only at the end */
  public long checkpointEvery() {
    return checkpointEvery;
  }

  /** @return how many of the newest checkpoints are kept */
  public int keepCheckpoints() {
    return keepCheckpoints;
  }

  /** @return steps between metrics records */
  public int logEvery() {
    return logEvery;
  }

  /** @return steps between progress lines when standard error is not a terminal */
  public int progressEvery() {
    return progressEvery;
  }

  /** @return images per evaluation forward pass */
  public int evalBatch() {
    return evalBatch;
  }

  /**
   * The JSON form (snake_case keys, fixed order).
   *
   * @return the fields by name
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("data", data.toString());
    m.put("classes", classes);
    m.put("train_per_class", trainPerClass);
    m.put("test_per_class", testPerClass);
    m.put("arch", arch.cliName());
    m.put("image_size", imageSize);
    m.put("channels", channels);
    m.put("stem", stem.cliName());
    m.put("width", width);
    m.put("projection_head", projectionHead);
    m.put("projection_dim", projectionDim);
    m.put("max_blocks_per_stage", maxBlocksPerStage);
    m.put("loss", loss.kind().cliName());
    m.put("tau", loss.tau());
    m.put("lambda", loss.lambda());
    m.put("beta", loss.beta());
    m.put("aggregation", loss.aggregation().cliName());
    m.put("detach_weights", loss.detachWeights());
    m.put("batch", batch);
    m.put("steps", steps);
    m.put("epochs", epochs);
    m.put("seed", seed);
    m.put("optimizer", optimizer.cliName());
    m.put("lr", lr);
    m.put("momentum", momentum);
    m.put("weight_decay", weightDecay);
    m.put("warmup_steps", warmupSteps);
    m.put("sampler", sampler);
    m.put("crop_scale_min", cropScaleMin);
    m.put("norm_mean", normMean);
    m.put("norm_std", normStd);
    m.put("checkpoint_every", checkpointEvery);
    m.put("keep_checkpoints", keepCheckpoints);
    m.put("log_every", logEvery);
    m.put("progress_every", progressEvery);
    m.put("eval_batch", evalBatch);
    return m;
  }

  /**
   * Reads the JSON form back.
   *
   * @param m the map {@link #toMap()} wrote (as parsed by Jackson)
   * @return the configuration
   * @throws IllegalArgumentException naming the first missing or bad key
   */
  public static TrainConfig fromMap(Map<String, Object> m) {
    if (m == null) {
      throw new IllegalArgumentException("config: must not be null");
    }
    LossConfig loss = LossConfig.builder(LossKind.parse(str(m, "loss")))
        .optTau(num(m, "tau").doubleValue())
        .optLambda(num(m, "lambda").doubleValue())
        .optBeta(num(m, "beta").doubleValue())
        .optAggregation(Aggregation.parse(str(m, "aggregation")))
        .optDetachWeights(bool(m, "detach_weights"))
        .build();
    Builder b = builder(DataSpec.parse(str(m, "data")), Arch.fromName(str(m, "arch")), loss);
    b.optClasses(intList(m, "classes"));
    b.optTrainPerClass(num(m, "train_per_class").intValue());
    b.optTestPerClass(num(m, "test_per_class").intValue());
    b.optImageSize(num(m, "image_size").intValue());
    b.optChannels(num(m, "channels").intValue());
    b.optStem(Stem.fromName(str(m, "stem")));
    b.optWidth(num(m, "width").doubleValue());
    b.optProjectionHead(bool(m, "projection_head"));
    b.optProjectionDim(num(m, "projection_dim").intValue());
    b.optMaxBlocksPerStage(num(m, "max_blocks_per_stage").intValue());
    b.optBatch(num(m, "batch").intValue());
    long steps = num(m, "steps").longValue();
    int epochs = num(m, "epochs").intValue();
    if (steps > 0) {
      b.optSteps(steps);
    } else {
      b.optEpochs(epochs);
    }
    b.optSeed(num(m, "seed").longValue());
    b.optOptimizer(OptimizerKind.parse(str(m, "optimizer")));
    b.optLr(num(m, "lr").doubleValue());
    b.optMomentum(num(m, "momentum").doubleValue());
    b.optWeightDecay(num(m, "weight_decay").doubleValue());
    b.optWarmupSteps(num(m, "warmup_steps").longValue());
    b.optSampler(str(m, "sampler"));
    b.optCropScaleMin(num(m, "crop_scale_min").doubleValue());
    b.optNormalisation(doubleList(m, "norm_mean"), doubleList(m, "norm_std"));
    b.optCheckpointEvery(num(m, "checkpoint_every").longValue());
    b.optKeepCheckpoints(num(m, "keep_checkpoints").intValue());
    b.optLogEvery(num(m, "log_every").intValue());
    b.optProgressEvery(num(m, "progress_every").intValue());
    b.optEvalBatch(num(m, "eval_batch").intValue());
    return b.build();
  }

  /**
   * The first field that differs from another configuration and changes the trained weights.
   *
   * @param other the other configuration
   * @return a description {@code key: this vs other}, or null when none differs
   */
  public String firstDifference(TrainConfig other) {
    Map<String, Object> a = toMap();
    Map<String, Object> o = other.toMap();
    for (Map.Entry<String, Object> e : a.entrySet()) {
      if (OPERATIONAL_KEYS.contains(e.getKey())) {
        continue;
      }
      if (!Objects.equals(String.valueOf(e.getValue()), String.valueOf(o.get(e.getKey())))) {
        return e.getKey() + ": " + e.getValue() + " vs " + o.get(e.getKey());
      }
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainConfig t && toMap().toString().equals(t.toMap().toString());
  }

  @Override
  public int hashCode() {
    return toMap().toString().hashCode();
  }

  @Override
  public String toString() {
    return "TrainConfig" + toMap();
  }

  private static Object get(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("config: missing key '" + key + "'");
    }
    return v;
  }

  private static String str(Map<String, Object> m, String key) {
    return String.valueOf(get(m, key));
  }

  private static Number num(Map<String, Object> m, String key) {
    Object v = get(m, key);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException("config: key '" + key + "' must be a number, got " + v);
    }
    return n;
  }

  private static boolean bool(Map<String, Object> m, String key) {
    Object v = get(m, key);
    if (!(v instanceof Boolean b)) {
      throw new IllegalArgumentException("config: key '" + key + "' must be true or false, got " + v);
    }
    return b;
  }

  private static List<Integer> intList(Map<String, Object> m, String key) {
    List<Integer> out = new ArrayList<>();
    for (Object o : list(m, key)) {
      if (!(o instanceof Number n)) {
        throw new IllegalArgumentException("config: key '" + key + "' must list integers, got " + o);
      }
      out.add(n.intValue());
    }
    return out;
  }

  private static List<Double> doubleList(Map<String, Object> m, String key) {
    List<Double> out = new ArrayList<>();
    for (Object o : list(m, key)) {
      if (!(o instanceof Number n)) {
        throw new IllegalArgumentException("config: key '" + key + "' must list numbers, got " + o);
      }
      out.add(n.doubleValue());
    }
    return out;
  }

  private static List<?> list(Map<String, Object> m, String key) {
    Object v = get(m, key);
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException("config: key '" + key + "' must be a list, got " + v);
    }
    return l;
  }

  /** Builder; every rule is checked by {@link #build()}. */
  public static final class Builder {
    private final DataSpec data;
    private final Arch arch;
    private final LossConfig loss;
    private List<Integer> classes = List.of();
    private int trainPerClass;
    private int testPerClass;
    private int imageSize;
    private int channels;
    private Stem stem = Stem.IMAGENET;
    private double width = 1.0;
    private boolean projectionHead;
    private int projectionDim = ModelOptions.DEFAULT_PROJECTION_DIM;
    private int maxBlocksPerStage;
    private int batch = DEFAULT_BATCH;
    private long steps;
    private int epochs;
    private long seed;
    private OptimizerKind optimizer = OptimizerKind.SGD;
    private double lr = DEFAULT_LR;
    private double momentum = DEFAULT_MOMENTUM;
    private double weightDecay = DEFAULT_WEIGHT_DECAY;
    private long warmupSteps;
    private String sampler = SAMPLER_SHUFFLE;
    private double cropScaleMin = DEFAULT_CROP_SCALE_MIN;
    private List<Double> normMean = List.of();
    private List<Double> normStd = List.of();
    private long checkpointEvery;
    private int keepCheckpoints = DEFAULT_KEEP_CHECKPOINTS;
    private int logEvery = 1;
    private int progressEvery = 10;
    private int evalBatch = DEFAULT_EVAL_BATCH;

    private Builder(DataSpec data, Arch arch, LossConfig loss) {
      this.data = data;
      this.arch = arch;
      this.loss = loss;
    }

    /**
     * @param v classes to train on, empty for all
     * @return this
     */
    public Builder optClasses(List<Integer> v) {
      this.classes = v;
      return this;
    }

    /**
     * @param v training images per class, 0 for all
     * @return this
     */
    public Builder optTrainPerClass(int v) {
      this.trainPerClass = v;
      return this;
    }

    /**
     * @param v test images per class for evaluation, 0 for all
     * @return this
     */
    public Builder optTestPerClass(int v) {
      this.testPerClass = v;
      return this;
    }

    /**
     * @param v model input size, 0 = the dataset's
     * @return this
     */
    public Builder optImageSize(int v) {
      this.imageSize = v;
      return this;
    }

    /**
     * @param v input channels, 0 = the dataset's
     * @return this
     */
    public Builder optChannels(int v) {
      this.channels = v;
      return this;
    }

    /**
     * @param v ResNet stem
     * @return this
     */
    public Builder optStem(Stem v) {
      this.stem = v;
      return this;
    }

    /**
     * @param v width multiplier
     * @return this
     */
    public Builder optWidth(double v) {
      this.width = v;
      return this;
    }

    /**
     * @param v whether to build the projection head
     * @return this
     */
    public Builder optProjectionHead(boolean v) {
      this.projectionHead = v;
      return this;
    }

    /**
     * @param v projection output width
     * @return this
     */
    public Builder optProjectionDim(int v) {
      this.projectionDim = v;
      return this;
    }

    /**
     * @param v cap on blocks per stage, 0 = none
     * @return this
     */
    public Builder optMaxBlocksPerStage(int v) {
      this.maxBlocksPerStage = v;
      return this;
    }

    /**
     * @param v images per batch, &gt;= 2
     * @return this
     */
    public Builder optBatch(int v) {
      this.batch = v;
      return this;
    }

    /**
     * @param v training steps (clears epochs)
     * @return this
     */
    public Builder optSteps(long v) {
      this.steps = v;
      this.epochs = 0;
      return this;
    }

    /**
     * @param v training epochs (clears steps)
     * @return this
     */
    public Builder optEpochs(int v) {
      this.epochs = v;
      this.steps = 0;
      return this;
    }

    /**
     * @param v the seed
     * @return this
     */
    public Builder optSeed(long v) {
      this.seed = v;
      return this;
    }

    /**
     * @param v the optimiser
     * @return this
     */
    public Builder optOptimizer(OptimizerKind v) {
      this.optimizer = v;
      return this;
    }

    /**
     * @param v peak learning rate
     * @return this
     */
    public Builder optLr(double v) {
      this.lr = v;
      return this;
    }

    /**
     * @param v SGD momentum in [0, 1)
     * @return this
     */
    public Builder optMomentum(double v) {
      this.momentum = v;
      return this;
    }

    /**
     * @param v weight decay &gt;= 0
     * @return this
     */
    public Builder optWeightDecay(double v) {
      this.weightDecay = v;
      return this;
    }

    /**
     * @param v warm-up steps &gt;= 0
     * @return this
     */
    public Builder optWarmupSteps(long v) {
      this.warmupSteps = v;
      return this;
    }

    /**
     * @param v {@link #SAMPLER_SHUFFLE} or {@link #SAMPLER_CLASS_PAIRS}
     * @return this
     */
    public Builder optSampler(String v) {
      this.sampler = v;
      return this;
    }

    /**
     * @param v smallest crop area fraction in (0, 1]
     * @return this
     */
    public Builder optCropScaleMin(double v) {
      this.cropScaleMin = v;
      return this;
    }

    /**
     * @param mean per-channel mean (empty = the training subset's)
     * @param std per-channel standard deviation (empty = the training subset's)
     * @return this
     */
    public Builder optNormalisation(List<Double> mean, List<Double> std) {
      this.normMean = mean == null ? List.of() : mean;
      this.normStd = std == null ? List.of() : std;
      return this;
    }

    /**
     * @param v steps between checkpoints, 0 = only at the end
     * @return this
     */
    public Builder optCheckpointEvery(long v) {
      this.checkpointEvery = v;
      return this;
    }

    /**
     * @param v checkpoints kept, &gt;= 1
     * @return this
     */
    public Builder optKeepCheckpoints(int v) {
      this.keepCheckpoints = v;
      return this;
    }

    /**
     * @param v steps between metrics records, &gt;= 1
     * @return this
     */
    public Builder optLogEvery(int v) {
      this.logEvery = v;
      return this;
    }

    /**
     * @param v steps between progress lines on a non-terminal, &gt;= 1
     * @return this
     */
    public Builder optProgressEvery(int v) {
      this.progressEvery = v;
      return this;
    }

    /**
     * @param v images per evaluation forward pass, &gt;= 1
     * @return this
     */
    public Builder optEvalBatch(int v) {
      this.evalBatch = v;
      return this;
    }

    /**
     * Checks every rule.
     *
     * @return the configuration
     * @throws IllegalArgumentException naming the first bad field and its value
     */
    public TrainConfig build() {
      if (data == null) {
        throw new IllegalArgumentException("data: must not be null");
      }
      if (arch == null) {
        throw new IllegalArgumentException("arch: must not be null");
      }
      if (loss == null) {
        throw new IllegalArgumentException("loss: must not be null");
      }
      if (classes != null && !classes.isEmpty()) {
        new dev.clce.bench.data.ClassSubset(classes, 0);
        if (classes.size() < 2) {
          throw new IllegalArgumentException("classes: need at least 2 classes to train on, got " + classes);
        }
      }
      if (trainPerClass < 0) {
        throw new IllegalArgumentException("train-per-class: must be >= 0 (0 = all), got " + trainPerClass);
      }
      if (testPerClass < 0) {
        throw new IllegalArgumentException("test-per-class: must be >= 0 (0 = all), got " + testPerClass);
      }
      if (imageSize < 0) {
        throw new IllegalArgumentException("image-size: must be >= 1 (or 0 for the dataset's), got " + imageSize);
      }
      if (channels < 0) {
        throw new IllegalArgumentException("channels: must be >= 1 (or 0 for the dataset's), got " + channels);
      }
      if (stem == null) {
        throw new IllegalArgumentException("stem: must not be null");
      }
      if (!(width > 0) || !Double.isFinite(width)) {
        throw new IllegalArgumentException("width: must be finite and > 0, got " + width);
      }
      if (projectionDim < 1) {
        throw new IllegalArgumentException("projection-dim: must be >= 1, got " + projectionDim);
      }
      if (maxBlocksPerStage < 0) {
        throw new IllegalArgumentException("max-blocks: must be >= 0 (0 = none), got " + maxBlocksPerStage);
      }
      if (batch < 2) {
        throw new IllegalArgumentException("batch: must be >= 2, got " + batch);
      }
      if (steps < 0 || epochs < 0 || (steps > 0) == (epochs > 0)) {
        throw new IllegalArgumentException("steps: give exactly one of --steps S or --epochs E (> 0), got steps="
            + steps + ", epochs=" + epochs);
      }
      if (optimizer == null) {
        throw new IllegalArgumentException("optimizer: must not be null");
      }
      if (!(lr > 0) || !Double.isFinite(lr)) {
        throw new IllegalArgumentException("lr: must be finite and > 0, got " + lr);
      }
      if (!(momentum >= 0 && momentum < 1)) {
        throw new IllegalArgumentException("momentum: must be in [0, 1), got " + momentum);
      }
      if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
        throw new IllegalArgumentException("weight-decay: must be finite and >= 0, got " + weightDecay);
      }
      if (warmupSteps < 0 || (steps > 0 && warmupSteps >= steps)) {
        throw new IllegalArgumentException("warmup-steps: must be >= 0 and below the number of steps, got " + warmupSteps);
      }
      if (!SAMPLER_SHUFFLE.equals(sampler) && !SAMPLER_CLASS_PAIRS.equals(sampler)) {
        throw new IllegalArgumentException("sampler: must be " + SAMPLER_SHUFFLE + " or " + SAMPLER_CLASS_PAIRS + ", got " + sampler);
      }
      if (SAMPLER_CLASS_PAIRS.equals(sampler) && batch % 2 != 0) {
        throw new IllegalArgumentException("batch: the " + SAMPLER_CLASS_PAIRS + " sampler needs an even batch, got " + batch);
      }
      if (!(cropScaleMin > 0 && cropScaleMin <= 1)) {
        throw new IllegalArgumentException("crop-scale-min: must be in (0, 1], got " + cropScaleMin);
      }
      if (normMean.size() != normStd.size()) {
        throw new IllegalArgumentException("norm: mean and std must have the same length, got " + normMean + ", " + normStd);
      }
      if (checkpointEvery < 0) {
        throw new IllegalArgumentException("checkpoint-every: must be >= 0 (0 = only at the end), got " + checkpointEvery);
      }
      if (keepCheckpoints < 1) {
        throw new IllegalArgumentException("keep-checkpoints: must be >= 1, got " + keepCheckpoints);
      }
      if (logEvery < 1) {
        throw new IllegalArgumentException("log-every: must be >= 1, got " + logEvery);
      }
      if (progressEvery < 1) {
        throw new IllegalArgumentException("progress-every: must be >= 1, got " + progressEvery);
      }
      if (evalBatch < 1) {
        throw new IllegalArgumentException("eval-batch: must be >= 1, got " + evalBatch);
      }
      return new TrainConfig(this);
    }
  }
}

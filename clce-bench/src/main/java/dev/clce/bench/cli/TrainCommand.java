package dev.clce.bench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.bench.data.ClassSubset;
import dev.clce.bench.data.DataSpec;
import dev.clce.bench.train.OptimizerKind;
import dev.clce.bench.train.TrainConfig;
import dev.clce.bench.train.TrainResult;
import dev.clce.bench.train.Trainer;
import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.Stem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clce train}: trains an encoder with a loss on two augmented views per image.
 *
 * <pre>
 * ./clce train --data fashion-mnist --arch resnet18 --stem small --loss clce --batch 64 --epochs 10 \
 *     --seed 1 --optimizer sgd --lr 0.05 --classes 0,1,2,3,4 --checkpoint-every 500 --out runs/clce
 * </pre>
 *
 * <p>Writes {@code DIR/config.json}, {@code DIR/metrics.jsonl}, checkpoints and {@code DIR/final.json}
 * (see {@link Trainer}); prints the final summary (one JSON object with {@code --json}). Every
 * argument is checked before any work; bad input exits with code 2 and one line naming it.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train an encoder with a loss on two augmented views per image; checkpoints, metrics, resume.")
public final class TrainCommand implements Callable<Integer> {

  /** Default window of ND4J's periodic garbage collection (see docs/MEMORY.md). */
  public static final int DEFAULT_GC_WINDOW_MS = 0;

  @Spec CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "KIND[:DIR]", description = "fashion-mnist[:DIR], cifar10:DIR, cifar100:DIR, folder:DIR")
  String data;

  @Option(names = "--arch", required = true, paramLabel = "ARCH", description = "resnet18 ... resnet152, vit_ti_16 ... vit_l_16")
  String arch;

  @Option(names = "--image-size", paramLabel = "PX", description = "model input (crop) size (default: the dataset's)")
  int imageSize;

  @Option(names = "--stem", paramLabel = "STEM", description = "ResNet stem: imagenet or small (default ${DEFAULT-VALUE})")
  String stem = Stem.IMAGENET.cliName();

  @Option(names = "--width", paramLabel = "W", description = "width multiplier (default ${DEFAULT-VALUE})")
  double width = 1.0;

  @Option(names = "--projection-head", description = "add the projection head; contrastive losses then read its output")
  boolean projectionHead;

  @Option(names = "--projection-dim", paramLabel = "D", description = "projection head output width (default ${DEFAULT-VALUE})")
  int projectionDim = ModelOptions.DEFAULT_PROJECTION_DIM;

  @Option(names = "--max-blocks", paramLabel = "N", description = "cap on blocks per stage, 0 = none (for tiny models)")
  int maxBlocks;

  @Option(names = "--loss", required = true, paramLabel = "LOSS", description = "ce, supcon, hscl, cl, lacln, clce, ce+supcon or ce+cl")
  String loss;

  @Option(names = "--tau", paramLabel = "TAU", description = "temperature > 0 (default 0.5)")
  Double tau;

  @Option(names = "--lambda", paramLabel = "LAMBDA", description = "weight of the contrastive term in clce, ce+supcon, ce+cl; in [0, 1] (default 0.9)")
  Double lambda;

  @Option(names = "--beta", paramLabel = "BETA", description = "H-SCL concentration >= 0 (default 0.5)")
  Double beta;

  @Option(names = "--aggregation", paramLabel = "AGG", description = "log-of-mean (default) or mean-of-log")
  String aggregation;

  @Option(names = "--detach-weights", description = "treat LACLN's hard-negative weights as constants in backward")
  boolean detachWeights;

  @Option(names = "--batch", paramLabel = "B", description = "images per batch, 2 views each (default ${DEFAULT-VALUE})")
  int batch = TrainConfig.DEFAULT_BATCH;

  @Option(names = "--epochs", paramLabel = "E", description = "training length in epochs (or --steps)")
  Integer epochs;

  @Option(names = "--steps", paramLabel = "S", description = "training length in steps (or --epochs)")
  Long steps;

  @Option(names = "--seed", paramLabel = "N", description = "seed of initialisation, sampling, augmentation (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--optimizer", paramLabel = "OPT", description = "sgd (Nesterov momentum), adam or adamw (default ${DEFAULT-VALUE})")
  String optimizer = OptimizerKind.SGD.cliName();

  @Option(names = "--lr", paramLabel = "LR", description = "peak learning rate (default ${DEFAULT-VALUE})")
  double lr = TrainConfig.DEFAULT_LR;

  @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum in [0, 1) (default ${DEFAULT-VALUE})")
  double momentum = TrainConfig.DEFAULT_MOMENTUM;

  @Option(names = "--weight-decay", paramLabel = "WD", description = "weight decay (default ${DEFAULT-VALUE})")
  double weightDecay = TrainConfig.DEFAULT_WEIGHT_DECAY;

  @Option(names = "--warmup-steps", paramLabel = "N", description = "linear warm-up steps before the cosine decay (default 0)")
  long warmupSteps;

  @Option(names = "--classes", paramLabel = "LIST", description = "classes to train on, e.g. 0,1,2,3,4 or 0-4 (default all)")
  String classes;

  @Option(names = "--train-per-class", paramLabel = "K", description = "training images per class, 0 = all")
  int trainPerClass;

  @Option(names = "--test-per-class", paramLabel = "K", description = "test images per class for evaluation, 0 = all")
  int testPerClass;

  @Option(names = "--sampler", paramLabel = "KIND", description = "shuffle (default) or class-pairs (every class of a batch twice)")
  String sampler = TrainConfig.SAMPLER_SHUFFLE;

  @Option(names = "--crop-scale-min", paramLabel = "S", description = "smallest crop area fraction (default ${DEFAULT-VALUE})")
  double cropScaleMin = TrainConfig.DEFAULT_CROP_SCALE_MIN;

  @Option(names = "--checkpoint-every", paramLabel = "N", description = "steps between checkpoints, 0 = only at the end")
  long checkpointEvery;

  @Option(names = "--keep-checkpoints", paramLabel = "N", description = "newest checkpoints kept (default ${DEFAULT-VALUE})")
  int keepCheckpoints = TrainConfig.DEFAULT_KEEP_CHECKPOINTS;

  @Option(names = "--log-every", paramLabel = "N", description = "steps between metrics records (default 1)")
  int logEvery = 1;

  @Option(names = "--progress-every", paramLabel = "N", description = "steps between progress lines when stderr is not a terminal (default 10)")
  int progressEvery = 10;

  @Option(names = "--eval-batch", paramLabel = "N", description = "images per evaluation forward pass (default ${DEFAULT-VALUE})")
  int evalBatch = TrainConfig.DEFAULT_EVAL_BATCH;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory")
  Path out;

  @Option(names = "--resume", description = "continue from the newest checkpoint in --out (a fresh start if there is none)")
  boolean resume;

  @Option(names = "--gc-window-ms", paramLabel = "MS",
      description = "ND4J periodic garbage collection at most every MS ms, 0 = off (default ${DEFAULT-VALUE}); "
          + "frees the native memory of dead arrays that only a full collection would reach")
  int gcWindowMs = DEFAULT_GC_WINDOW_MS;

  @Option(names = "--json", description = "print final.json instead of a one-line summary")
  boolean json;

  /**
   * The validated configuration from the command line.
   *
   * @return the configuration
   * @throws IllegalArgumentException naming the bad option
   */
  TrainConfig config() {
    DataSpec dataSpec = DataSpec.parse(data);
    if (!Files.isDirectory(dataSpec.dir())) {
      throw new IllegalArgumentException("data: directory " + dataSpec.dir() + " does not exist");
    }
    LossConfig.Builder lb = LossConfig.builder(LossKind.parse(loss));
    if (tau != null) {
      lb.optTau(tau);
    }
    if (lambda != null) {
      lb.optLambda(lambda);
    }
    if (beta != null) {
      lb.optBeta(beta);
    }
    if (aggregation != null) {
      lb.optAggregation(Aggregation.parse(aggregation));
    }
    LossConfig lossConfig = lb.optDetachWeights(detachWeights).build();
    if ((epochs == null) == (steps == null)) {
      throw new IllegalArgumentException("steps: give exactly one of --epochs E or --steps S");
    }
    if (epochs != null && epochs < 1) {
      throw new IllegalArgumentException("epochs: must be >= 1, got " + epochs);
    }
    if (steps != null && steps < 1) {
      throw new IllegalArgumentException("steps: must be >= 1, got " + steps);
    }
    if (imageSize < 0) {
      throw new IllegalArgumentException("image-size: must be >= 1, got " + imageSize);
    }
    List<Integer> classList = classes == null ? List.of() : ClassSubset.parseClasses(classes);
    TrainConfig.Builder b = TrainConfig.builder(dataSpec, Arch.fromName(arch), lossConfig)
        .optClasses(classList).optTrainPerClass(trainPerClass).optTestPerClass(testPerClass)
        .optImageSize(imageSize).optStem(Stem.fromName(stem)).optWidth(width).optProjectionHead(projectionHead)
        .optProjectionDim(projectionDim).optMaxBlocksPerStage(maxBlocks).optBatch(batch).optSeed(seed)
        .optOptimizer(OptimizerKind.parse(optimizer)).optLr(lr).optMomentum(momentum).optWeightDecay(weightDecay)
        .optWarmupSteps(warmupSteps).optSampler(sampler).optCropScaleMin(cropScaleMin)
        .optCheckpointEvery(checkpointEvery).optKeepCheckpoints(keepCheckpoints).optLogEvery(logEvery)
        .optProgressEvery(progressEvery).optEvalBatch(evalBatch);
    if (steps != null) {
      b.optSteps(steps);
    } else {
      b.optEpochs(epochs);
    }
    TrainConfig c = b.build();
    // The model options are checked here too (for example a ViT with the small stem), before any work.
    c.arch().spec(ModelOptions.builder().optImageSize(imageSize > 0 ? imageSize : 224)
        .optStem(c.stem()).optWidth(c.width()).optProjectionHead(c.projectionHead()).optProjectionDim(c.projectionDim())
        .optMaxBlocksPerStage(c.maxBlocksPerStage()).optClasses(Math.max(2, classList.size())).build());
    return c;
  }

  @Override
  public Integer call() throws Exception {
    TrainConfig c = config();
    if (out.toString().isBlank()) {
      throw new IllegalArgumentException("out: must name a directory");
    }
    if (gcWindowMs < 0) {
      throw new IllegalArgumentException("gc-window-ms: must be >= 0 (0 = off), got " + gcWindowMs);
    }
    if (gcWindowMs > 0) {
      Nd4j.getMemoryManager().setAutoGcWindow(gcWindowMs);
      Nd4j.getMemoryManager().togglePeriodicGc(true);
    } else {
      Nd4j.getMemoryManager().togglePeriodicGc(false);
    }
    TrainResult r = Trainer.create(c, out, resume, System.err).run();
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      w.println(new ObjectMapper().writeValueAsString(r.summary()));
    } else {
      w.printf(Locale.ROOT, "steps %d  test_top1 %.4f  nearest_centroid_top1 %.4f  weights_sha256 %s  -> %s%n",
          r.steps(), r.scores().headTop1(), r.scores().nearestCentroidTop1(), r.weightsSha256(), out);
    }
    w.flush();
    return 0;
  }
}

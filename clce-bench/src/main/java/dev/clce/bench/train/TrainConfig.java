package dev.clce.bench.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.clce.core.loss.LossConfig;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that defines a training run, as a record of parts that each check themselves: the data
 * and its views ({@link DataConfig}), the encoder ({@link Arch} and clce-models' {@link ModelOptions}),
 * the loss (clce-core's {@link LossConfig}), the optimiser ({@link OptimizerConfig}), the budget
 * ({@link Budget}), the seed and how the run is recorded ({@link RunPolicy}). Written by Jackson
 * ({@link TrainJson}) to {@code DIR/config.json} and into every checkpoint, and compared on
 * {@code --resume}.
 *
 * <pre>{@code
 * TrainConfig c = TrainConfig.of(DataConfig.of(DataSpec.parse("fashion-mnist")), Arch.RESNET18,
 *         LossConfig.builder(LossKind.CLCE).build(), Budget.ofEpochs(64, 10))
 *     .withModel(ModelOptions.builder().optStem(Stem.SMALL).build()).withSeed(1);
 * }</pre>
 *
 * <p>Of {@link #model()} only the architecture options are part of the run (stem, width, projection
 * head, blocks per stage, normalisation kernel); the classes, input size, channels and seed come from
 * the data part and the run ({@link #modelOptions(int)}), and are not recorded twice.
 *
 * @param data the data part
 * @param arch the encoder
 * @param model the encoder's architecture options
 * @param loss the loss
 * @param optimizer the optimiser
 * @param budget batch and length
 * @param seed the seed of initialisation, sampling and augmentation
 * @param run how the run is recorded (may differ on resumption)
 */
@JsonIgnoreProperties(value = {"batch_norm"}, allowGetters = true)
public record TrainConfig(DataConfig data, Arch arch, ModelOptions model, LossConfig loss, OptimizerConfig optimizer,
    Budget budget, long seed, RunPolicy run) {

  /** JSON name of the part whose values may differ between a run and its resumption. */
  static final String RUN_PART = "run";

  /** Checks the parts and the rules between them. */
  public TrainConfig {
    if (data == null || arch == null || model == null || loss == null || optimizer == null || budget == null
        || run == null) {
      throw new IllegalArgumentException("config: every part (data, arch, model, loss, optimizer, budget, run) must be "
          + "given, got data=" + data + ", arch=" + arch + ", model=" + model + ", loss=" + loss + ", optimizer="
          + optimizer + ", budget=" + budget + ", run=" + run);
    }
    if (data.sampler() == Sampler.CLASS_PAIRS && budget.batch() % 2 != 0) {
      throw new IllegalArgumentException("batch: the " + Sampler.CLASS_PAIRS.cliName() + " sampler needs an even batch, got "
          + budget.batch());
    }
    if (budget.steps() > 0 && optimizer.warmupSteps() >= budget.steps()) {
      throw new IllegalArgumentException("warmup-steps: must be >= 0 and below the number of steps, got "
          + optimizer.warmupSteps());
    }
    // The encoder's options are checked against the architecture (a ViT with the small stem, say) before any work.
    arch.spec(model.toBuilder().optClasses(Math.max(2, data.classes().size()))
        .optImageSize(data.imageSize() > 0 ? data.imageSize() : ModelOptions.DEFAULT_IMAGE_SIZE)
        .optChannels(data.channels() > 0 ? data.channels() : ModelOptions.DEFAULT_CHANNELS).build());
  }

  /**
   * How BatchNorm in training mode normalises a step's views: over the whole batch, per chunk (with
   * {@link Budget#chunk()}: the gradient is then that of a model normalising each chunk on its own,
   * as data-parallel training without synchronised BatchNorm), or not at all (an encoder without
   * BatchNorm, where chunks are exact). Derived from the architecture and the budget; written into
   * {@code config.json} for whoever reads it and ignored when read back.
   *
   * @return one line
   */
  @JsonProperty("batch_norm")
  public String batchNorm() {
    if (arch.family() != Arch.Family.RESNET) {
      return "none: the encoder has no BatchNorm" + (budget.chunked() ? ", so chunks give the whole batch's gradient" : "");
    }
    if (!budget.chunked()) {
      return "batch statistics of the whole batch (" + 2 * budget.batch() + " views)";
    }
    return "batch statistics per chunk of " + budget.chunk() + " images (" + 2 * budget.chunk() + " views), not of the "
        + "whole batch; running statistics pooled over the batch, once per step";
  }

  /**
   * A configuration with the default encoder options, optimiser ({@link OptimizerConfig#DEFAULT}),
   * seed 0 and run policy ({@link RunPolicy#DEFAULT}).
   *
   * @param data the data part
   * @param arch the encoder
   * @param loss the loss
   * @param budget batch and length
   * @return the configuration
   */
  public static TrainConfig of(DataConfig data, Arch arch, LossConfig loss, Budget budget) {
    return new TrainConfig(data, arch, ModelOptions.defaults(), loss, OptimizerConfig.DEFAULT, budget, 0,
        RunPolicy.DEFAULT);
  }

  /**
   * @param v the data part
   * @return a copy with it
   */
  public TrainConfig withData(DataConfig v) {
    return new TrainConfig(v, arch, model, loss, optimizer, budget, seed, run);
  }

  /**
   * @param v the encoder's architecture options
   * @return a copy with them
   */
  public TrainConfig withModel(ModelOptions v) {
    return new TrainConfig(data, arch, v, loss, optimizer, budget, seed, run);
  }

  /**
   * @param v the loss
   * @return a copy with it
   */
  public TrainConfig withLoss(LossConfig v) {
    return new TrainConfig(data, arch, model, v, optimizer, budget, seed, run);
  }

  /**
   * @param v the optimiser
   * @return a copy with it
   */
  public TrainConfig withOptimizer(OptimizerConfig v) {
    return new TrainConfig(data, arch, model, loss, v, budget, seed, run);
  }

  /**
   * @param v batch and length
   * @return a copy with them
   */
  public TrainConfig withBudget(Budget v) {
    return new TrainConfig(data, arch, model, loss, optimizer, v, seed, run);
  }

  /**
   * @param v the seed
   * @return a copy with it
   */
  public TrainConfig withSeed(long v) {
    return new TrainConfig(data, arch, model, loss, optimizer, budget, v, run);
  }

  /**
   * @param v how the run is recorded
   * @return a copy with it
   */
  public TrainConfig withRun(RunPolicy v) {
    return new TrainConfig(data, arch, model, loss, optimizer, budget, seed, v);
  }

  /**
   * The model options of this run.
   *
   * @param numClasses the number of classes of the classifier
   * @return the architecture options with the classes, the data's input size and channels and the run's seed
   * @throws IllegalStateException when the data part is not resolved
   */
  public ModelOptions modelOptions(int numClasses) {
    if (!data.isResolved()) {
      throw new IllegalStateException("the configuration is not resolved (image size, channels, normalisation)");
    }
    return model.toBuilder().optClasses(numClasses).optImageSize(data.imageSize()).optChannels(data.channels())
        .optSeed(seed).build();
  }

  /**
   * The first value that differs from another configuration and changes the trained weights (the
   * {@link RunPolicy} part is left out).
   *
   * @param other the other configuration
   * @return {@code path: this vs other} (for example {@code optimizer.lr: 0.01 vs 0.02}), or null
   */
  public String firstDifference(TrainConfig other) {
    JsonNode a = TrainJson.tree(this);
    JsonNode b = TrainJson.tree(other);
    ((com.fasterxml.jackson.databind.node.ObjectNode) a).remove(RUN_PART);
    ((com.fasterxml.jackson.databind.node.ObjectNode) b).remove(RUN_PART);
    return firstDifference("", a, b);
  }

  private static String firstDifference(String path, JsonNode a, JsonNode b) {
    if (a != null && b != null && a.isObject() && b.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        String d = firstDifference(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), b.get(e.getKey()));
        if (d != null) {
          return d;
        }
      }
      for (Iterator<String> it = b.fieldNames(); it.hasNext();) {
        String k = it.next();
        if (!a.has(k)) {
          return (path.isEmpty() ? k : path + "." + k) + ": (none) vs " + b.get(k);
        }
      }
      return null;
    }
    return Objects.equals(a, b) ? null : path + ": " + text(a) + " vs " + text(b);
  }

  private static String text(JsonNode n) {
    return n == null ? "(none)" : n.isTextual() ? n.asText() : n.toString();
  }
}

package dev.clce.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.bench.data.DataSpec;
import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.layers.NormKernel;
import dev.clce.models.Stem;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The configuration's parts: their JSON form, their checks, and what a resumption compares. */
class TrainConfigTest {

  private static TrainConfig config() {
    return new TrainConfig(
        new DataConfig(DataSpec.parse("cifar10:/data/c10"), List.of(3, 1), 7, 2, 24, 3, List.of(0.1, 0.2, 0.3),
            List.of(1.0, 2.0, 3.0), Sampler.CLASS_PAIRS, 0.4),
        Arch.RESNET50, ModelOptions.builder().optStem(Stem.SMALL).optWidth(0.5).optProjectionHead(true)
            .optProjectionDim(32).optMaxBlocksPerStage(2).optNormKernel(NormKernel.PRIMITIVE).build(),
        LossConfig.builder(LossKind.CE_SUPCON).optTau(0.2).optLambda(0.3).optBeta(0.7)
            .optAggregation(Aggregation.MEAN_OF_LOG).optDetachWeights(true).build(),
        new OptimizerConfig(OptimizerKind.ADAMW, 0.003, 0.8, 0.05, 5), Budget.ofEpochs(16, 4), 9,
        new RunPolicy(100, 3, 0, 0, 64));
  }

  /** The documented form, written out by hand (docs/TRAINING.md): key names, nesting, enum names. */
  private static final String EXPECTED = """
      {"data": {"spec": "cifar10:/data/c10", "classes": [3, 1], "train_per_class": 7, "test_per_class": 2,
                "image_size": 24, "channels": 3, "norm_mean": [0.1, 0.2, 0.3], "norm_std": [1.0, 2.0, 3.0],
                "sampler": "class-pairs", "crop_scale_min": 0.4},
       "arch": "resnet50",
       "model": {"stem": "small", "width": 0.5, "projection_head": true, "projection_dim": 32,
                 "max_blocks_per_stage": 2, "norm_kernel": "primitive"},
       "loss": {"kind": "ce+supcon", "tau": 0.2, "lambda": 0.3, "beta": 0.7, "aggregation": "mean-of-log",
                "detach_weights": true},
       "optimizer": {"kind": "adamw", "lr": 0.003, "momentum": 0.8, "weight_decay": 0.05, "warmup_steps": 5},
       "budget": {"batch": 16, "steps": 0, "epochs": 4, "chunk": 0},
       "seed": 9,
       "run": {"checkpoint_every": 100, "keep_checkpoints": 3, "log_every": 0, "progress_every": 0, "eval_batch": 64},
       "batch_norm": "batch statistics of the whole batch (32 views)"}
      """;

  @Test
  void jsonFormIsTheDocumentedOneAndReadsBack() throws Exception {
    ObjectMapper plain = new ObjectMapper();
    JsonNode expected = plain.readTree(EXPECTED);
    assertEquals(expected, plain.readTree(TrainJson.mapper().writeValueAsString(config())));
    TrainConfig back = TrainJson.config(expected);
    assertEquals(config(), back);
    // Every value arrives, the model options through their builder.
    assertEquals(NormKernel.PRIMITIVE, back.model().normKernel());
    assertEquals(32, back.model().projectionDim());
    assertTrue(back.loss().detachWeights());
    assertEquals(Sampler.CLASS_PAIRS, back.data().sampler());
  }

  @Test
  void resumptionComparesEveryPartButTheRunPolicy() {
    TrainConfig c = config();
    assertNull(c.firstDifference(c.withRun(RunPolicy.DEFAULT)));
    assertEquals("optimizer.lr: 0.003 vs 0.004", c.firstDifference(c.withOptimizer(c.optimizer().withLr(0.004))));
    assertEquals("model.width: 0.5 vs 0.25",
        c.firstDifference(c.withModel(c.model().toBuilder().optWidth(0.25).build())));
    assertEquals("data.classes: [3,1] vs [1,3]", c.firstDifference(c.withData(c.data().withClasses(List.of(1, 3)))));
    assertEquals("seed: 9 vs 10", c.firstDifference(c.withSeed(10)));
    assertNotEquals(c, c.withRun(RunPolicy.DEFAULT));
  }

  @Test
  void eachPartRefusesBadValuesNamingThem() {
    TrainConfig c = config();
    DataConfig d = c.data();
    for (Object[] bad : new Object[][] {
        {"classes:", (Supplier<?>) () -> d.withClasses(List.of(1))},
        {"train-per-class:", (Supplier<?>) () -> d.withPerClass(-1, 0)},
        {"crop-scale-min:", (Supplier<?>) () -> d.withCropScaleMin(0)},
        {"norm:", (Supplier<?>) () -> d.withNormalisation(List.of(0.5), List.of())},
        {"lr:", (Supplier<?>) () -> c.optimizer().withLr(0)},
        {"momentum:", (Supplier<?>) () -> new OptimizerConfig(OptimizerKind.SGD, 0.1, 1.0, 0, 0)},
        {"batch:", (Supplier<?>) () -> Budget.ofSteps(1, 10)},
        {"steps:", (Supplier<?>) () -> new Budget(8, 10, 2, 0)},
        {"chunk:", (Supplier<?>) () -> new Budget(8, 10, 0, 9)},
        {"chunk:", (Supplier<?>) () -> Budget.ofSteps(8, 10).withChunk(-1)},
        {"keep-checkpoints:", (Supplier<?>) () -> new RunPolicy(0, 0, 1, 1, 1)},
        {"log-every:", (Supplier<?>) () -> new RunPolicy(0, 1, -1, 1, 1)},
        {"warmup-steps:", (Supplier<?>) () -> c.withBudget(Budget.ofSteps(16, 5))},
        {"batch:", (Supplier<?>) () -> c.withBudget(Budget.ofSteps(15, 50))},
        {"stem", (Supplier<?>) () -> TrainConfig.of(DataConfig.of(DataSpec.parse("cifar10:/x")), Arch.VIT_B_16,
            LossConfig.builder(LossKind.CE).build(), Budget.ofSteps(8, 1))
            .withModel(ModelOptions.builder().optStem(Stem.SMALL).build())},
    }) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ((Supplier<?>) bad[1]).get());
      assertTrue(e.getMessage().startsWith((String) bad[0]), bad[0] + " -> " + e.getMessage());
    }
  }
}

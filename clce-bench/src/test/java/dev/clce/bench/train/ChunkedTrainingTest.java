package dev.clce.bench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clce.bench.data.DataSpec;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.models.Arch;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelOptions;
import dev.clce.models.Stem;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Training with {@code --chunk}: the trainer's chunked step against its plain step, which computes
 * the loss in SameDiff ({@link dev.clce.core.loss.SDClceLoss}) over the whole batch in one pass.
 * Each comparison is per tensor, of the change one step makes (the weights themselves barely move).
 */
class ChunkedTrainingTest {
  private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
  @RegisterExtension static final SyntheticFashionData DATA = new SyntheticFashionData(4, 24, 6, 5);

  private static DataConfig dataConfig() {
    return DataConfig.of(DataSpec.parse("fashion-mnist:" + DATA.dir())).withImageSize(16).withCropScaleMin(0.5);
  }

  /** A tiny ViT (LayerNorm only: chunks are exact) or ResNet (BatchNorm), SGD with momentum, batch 8. */
  private static TrainConfig config(Arch arch, LossKind loss, int chunk) {
    ModelOptions model = arch.family() == Arch.Family.VIT
        ? ModelOptions.builder().optWidth(0.1).optMaxBlocksPerStage(1).build()
        : ModelOptions.builder().optStem(Stem.SMALL).optWidth(0.125).optMaxBlocksPerStage(1).build();
    return TrainConfig.of(dataConfig(), arch, LossConfig.builder(loss).optTau(0.3).build(),
            Budget.ofSteps(8, 4).withChunk(chunk))
        .withModel(model).withSeed(4).withOptimizer(OptimizerConfig.of(OptimizerKind.SGD, 0.1));
  }

  private static Map<String, double[]> state(EncoderModel m) {
    Map<String, double[]> s = new LinkedHashMap<>();
    for (String n : m.stateNames()) {
      s.put(n, m.stateArray(n).castTo(DataType.DOUBLE).data().asDouble());
    }
    return s;
  }

  /** The model's state after {@code steps} steps, and its initial state. */
  private static List<Map<String, double[]>> train(TrainConfig c, Path dir, int steps) {
    Trainer t = Trainer.create(c, dir, false, QUIET);
    Map<String, double[]> before = state(t.model());
    t.run(steps);
    return List.of(before, state(t.model()));
  }

  /** max over entries of |change a - change b| / max |change b|, for one tensor. */
  private static double relChangeDiff(double[] a0, double[] a1, double[] b0, double[] b1) {
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < a0.length; i++) {
      diff = Math.max(diff, Math.abs((a1[i] - a0[i]) - (b1[i] - b0[i])));
      scale = Math.max(scale, Math.abs(b1[i] - b0[i]));
    }
    return scale == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : diff / scale;
  }

  @Test
  void bothViewsOfAnImageGoIntoTheSameChunk() {
    // B = 5 images, rows 0-4 first views, 5-9 second views; chunks of 2, 2 and 1 images
    assertArrayEquals(new int[] {0, 1, 5, 6, 2, 3, 7, 8, 4, 9}, ChunkedStep.chunkOrder(5, 2));
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, ChunkedStep.chunkOrder(3, 3));
    assertArrayEquals(new int[] {0, 3, 1, 4, 2, 5}, ChunkedStep.chunkOrder(3, 1));
  }

  /** A ViT has no batch-coupled layer: uneven chunks give the plain step's update, tensor by tensor. */
  @ParameterizedTest
  @EnumSource(value = LossKind.class, names = {"SUPCON", "CLCE", "CE_SUPCON"})
  void vitChunksGiveThePlainStep(LossKind loss, @TempDir Path tmp) {
    List<Map<String, double[]>> plain = train(config(Arch.VIT_TI_16, loss, 0), tmp.resolve("plain"), 1);
    List<Map<String, double[]>> chunked = train(config(Arch.VIT_TI_16, loss, 3), tmp.resolve("chunked"), 1);
    int moved = 0;
    for (String n : plain.get(0).keySet()) {
      assertArrayEquals(plain.get(0).get(n), chunked.get(0).get(n), 0, "same initial " + n);
      double e = relChangeDiff(chunked.get(0).get(n), chunked.get(1).get(n), plain.get(0).get(n), plain.get(1).get(n));
      assertTrue(e < 1e-4, loss + ": the update of " + n + " differs from the plain step's by " + e + " of its size");
      moved += e == 0 && java.util.Arrays.equals(plain.get(0).get(n), plain.get(1).get(n)) ? 0 : 1;
    }
    assertTrue(moved > 10, "only " + moved + " tensors changed");
  }

  /**
   * ResNet with BatchNorm: one chunk of the whole batch is the plain step; three chunks normalise per
   * chunk, so the weights move differently, while the running statistics of the first BatchNorm
   * (whose input no BatchNorm has touched yet), pooled over the chunks, are those of the whole batch.
   * Deeper layers see inputs normalised per chunk, so theirs differ, as they would on several devices.
   */
  @Test
  void resnetChunksNormalisePerChunkAndPoolTheRunningStatistics(@TempDir Path tmp) {
    List<Map<String, double[]>> plain = train(config(Arch.RESNET18, LossKind.CLCE, 0), tmp.resolve("plain"), 1);
    List<Map<String, double[]>> whole = train(config(Arch.RESNET18, LossKind.CLCE, 8), tmp.resolve("whole"), 1);
    List<Map<String, double[]>> three = train(config(Arch.RESNET18, LossKind.CLCE, 3), tmp.resolve("three"), 1);
    double largestWeightDiff = 0;
    int runningChecked = 0;
    for (String n : plain.get(0).keySet()) {
      double eWhole = relChangeDiff(whole.get(0).get(n), whole.get(1).get(n), plain.get(0).get(n), plain.get(1).get(n));
      assertTrue(eWhole < 1e-4, "chunk = batch: the update of " + n + " differs from the plain step's by " + eWhole);
      double eThree = relChangeDiff(three.get(0).get(n), three.get(1).get(n), plain.get(0).get(n), plain.get(1).get(n));
      if (n.equals("bn1.running_mean") || n.equals("bn1.running_var")) {
        assertTrue(eThree < 1e-4, "3 chunks: running statistic " + n + " differs from the whole batch's by " + eThree);
        runningChecked++;
      } else if (n.endsWith(".running_mean") || n.endsWith(".running_var")) {
        continue;
      } else if (n.endsWith(".num_batches_tracked")) {
        assertArrayEquals(new double[] {1}, three.get(1).get(n), 0, n + ": one update per step");
      } else {
        largestWeightDiff = Math.max(largestWeightDiff, eThree);
      }
    }
    assertEquals(2, runningChecked, "the stem's running statistics are checked");
    assertTrue(largestWeightDiff > 1e-2, "per-chunk normalisation should change the update; largest relative difference "
        + largestWeightDiff);
  }

  @Test
  void chunkedRunResumesExactlyAndRecordsItsChunk(@TempDir Path tmp) {
    TrainConfig c = config(Arch.RESNET18, LossKind.SUPCON, 3).withRun(RunPolicy.DEFAULT.withCheckpointEvery(2));
    TrainResult straight = Trainer.create(c, tmp.resolve("straight"), false, QUIET).run();
    Path dir = tmp.resolve("resumed");
    assertFalse(Trainer.create(c, dir, false, QUIET).run(3).finished());
    TrainResult resumed = Trainer.create(c, dir, true, QUIET).run();
    assertEquals(straight.weightsSha256(), resumed.weightsSha256());
    assertEquals(2L, resumed.resumedFromStep());

    // another chunk size is another run: its BatchNorm saw other statistics
    TrainConfig other = c.withBudget(c.budget().withChunk(4));
    CheckpointException e = assertThrows(CheckpointException.class, () -> Trainer.create(other, dir, true, QUIET));
    assertTrue(e.getMessage().contains("budget.chunk: 3 vs 4"), e.getMessage());

    JsonNode written = TrainJson.tree(TrainJson.read(dir.resolve(TrainNames.CONFIG_JSON), TrainConfig.class));
    assertEquals(3, written.get("budget").get("chunk").asInt());
    assertTrue(written.get("batch_norm").asText().startsWith("batch statistics per chunk of 3 images (6 views)"),
        written.get("batch_norm").asText());
  }

  @Test
  void recordsWithoutAChunkReadAsPlainSteps() {
    TrainConfig c = config(Arch.VIT_TI_16, LossKind.CLCE, 0);
    ObjectNode tree = (ObjectNode) TrainJson.tree(c);
    ((ObjectNode) tree.get("budget")).remove("chunk");
    tree.remove("batch_norm");
    TrainConfig back = TrainJson.config(tree);
    assertEquals(0, back.budget().chunk());
    assertEquals(c, back);
    assertEquals("none: the encoder has no BatchNorm", back.batchNorm());
    assertEquals("none: the encoder has no BatchNorm, so chunks give the whole batch's gradient",
        config(Arch.VIT_TI_16, LossKind.CLCE, 2).batchNorm());
    assertEquals("batch statistics of the whole batch (16 views)", config(Arch.RESNET18, LossKind.CLCE, 0).batchNorm());
    // a missing value other than the chunk is still refused, never defaulted
    ObjectNode noSeed = (ObjectNode) TrainJson.tree(c);
    noSeed.remove("seed");
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> TrainJson.config(noSeed));
    assertTrue(missing.getMessage().contains("seed"), missing.getMessage());
  }

  @Test
  void chunkOutsideTheBatchIsRefused() {
    for (int bad : new int[] {-1, 9}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Budget.ofSteps(8, 4).withChunk(bad));
      assertEquals("chunk: must be in [1, batch = 8] images (0 = no chunks), got " + bad, e.getMessage());
    }
  }
}

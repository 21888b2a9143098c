package dev.clce.bench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.bench.data.DataSpec;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.layers.ParamSpec;
import dev.clce.models.Stem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Short training runs of a tiny ResNet on a small synthetic dataset. */
class TrainerTest {
  private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
  @RegisterExtension static final SyntheticFashionData DATA = new SyntheticFashionData(4, 24, 10, 7);

  /** A tiny small-stem ResNet-18 (8 channels, one block per stage) on 14x14 crops, Adam, a number of steps. */
  static TrainConfig tiny(LossKind loss, long steps) {
    return tiny(DATA.dir(), loss, steps);
  }

  /** {@link #tiny(LossKind, long)} on another class's synthetic data. */
  static TrainConfig tiny(Path data, LossKind loss, long steps) {
    return new TrainConfig(DataConfig.of(DataSpec.parse("fashion-mnist:" + data)).withImageSize(14).withCropScaleMin(0.5),
        Arch.RESNET18, ModelOptions.builder().optStem(Stem.SMALL).optWidth(0.125).optMaxBlocksPerStage(1).build(),
        LossConfig.builder(loss).build(), OptimizerConfig.of(OptimizerKind.ADAM, 0.01).withWeightDecay(1e-4),
        Budget.ofSteps(8, steps), 3, RunPolicy.DEFAULT);
  }

  @Test
  void lossFallsOnAShortRun(@TempDir Path out) throws IOException {
    TrainConfig c = tiny(LossKind.CE, 12).withOptimizer(tiny(LossKind.CE, 12).optimizer().withWarmupSteps(1));
    TrainResult r = Trainer.create(c, out, false, QUIET).run();
    assertTrue(r.finished());
    List<Double> losses = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(out.resolve(TrainNames.METRICS_JSONL))) {
      JsonNode n = json.readTree(line);
      if (MetricsLog.TYPE_STEP.equals(n.get("type").asText())) {
        losses.add(n.get("loss").asDouble());
      }
    }
    assertEquals(12, losses.size());
    double first = losses.subList(0, 3).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(9, 12).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    // Cross-entropy starts near ln 4 = 1.39 for 4 classes; the bands are easy to learn.
    assertTrue(first > 1.0, "first losses " + first);
    assertTrue(last < 0.6 * first, "loss should fall: first 3 steps " + first + ", last 3 " + last);
    assertTrue(r.scores().headTop1() > 0.5, "head top-1 " + r.scores().headTop1() + " (chance 0.25)");
  }

  @Test
  void vitWithProjectionHeadTrains(@TempDir Path out) {
    TrainConfig c = TrainConfig.of(DataConfig.of(DataSpec.parse("fashion-mnist:" + DATA.dir())).withImageSize(16),
            Arch.VIT_TI_16, LossConfig.builder(LossKind.SUPCON).optTau(0.2).build(), Budget.ofSteps(8, 3))
        .withModel(ModelOptions.builder().optWidth(0.1).optMaxBlocksPerStage(1).optProjectionHead(true)
            .optProjectionDim(8).build())
        .withSeed(2).withOptimizer(OptimizerConfig.of(OptimizerKind.ADAMW, 0.001).withWeightDecay(0.05));
    Trainer t = Trainer.create(c, out, false, QUIET);
    String before = t.weightsSha256();
    String headBefore = TensorBytes.sha256(t.model().headParameterNames(), t.model().sameDiff()::getArrForVarName);
    TrainResult r = t.run();
    assertTrue(r.finished());
    assertTrue(Double.isFinite(r.lastLoss()) && r.lastLoss() > 0, "loss " + r.lastLoss());
    assertNotEquals(before, r.weightsSha256());
    // SupCon never reaches the classifier: no gradient, no update, no weight decay (as in PyTorch).
    assertEquals(headBefore, TensorBytes.sha256(t.model().headParameterNames(), t.model().sameDiff()::getArrForVarName));
  }

  @Test
  void interruptedAndResumedRunEqualsAStraightRun(@TempDir Path tmp) throws IOException {
    TrainConfig c = tiny(LossKind.CLCE, 6).withRun(RunPolicy.DEFAULT.withCheckpointEvery(2));
    c = c.withOptimizer(c.optimizer().withWarmupSteps(1));
    TrainResult straight = Trainer.create(c, tmp.resolve("straight"), false, QUIET).run();

    Path dir = tmp.resolve("resumed");
    TrainResult first = Trainer.create(c, dir, false, QUIET).run(3);
    assertFalse(first.finished());
    assertEquals(2, Checkpoint.stepOf(Checkpoint.newest(dir).orElseThrow()), "newest checkpoint after 3 steps");
    // What a kill during the writes would have left (names as AtomicFiles makes them), and a user's files.
    for (String n : LEFT_BY_A_KILL) {
      Files.writeString(dir.resolve(n), "half a write");
    }
    for (String n : A_USERS) {
      Files.writeString(dir.resolve(n), "mine");
    }
    java.io.ByteArrayOutputStream logged = new java.io.ByteArrayOutputStream();
    Trainer again = Trainer.create(c, dir, true, new PrintStream(logged, true, java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(2, again.step());
    assertLeftoversRemoved(dir, logged.toString(java.nio.charset.StandardCharsets.UTF_8));
    // Checkpoints hold convolution weights in torchvision's [out, in, kH, kW], not the graph's YXIO.
    Checkpoint ck = Checkpoint.read(Checkpoint.newest(dir).orElseThrow());
    try {
      ParamSpec conv1 = again.model().spec().stateEntries().stream().filter(p -> p.name().equals("conv1.weight"))
          .findFirst().orElseThrow();
      long[] s = conv1.shape();
      assertArrayEquals(new long[] {s[2], s[3], s[1], s[0]}, again.model().sameDiff().getArrForVarName("conv1.weight").shape());
      INDArray stored = ck.tensors().get(Checkpoint.MODEL_GROUP + "conv1.weight");
      assertArrayEquals(s, stored.shape());
      INDArray graph = again.model().sameDiff().getArrForVarName("conv1.weight");
      for (int o = 0; o < s[0]; o++) {
        for (int i = 0; i < s[1]; i++) {
          for (int y = 0; y < s[2]; y++) {
            for (int x = 0; x < s[3]; x++) {
              assertEquals(stored.getFloat(o, i, y, x), graph.getFloat(y, x, i, o), 0f);
            }
          }
        }
      }
    } finally {
      ck.release();
    }
    TrainResult resumed = again.run();

    assertTrue(resumed.finished());
    assertEquals(straight.weightsSha256(), resumed.weightsSha256());
    assertEquals(64, resumed.weightsSha256().length());
    assertNotEquals(first.weightsSha256(), resumed.weightsSha256());
    JsonNode fin = new ObjectMapper().readTree(dir.resolve(TrainNames.FINAL_JSON).toFile());
    for (String key : List.of("test_top1", "steps", "seed", "weights_sha256", "nearest_centroid_top1", "config")) {
      assertTrue(fin.has(key), "final.json lacks " + key);
    }
    assertEquals(6, fin.get("steps").asLong());
    assertEquals(3, fin.get("seed").asLong());
    assertEquals(straight.weightsSha256(), fin.get("weights_sha256").asText());
    assertTrue(Files.isRegularFile(dir.resolve(TrainNames.CONFIG_JSON)));
    // The metrics log holds each step once (step 3 of the interrupted session was dropped on resume).
    long stepRecords = Files.readAllLines(dir.resolve(TrainNames.METRICS_JSONL)).stream()
        .filter(l -> l.contains("\"type\":\"step\"")).count();
    assertEquals(6, stepRecords);
  }

  /** Temporary files of the trainer's atomic writes and of its write check, as a kill leaves them. */
  static final List<String> LEFT_BY_A_KILL = List.of(".checkpoint-000000004.ckpt.8123456789012345678.tmp",
      ".config.json.42.tmp", ".metrics.jsonl.7.tmp", ".final.json.18446744073709551615.tmp",
      ".clce-write-check.5550123.tmp");
  /** Files a user put into the run directory, some of them close to the temporary names: all are kept. */
  static final List<String> A_USERS = List.of("notes.tmp", ".other.tmp", ".config.json.tmp", ".notes.txt.123.tmp",
      ".checkpoint-4.ckpt.9.tmp", ".final.json.9x.tmp", "config.json.3.tmp");

  /** The leftovers are gone, said so on the log; every file of the user's is there as it was. */
  static void assertLeftoversRemoved(Path dir, String log) throws IOException {
    for (String n : LEFT_BY_A_KILL) {
      assertFalse(Files.exists(dir.resolve(n)), n + " was not removed");
    }
    for (String n : A_USERS) {
      assertEquals("mine", Files.readString(dir.resolve(n)), n);
    }
    assertTrue(log.contains("removed " + LEFT_BY_A_KILL.size() + " temporary files left by an interrupted run in " + dir
        + ": " + String.join(", ", LEFT_BY_A_KILL.stream().sorted().toList())), log);
  }

  @Test
  void aFreshStartRemovesTheLeftoversOfAKilledFirstWriteButARefusedOneTouchesNothing(@TempDir Path tmp)
      throws IOException {
    Path dir = tmp.resolve("run");
    Files.createDirectories(dir);
    for (String n : LEFT_BY_A_KILL) {
      Files.writeString(dir.resolve(n), "half a write");
    }
    for (String n : A_USERS) {
      Files.writeString(dir.resolve(n), "mine");
    }
    java.io.ByteArrayOutputStream logged = new java.io.ByteArrayOutputStream();
    TrainConfig c = tiny(LossKind.CE, 2);
    Trainer.create(c, dir, false, new PrintStream(logged, true, java.nio.charset.StandardCharsets.UTF_8));
    assertLeftoversRemoved(dir, logged.toString(java.nio.charset.StandardCharsets.UTF_8));
    // The directory now holds a run: another fresh start is refused and removes nothing.
    Path stray = Files.writeString(dir.resolve(".config.json.99.tmp"), "half a write");
    assertThrows(IllegalArgumentException.class, () -> Trainer.create(c, dir, false, QUIET));
    assertTrue(Files.exists(stray));
  }

  @Test
  void damagedCheckpointsAreRefused(@TempDir Path tmp) throws IOException {
    TrainConfig c = tiny(LossKind.SUPCON, 4).withRun(RunPolicy.DEFAULT.withCheckpointEvery(2).withKeepCheckpoints(5));
    Path dir = tmp.resolve("run");
    Trainer.create(c, dir, false, QUIET).run(3);
    Path ckpt = Checkpoint.newest(dir).orElseThrow();
    byte[] good = Files.readAllBytes(ckpt);
    Checkpoint.read(ckpt).release();

    // A flipped byte in the middle: bad checksum.
    byte[] flipped = good.clone();
    flipped[flipped.length / 2] ^= 0x10;
    Files.write(ckpt, flipped);
    CheckpointException e = assertThrows(CheckpointException.class, () -> Trainer.create(c, dir, true, QUIET));
    assertTrue(e.getMessage().startsWith("checkpoint: ") && e.getMessage().contains("SHA-256 mismatch"), e.getMessage());

    // Truncated.
    Files.write(ckpt, java.util.Arrays.copyOf(good, good.length - 100));
    e = assertThrows(CheckpointException.class, () -> Trainer.create(c, dir, true, QUIET));
    assertTrue(e.getMessage().contains("damaged") || e.getMessage().contains("truncated"), e.getMessage());
    Files.write(ckpt, java.util.Arrays.copyOf(good, 20));
    e = assertThrows(CheckpointException.class, () -> Checkpoint.read(ckpt));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());

    // Intact file, another configuration.
    Files.write(ckpt, good, StandardOpenOption.TRUNCATE_EXISTING);
    TrainConfig other = c.withOptimizer(c.optimizer().withLr(0.02));
    e = assertThrows(CheckpointException.class, () -> Trainer.create(other, dir, true, QUIET));
    assertTrue(e.getMessage().contains("lr: 0.01 vs 0.02"), e.getMessage());

    // A fresh run into the same directory is refused too; the intact checkpoint still resumes.
    IllegalArgumentException fresh = assertThrows(IllegalArgumentException.class, () -> Trainer.create(c, dir, false, QUIET));
    assertTrue(fresh.getMessage().startsWith("out: "), fresh.getMessage());
    assertEquals(2, Trainer.create(c, dir, true, QUIET).step());
  }
}

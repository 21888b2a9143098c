package dev.clce.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clce.bench.cli.ClceCli;
import dev.clce.bench.data.DataSpec;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.Stem;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A run directory written by clce at 051f51b, before the configuration had parts (the fixture's
 * README has the command and what that code printed), still evaluates and resumes.
 */
class LegacyRunTest {
  /** Relative to the module, as the fixture's configuration records its data. */
  private static final Path FIXTURE = Path.of("src/test/resources/legacy-run-051f51b");
  private static final Path RUN = FIXTURE.resolve("run");
  /**
   * weights_sha256 after 2 steps when the old run's step-1 checkpoint is resumed by today's code
   * (one ND4J thread). The code at 051f51b printed bf0280fb... (its README). Since BatchNorm layers
   * are wired to the batch statistics directly ({@code FusedBatchNorm.useBatchStatistics}) rather
   * than mixing them with the running ones as {@code rm + t (bm - rm)} with {@code t = 1}, which in
   * float32 is not exactly {@code bm}, the step-2 gradient differs in its last bits and so does this
   * hash; {@link #anOldRunResumesToTheSameWeights} checks that the weights are still the old code's
   * within float32 rounding, tensor by tensor.
   */
  private static final String SHA_AT_STEP_2 = "c9c349877f0d124e4e6b70d35ff43c15d77489bca8cc4aaf2e4c85bf7555e75b";
  /**
   * How far a resumed step-2 tensor may be from the old code's, as a fraction of how far that tensor
   * moved in the old code's step 2. Float32 rounding differences in the gradient measured up to 2e-6
   * of the step in the optimizer state and up to 9e-4 in the weights (Adam's normalised step
   * amplifies them where a gradient is near zero); a wrong statistic or a lost gradient path moves
   * a tensor by a whole step.
   */
  private static final double ROUNDING_OF_A_STEP = 2e-3;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The configuration the fixture's command line asked for, resolved as that run recorded it. */
  private static TrainConfig expected() {
    return new TrainConfig(
        new DataConfig(DataSpec.parse("fashion-mnist:" + FIXTURE.resolve("data")), List.of(0, 1, 2, 3, 4), 4, 0, 12, 1,
            List.of(0.2914450780312125), List.of(0.30319650023285877), Sampler.SHUFFLE, 0.2),
        Arch.RESNET18, ModelOptions.builder().optStem(Stem.SMALL).optWidth(0.0625).optMaxBlocksPerStage(1).build(),
        LossConfig.builder(LossKind.CLCE).build(), new OptimizerConfig(OptimizerKind.ADAM, 0.002, 0.9, 1e-4, 0),
        Budget.ofSteps(8, 2), 3, new RunPolicy(1, 2, 1, 10, 256));
  }

  @Test
  void flatConfigurationsReadAsParts() throws IOException {
    TrainConfig fromConfigJson = TrainJson.config(JSON.readTree(RUN.resolve(TrainNames.CONFIG_JSON).toFile()));
    assertNull(expected().firstDifference(fromConfigJson));
    assertEquals(expected(), fromConfigJson);
    Checkpoint ck = Checkpoint.read(RUN.resolve("checkpoint-000000001.ckpt"));
    try {
      assertEquals(expected(), ck.config());
    } finally {
      ck.release();
    }
    // A flat configuration missing a key is refused, naming it.
    ObjectNode broken = (ObjectNode) JSON.readTree(RUN.resolve(TrainNames.CONFIG_JSON).toFile());
    broken.remove("crop_scale_min");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainJson.config(broken));
    assertTrue(e.getMessage().startsWith("config: ") && e.getMessage().contains("crop_scale_min"), e.getMessage());
  }

  @Test
  void oldCheckpointsEvaluateAsTheyDidThen() throws IOException {
    JsonNode last = eval(RUN);
    assertEquals(2, last.get("step").asLong());
    assertEquals(0.1, last.get("test_top1").asDouble(), 0.0);
    assertEquals(1.0, last.get("nearest_centroid_top1").asDouble(), 0.0);
    JsonNode first = eval(RUN.resolve("checkpoint-000000001.ckpt"));
    assertEquals(1, first.get("step").asLong());
    assertEquals(0.2, first.get("test_top1").asDouble(), 0.0);
    assertEquals(1.0, first.get("nearest_centroid_top1").asDouble(), 0.0);
  }

  @Test
  void anOldRunResumesToTheSameWeights(@TempDir Path tmp) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("run"));
    try (Stream<Path> s = Files.list(RUN)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (!n.equals("checkpoint-000000002.ckpt") && !n.equals(TrainNames.FINAL_JSON)) {
          Files.copy(p, dir.resolve(n));
        }
      }
    }
    int threads = SyntheticFashion.singleThreaded();
    try {
      Trainer t = Trainer.create(expected(), dir, true, null);
      assertEquals(1, t.step());
      TrainResult r = t.run();
      assertTrue(r.finished());
      assertEquals(SHA_AT_STEP_2, r.weightsSha256());
      assertSameTensorsAsTheOldCode(dir.resolve("checkpoint-000000002.ckpt"));
      // final.json is the new form, read back as the record.
      assertEquals(r.weightsSha256(), TrainJson.read(dir.resolve(TrainNames.FINAL_JSON), TrainResult.class).weightsSha256());
    } finally {
      org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
    }
  }

  /** Each tensor (weights, BatchNorm statistics, optimizer state) against the old code's step 2. */
  private static void assertSameTensorsAsTheOldCode(Path resumed) {
    Checkpoint before = Checkpoint.read(RUN.resolve("checkpoint-000000001.ckpt"));
    Checkpoint old = Checkpoint.read(RUN.resolve("checkpoint-000000002.ckpt"));
    Checkpoint now = Checkpoint.read(resumed);
    try {
      assertEquals(old.tensors().keySet(), now.tensors().keySet());
      for (Map.Entry<String, INDArray> e : old.tensors().entrySet()) {
        INDArray o = e.getValue().castTo(DataType.DOUBLE);
        double moved = o.sub(before.tensors().get(e.getKey()).castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        double off = now.tensors().get(e.getKey()).castTo(DataType.DOUBLE).sub(o).amaxNumber().doubleValue();
        assertTrue(off <= ROUNDING_OF_A_STEP * moved, e.getKey() + ": " + off + " from the old code's step 2, which moved it by " + moved);
      }
    } finally {
      before.release();
      old.release();
      now.release();
    }
  }

  private static JsonNode eval(Path checkpoint) throws IOException {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ClceCli.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true))
        .execute("eval", "--checkpoint", checkpoint.toString(), "--json");
    assertEquals(0, code, err.toString());
    return JSON.readTree(out.toString());
  }
}

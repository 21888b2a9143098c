package dev.clce.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clce.bench.data.DataSpec;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.testing.FuzzedFiles;
import dev.clce.models.Arch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training run's readers under Jazzer (docs/FUZZING.md): checkpoints ({@link Checkpoint#read} and
 * the configuration in them) and the run's JSON records ({@code config.json}, {@code final.json}).
 * Without {@code JAZZER_FUZZ} each fuzz test replays its committed inputs under
 * {@code ReaderFuzzTestInputs/<method>}; {@code scripts/fuzz.sh <method> SECONDS} fuzzes one.
 */
class ReaderFuzzTest {

  private static final int DIGEST_BYTES = 32;

  @TempDir Path tmp;

  /** The bytes as a checkpoint file: the checksum refuses almost every input, so this tests the framing. */
  @FuzzTest(maxDuration = "5m")
  void checkpoint(byte[] data) {
    FuzzedFiles.loadsOrRefuses(data, Checkpoint.PREFIX + "000000001" + Checkpoint.SUFFIX,
        CheckpointException.class, ReaderFuzzTest::readCheckpoint);
  }

  /**
   * The bytes followed by their own SHA-256: the checksum passes, and the fuzzer reaches the header,
   * the tensor table and the configuration behind it.
   */
  @FuzzTest(maxDuration = "5m")
  void checkpointDigested(byte[] data) {
    byte[] withDigest = Arrays.copyOf(data, data.length + DIGEST_BYTES);
    System.arraycopy(sha256(data), 0, withDigest, data.length, DIGEST_BYTES);
    FuzzedFiles.loadsOrRefuses(withDigest, Checkpoint.PREFIX + "000000001" + Checkpoint.SUFFIX,
        CheckpointException.class, ReaderFuzzTest::readCheckpoint);
  }

  /** The bytes as a run's config.json and as its final.json. */
  @FuzzTest(maxDuration = "5m")
  void trainJson(byte[] data) {
    FuzzedFiles.loadsOrRefuses(data, TrainNames.CONFIG_JSON, IllegalArgumentException.class,
        file -> assertNotNull(TrainJson.read(file, TrainConfig.class)));
    FuzzedFiles.loadsOrRefuses(data, TrainNames.FINAL_JSON, IllegalArgumentException.class,
        file -> assertNotNull(TrainJson.read(file, TrainResult.class)));
  }

  private static void readCheckpoint(Path file) {
    Checkpoint c = Checkpoint.read(file);
    try {
      c.config();
      for (INDArray a : c.tensors().values()) {
        assertEquals(true, a.length() >= 0);
      }
    } finally {
      c.release();
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The seeds are Checkpoint's and TrainJson's output (committed, checked here) and each of them loads. */
  @Test
  void seedsAreWriterOutputAndLoad() throws IOException {
    TrainConfig config = TrainConfig.of(DataConfig.of(DataSpec.parse("fashion-mnist:/data/fm")), Arch.RESNET18,
        LossConfig.builder(LossKind.CLCE).build(), Budget.ofSteps(8, 3)).withSeed(1);

    Path ckpt = tmp.resolve(Checkpoint.PREFIX + "000000003" + Checkpoint.SUFFIX);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put(Checkpoint.KEY_STEP, 3L);
    meta.put(Checkpoint.KEY_CONFIG, TrainJson.mapper().convertValue(config, Map.class));
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    tensors.put(Checkpoint.MODEL_GROUP + "w", Nd4j.createFromArray(new float[][] {{1, -2}, {0.5f, 3}}));
    tensors.put(Checkpoint.MODEL_GROUP + "n", Nd4j.scalar(DataType.LONG, 4L));
    tensors.put(Checkpoint.OPTIMIZER_GROUP + "w", Nd4j.createFromArray(0.25, -0.5, 1.0, 2.0));
    tensors.put(Checkpoint.OPTIMIZER_GROUP + "i", Nd4j.createFromArray(1, 2, 3));
    Checkpoint.write(ckpt, meta, tensors);
    byte[] file = Files.readAllBytes(ckpt);
    readCheckpoint(ckpt);
    FuzzedFiles.seeds(ReaderFuzzTest.class, "checkpoint", Map.of("seed-checkpoint.ckpt", file), true);
    FuzzedFiles.seeds(ReaderFuzzTest.class, "checkpointDigested",
        Map.of("seed-checkpoint-without-digest", Arrays.copyOf(file, file.length - DIGEST_BYTES)), true);

    Path configJson = tmp.resolve(TrainNames.CONFIG_JSON);
    TrainJson.write(configJson, config);
    assertEquals(config, TrainJson.read(configJson, TrainConfig.class));
    Path finalJson = tmp.resolve(TrainNames.FINAL_JSON);
    TrainResult result = new TrainResult(true, 3, 0.5, 1, 0.75, 0.5, 20, "00ff", 1.25, 48, 10,
        ckpt.getFileName().toString(), null, config, "0.1.0", "linux-x86_64");
    TrainJson.write(finalJson, result);
    assertEquals(result, TrainJson.read(finalJson, TrainResult.class));
    Map<String, byte[]> json = new LinkedHashMap<>();
    json.put("seed-config.json", Files.readAllBytes(configJson));
    json.put("seed-final.json", Files.readAllBytes(finalJson));
    FuzzedFiles.seeds(ReaderFuzzTest.class, "trainJson", json, true);
  }
}

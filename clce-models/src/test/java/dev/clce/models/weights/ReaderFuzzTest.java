package dev.clce.models.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clce.core.testing.FuzzedFiles;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.Stem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * clce-models' file readers under Jazzer (docs/FUZZING.md): safetensors (header alone, and header with
 * data) and SameDiff model checkpoints. Without {@code JAZZER_FUZZ} each fuzz test replays its
 * committed inputs under {@code ReaderFuzzTestInputs/<method>} (seeds written by the project's writers,
 * and every input that once found a bug); {@code scripts/fuzz.sh <method> SECONDS} fuzzes one.
 */
class ReaderFuzzTest {

  @TempDir Path tmp;

  /** A safetensors header loads, consistent with the file's size, or is refused naming the file. */
  @FuzzTest(maxDuration = "5m")
  void safetensorsHeader(byte[] data) {
    FuzzedFiles.loadsOrRefuses(data, "input.safetensors", IllegalArgumentException.class,
        ReaderFuzzTest::readHeader);
  }

  /** A whole safetensors file loads, every tensor of its declared shape, or is refused naming the file. */
  @FuzzTest(maxDuration = "5m")
  void safetensorsData(byte[] data) {
    FuzzedFiles.loadsOrRefuses(data, "input.safetensors", IllegalArgumentException.class,
        ReaderFuzzTest::readAll);
  }

  /** A SameDiff model file loads or is refused naming the file. */
  @FuzzTest(maxDuration = "5m")
  void modelCheckpoint(byte[] data) {
    FuzzedFiles.loadsOrRefuses(data, "input.sd", IllegalArgumentException.class,
        file -> ModelCheckpoint.load(file, false));
  }

  private static void readHeader(Path file) throws IOException {
    SafetensorsHeader h = Safetensors.readHeader(file);
    assertEquals(Files.size(file), h.fileSize());
    for (SafetensorsTensorInfo t : h.tensors().values()) {
      assertEquals(t.length() * t.dtype().bytes(), t.end() - t.begin(), t.name());
      assertEquals(true, h.dataStart() + t.end() <= h.fileSize(), t.name());
    }
  }

  private static void readAll(Path file) {
    SafetensorsHeader h = Safetensors.readHeader(file);
    Map<String, INDArray> all = Safetensors.read(h, h.tensors().keySet());
    for (Map.Entry<String, INDArray> e : all.entrySet()) {
      SafetensorsTensorInfo t = h.tensors().get(e.getKey());
      assertArrayEquals(t.shape(), e.getValue().shape(), e.getKey());
      assertEquals(t.dtype().readAs(), e.getValue().dataType(), e.getKey());
      e.getValue().close();
    }
  }

  /** The seeds are the writers' output (committed, checked here) and each of them loads. */
  @Test
  void seedsAreWriterOutputAndLoad() throws IOException {
    Map<String, byte[]> st = safetensorsSeeds();
    FuzzedFiles.seeds(ReaderFuzzTest.class, "safetensorsHeader", st, true);
    FuzzedFiles.seeds(ReaderFuzzTest.class, "safetensorsData", st, true);
    for (Map.Entry<String, byte[]> e : st.entrySet()) {
      Path f = tmp.resolve(e.getKey());
      Files.write(f, e.getValue());
      readHeader(f);
      readAll(f);
    }
    // SameDiff's file holds the randomly initialised weights: its bytes are not compared.
    Map<String, byte[]> sd = modelSeeds();
    FuzzedFiles.seeds(ReaderFuzzTest.class, "modelCheckpoint", sd, false);
    for (Map.Entry<String, byte[]> e : sd.entrySet()) {
      Path f = tmp.resolve(e.getKey());
      Files.write(f, e.getValue());
      SameDiff loaded = ModelCheckpoint.load(f, false);
      assertEquals(true, loaded.variables().size() > 0, e.getKey());
    }
  }

  /** Every dtype, a scalar, an empty tensor, metadata, and a file with no tensors. */
  private Map<String, byte[]> safetensorsSeeds() throws IOException {
    Map<String, byte[]> s = new LinkedHashMap<>();
    Map<String, INDArray> t = new LinkedHashMap<>();
    t.put("w", Nd4j.createFromArray(new float[][] {{1, -2}, {3, 0.5f}}));
    t.put("b", Nd4j.createFromArray(0.25, -1.0));
    t.put("h", Nd4j.createFromArray(1f, -2f).castTo(DataType.HALF));
    t.put("bf", Nd4j.createFromArray(1f, 3f).castTo(DataType.BFLOAT16));
    t.put("n", Nd4j.scalar(DataType.LONG, 7L));
    t.put("i", Nd4j.createFromArray(1, -1, 2));
    t.put("e", Nd4j.create(DataType.FLOAT, 0, 2));
    s.put("seed-all-dtypes.safetensors", written(t, Map.of("format", "pt")));
    s.put("seed-one-tensor.safetensors", written(Map.of("x", Nd4j.createFromArray(5f)), null));
    s.put("seed-empty.safetensors", written(Map.of(), null));
    return s;
  }

  private byte[] written(Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
    Path f = tmp.resolve("seed.safetensors");
    Safetensors.write(f, tensors, metadata);
    byte[] b = Files.readAllBytes(f);
    Files.delete(f);
    return b;
  }

  /** The smallest ResNet-18 the options allow, saved by ModelCheckpoint. */
  private Map<String, byte[]> modelSeeds() throws IOException {
    ModelOptions o = ModelOptions.builder().optClasses(2).optImageSize(8).optWidth(1.0 / 64)
        .optMaxBlocksPerStage(1).optStem(Stem.SMALL).optSeed(1).build();
    Path f = tmp.resolve("seed.sd");
    ModelCheckpoint.save(Arch.RESNET18.spec(o).build(), f, false);
    byte[] b = Files.readAllBytes(f);
    Files.delete(f);
    return Map.of("seed-resnet18-tiny.sd", b);
  }
}

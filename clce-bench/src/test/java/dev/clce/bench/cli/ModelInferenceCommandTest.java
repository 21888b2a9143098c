package dev.clce.bench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.core.internal.Npy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code clce model --weights --input --out --features}: eval-mode inference on the reduced
 * torchvision ResNet-18 fixture of clce-models ({@code make_model_fixtures.py}: widths 8-64,
 * 10 classes, 32 px) matches PyTorch's logits and embeddings to 1e-4 relative; bad arguments exit
 * with code 2 and write nothing.
 */
class ModelInferenceCommandTest {
  /** The fixtures of clce-models (tests run in the clce-bench module directory). */
  private static final Path FIXTURES = Path.of("..", "clce-models", "src", "test", "resources", "fixtures", "models");
  private static final Path WEIGHTS = FIXTURES.resolve("resnet18_tiny.safetensors");
  private static final Path INPUT = FIXTURES.resolve("resnet18_tiny_input.npy");
  private static final String[] ARCH = {"model", "--arch", "resnet18", "--width", "0.125", "--num-classes", "10",
      "--image-size", "32", "--stem", "imagenet"};

  @TempDir Path dir;

  private record Result(int code, String out, String err) {
  }

  private static Result run(String... extra) {
    List<String> args = new ArrayList<>(List.of(ARCH));
    args.addAll(List.of(extra));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ClceCli.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args.toArray(new String[0]));
    return new Result(code, out.toString(), err.toString());
  }

  private static void assertClose(String what, INDArray expected, INDArray actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what);
    double scale = expected.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
    double err = actual.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    assertTrue(err <= 1e-4 * scale, what + ": max|diff| " + err + " vs max|ref| " + scale);
  }

  private void assertNothingWritten() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(0, s.count(), "nothing written");
    }
  }

  @Test
  void writesPyTorchsLogitsAndEmbeddings() throws Exception {
    assertTrue(Files.isRegularFile(WEIGHTS), "fixture missing: " + WEIGHTS.toAbsolutePath());
    Path logits = dir.resolve("logits.npy");
    Path features = dir.resolve("features.npy");
    Result r = run("--weights", WEIGHTS.toString(), "--input", INPUT.toString(), "--out", logits.toString(),
        "--features", features.toString(), "--batch-size", "1", "--json");
    assertEquals(0, r.code(), r.err());
    INDArray l = Npy.read(logits);
    assertEquals(DataType.FLOAT, l.dataType());
    assertClose("logits", Npy.read(FIXTURES.resolve("resnet18_tiny_logits.npy")), l);
    assertClose("embedding", Npy.read(FIXTURES.resolve("resnet18_tiny_embedding.npy")), Npy.read(features));
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals("resnet18", j.get("arch").asText());
    assertEquals(2, j.get("inference").get("examples").asInt());
    assertEquals(logits.toString(), j.get("inference").get("logits").asText());
  }

  @Test
  void weightsOfAnotherModelAreRefusedBeforeAnythingIsWritten() throws Exception {
    Result r = run("--weights", FIXTURES.resolve("vit_tiny.safetensors").toString(), "--input", INPUT.toString(),
        "--out", dir.resolve("l.npy").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: --weights: file: "), r.err());
    assertTrue(r.err().contains("does not fit the model") && r.err().contains("missing 'conv1.weight'"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertNothingWritten();
  }

  @Test
  void anInputOfTheWrongShapeIsRefused() throws Exception {
    Result r = run("--weights", WEIGHTS.toString(), "--input", FIXTURES.resolve("resnet50_tiny_input.npy").toString(),
        "--out", dir.resolve("l.npy").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: --input: must be a floating [N, 3, 32, 32] batch"), r.err());
    assertTrue(r.err().contains("[3, 3, 16, 16]"), r.err());
    assertNothingWritten();
  }

  @Test
  void incompleteOrClashingArgumentsAreRefused() throws Exception {
    Result r = run("--weights", WEIGHTS.toString(), "--input", INPUT.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --out: required"), r.err());
    r = run("--out", dir.resolve("l.npy").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --weights: required"), r.err());
    r = run("--weights", WEIGHTS.toString(), "--input", dir.resolve("missing.npy").toString(),
        "--out", dir.resolve("l.npy").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --input: "), r.err());
    r = run("--weights", WEIGHTS.toString(), "--input", INPUT.toString(), "--out", dir.resolve("no/such/l.npy").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --out: directory does not exist"), r.err());
    r = run("--weights", WEIGHTS.toString(), "--input", INPUT.toString(), "--out", dir.resolve("l.npy").toString(),
        "--features", dir.resolve("l.npy").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --features: must differ from --out"), r.err());
    r = run("--weights", WEIGHTS.toString(), "--input", INPUT.toString(), "--out", dir.resolve("l.npy").toString(),
        "--batch-size", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --batch-size: must be >= 1, got 0"), r.err());
    assertFalse(Files.exists(dir.resolve("l.npy")));
    assertNothingWritten();
  }
}

package dev.clce.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.bench.data.FashionMnist;
import dev.clce.bench.data.TestDataFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./clce data}: summary, JSON, and exit code 2 with a clear line for missing or bad data. */
class DataCommandTest {

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ClceCli.newCommandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void summarisesSmallFashionMnist() throws IOException {
    TestDataFiles.writeFashionMnist(dir, true);
    Result r = run("data", "--data", "fashion-mnist:" + dir, "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals("fashion-mnist", j.get("kind").asText());
    assertEquals(28, j.get("height").asInt());
    assertEquals(1, j.get("channels").asInt());
    assertEquals(10, j.get("classes").size());
    assertEquals(5, j.get("splits").get("train").get("images").asInt());
    assertEquals(2, j.get("splits").get("train").get("per_class").get(3).asInt());
    assertEquals(3, j.get("splits").get("test").get("images").asInt());

    Result text = run("data", "--data", "fashion-mnist:" + dir);
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("train    5 images; per class: 1 0 0 2 0 0 0 1 0 1"), text.out());
    assertTrue(text.out().contains("9 Ankle boot"), text.out());
  }

  @Test
  void summarisesASubset() throws IOException {
    TestDataFiles.writeFashionMnist(dir, false);
    Result r = run("data", "--data", "fashion-mnist:" + dir, "--classes", "3,9", "--max-per-class", "1", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals("[\"Dress\",\"Ankle boot\"]", j.get("classes").toString());
    assertEquals("[3,9]", j.get("source_classes").toString());
    // train labels 9 0 3 3 7: one Dress and the Ankle boot
    assertEquals("[1,1]", j.get("splits").get("train").get("per_class").toString());
    // test labels 1 2 9: no Dress, one Ankle boot
    assertEquals("[0,1]", j.get("splits").get("test").get("per_class").toString());
    Result bad = run("data", "--data", "fashion-mnist:" + dir, "--classes", "3,10");
    assertEquals(2, bad.code());
    assertTrue(bad.err().startsWith("error: classes: class 10 is outside [0, 10)"), bad.err());
  }

  @Test
  void missingFashionMnistSaysHowToGetIt() {
    Result r = run("data", "--data", "fashion-mnist:" + dir.resolve("absent"));
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: data: Fashion-MNIST not found in "), r.err());
    assertTrue(r.err().contains("apt-get install dataset-fashion-mnist"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void damagedFileIsNamed() throws IOException {
    TestDataFiles.writeFashionMnist(dir, false);
    Files.write(dir.resolve(FashionMnist.TEST_LABELS), new byte[] {0, 0, 8, 1, 0, 0, 0, 3, 1, 2});
    Result r = run("data", "--data", "fashion-mnist:" + dir);
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: data: " + dir.resolve(FashionMnist.TEST_LABELS)), r.err());
    assertTrue(r.err().contains("truncated"), r.err());
  }

  @Test
  void unknownKindIsRefused() {
    Result r = run("data", "--data", "imagenet:/x");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: data: unknown dataset 'imagenet'"), r.err());
  }

  @Test
  void realFashionMnist() throws IOException {
    assumeTrue(FashionMnist.isPresent(FashionMnist.DEFAULT_DIR),
        "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    Result r = run("data", "--data", "fashion-mnist", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(60_000, j.get("splits").get("train").get("images").asInt());
    assertEquals(10_000, j.get("splits").get("test").get("images").asInt());
  }
}

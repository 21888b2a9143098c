package dev.clce.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code clce model}: JSON summaries against torchvision's parameter counts (computed with
 * torchvision 0.14, e.g. {@code resnet18(num_classes=10)} with a 3x3/1 {@code conv1} and no max-pool
 * is 11,173,962) and exit code 2 for bad arguments.
 */
class ModelCommandTest {

  private record Result(int code, String out, String err) {
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ClceCli.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @CsvSource({
      "resnet50, 1000, 224, 3, imagenet, 25557032",
      "resnet18, 10, 32, 3, small, 11173962",
      "resnet50, 100, 224, 1, imagenet, 23706660",
      "vit_b_16, 10, 32, 3, imagenet, 85658890",
      "vit_l_16, 1000, 224, 3, imagenet, 304326632",
  })
  void jsonSummaryCountsLikeTorchvision(String arch, int classes, int image, int channels, String stem, long expected) throws Exception {
    Result r = run("model", "--arch", arch, "--num-classes", "" + classes, "--image-size", "" + image, "--channels", "" + channels,
        "--stem", stem, "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(arch, j.get("arch").asText());
    assertEquals(expected, j.get("parameters").asLong());
  }

  @Test
  void plainSummaryNamesTheArchitecture() {
    Result r = run("model", "--arch", "resnet101");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("resnet101") && r.out().contains("44,549,160"), r.out());
  }

  @ParameterizedTest
  @CsvSource({
      "--arch, resnet99, arch",
      "--num-classes, 0, classes",
      "--image-size, -3, imageSize",
      "--width, 0, width",
      "--stem, tiny, stem",
      "--norm-kernel, fast, normKernel",
  })
  void badArgumentsExitWithTwo(String option, String value, String named) {
    String[] args = option.equals("--arch") ? new String[] {"model", option, value} : new String[] {"model", "--arch", "resnet18", option, value};
    Result r = run(args);
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("error: " + named + ":"), r.err());
  }

  @Test
  void vitRefusesTheSmallStemAndOddImageSizes() {
    assertEquals(2, run("model", "--arch", "vit_b_16", "--stem", "small").code());
    Result r = run("model", "--arch", "vit_b_16", "--image-size", "100");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: imageSize:"), r.err());
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertEquals(2, run("model").code());
    assertEquals(2, run("model", "--arch", "resnet18", "--num-classes", "many").code());
  }
}

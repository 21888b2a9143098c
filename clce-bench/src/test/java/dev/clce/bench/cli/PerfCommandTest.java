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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code clce perf}: the JSON it promises on tiny configurations (a real training step that lowers
 * the loss, a profile, the loss alone in both forms) and exit code 2 with the option's name for bad
 * input.
 */
class PerfCommandTest {

  private record Result(int code, String out, String err) {
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ClceCli.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void tinyResNetStepsTrainAndReportJsonWithProfile() throws Exception {
    String[] model = {"--arch", "resnet18", "--width", "0.0625", "--image-size", "8", "--stem", "small", "--num-classes", "10"};
    Result r = run(concat(new String[] {"perf", "--batch", "4", "--steps", "3", "--warmup", "1", "--loss", "clce", "--json",
        "--profile", "5"}, model));
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals("train", j.get("mode").asText());
    assertTrue(j.get("median_step_s").asDouble() > 0, r.out());
    assertTrue(j.get("peak_rss_mb").asDouble() > 0, r.out());
    assertEquals(3, j.get("step_s").size());
    assertEquals(3, j.get("rss_after_step_mb").size());
    assertEquals(4 / j.get("median_step_s").asDouble(), j.get("images_per_s").asDouble(), 1e-9);
    // four Adam steps (warm-up included) on one batch lower the loss
    assertTrue(j.get("loss_after").asDouble() < j.get("loss_before").asDouble(), r.out());
    assertTrue(j.get("profile").size() > 0 && j.get("profile").size() <= 5, r.out());
    assertTrue(j.get("profile_op_count").asLong() > 100, r.out());
    // the always-on counter sees the same timed steps as the profile
    assertEquals(j.get("profile_op_count").asDouble(), j.get("ops_per_step").asDouble(), 0.0, r.out());
    // the same trainable parameter count as `clce model` reports for these options
    Result m = run(concat(new String[] {"model", "--json"}, model));
    assertEquals(new ObjectMapper().readTree(m.out()).get("parameters").asLong(), j.get("trainable_parameters").asLong());
  }

  @Test
  void tinyViTTrainsAtBatchTwo() throws Exception {
    // batch 2 broke the ViT gradient in M2.1 (strided_slice_bp of the q/k/v activation split)
    Result r = run("perf", "--arch", "vit_ti_16", "--image-size", "32", "--width", "0.0625", "--num-classes", "10", "--batch", "2",
        "--steps", "1", "--warmup", "1", "--loss", "clce", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertTrue(j.get("loss_after").asDouble() < j.get("loss_before").asDouble(), r.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"samediff", "eager"})
  void lossOnlyReportsBothForms(String form) throws Exception {
    Result r = run("perf", "--loss-only", "--loss", "clce", "--m", "8", "--d", "4", "--steps", "2", "--warmup", "1",
        "--form", form, "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals("loss-only", j.get("mode").asText());
    assertEquals(form, j.get("form").asText());
    assertEquals(8, j.get("M").asInt());
    assertTrue(j.get("median_step_s").asDouble() > 0 && j.get("peak_rss_mb").asDouble() > 0, r.out());
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "perf --loss-only --steps 0; --steps",
      "perf --loss-only --warmup -1; --warmup",
      "perf --arch resnet18 --batch 3; --batch",
      "perf --batch 2; --arch",
      "perf --arch resnet99; arch",
      "perf --loss-only --form bogus; --form",
      "perf --loss-only --m 3; m:",
      "perf --loss-only --d 0; d:",
      "perf --loss-only --profile 0; --profile",
      "perf --loss-only --form eager --profile 3; --profile",
      "perf --arch resnet18 --batch 4 --chunk 0; '--chunk: must be in [1, --batch = 4] images, got 0'",
      "perf --arch resnet18 --batch 4 --chunk 6; '--chunk: must be in [1, --batch = 4] images, got 6'",
      "perf --arch resnet18 --batch 4 --chunk 3; '--chunk: must be even'",
      "perf --arch resnet18 --batch 4 --chunk 1; '--chunk: must be even'",
      "perf --loss-only --chunk 2; '--chunk: times a training step'",
      "perf --loss-only --trainer-step; '--trainer-step: times a training step'",
      "perf --arch resnet18 --batch 4 --chunk 2 --profile 3; '--profile: only for the sd.fit step'",
  })
  void badInputExitsTwoNamingTheOption(String line, String name) {
    Result r = run(line.split(" "));
    assertEquals(ClceCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("error: ") && r.err().contains(name), r.err());
  }

  /**
   * The trainer's step, plain and in chunks, on a tiny ViT (LayerNorm only, so chunks change nothing):
   * the first step's loss is the same both ways (the same weights and batch), training lowers it, and
   * the JSON names the step, the chunk and the time per image.
   */
  @Test
  void trainerStepPlainAndChunkedReportTheSameFirstLoss() throws Exception {
    String[] model = {"perf", "--arch", "vit_ti_16", "--image-size", "32", "--width", "0.0625", "--num-classes", "10",
        "--batch", "6", "--steps", "2", "--warmup", "1", "--loss", "clce", "--json"};
    Result plain = run(concat(model, new String[] {"--trainer-step"}));
    Result chunked = run(concat(model, new String[] {"--chunk", "4"}));
    assertEquals(0, plain.code(), plain.err());
    assertEquals(0, chunked.code(), chunked.err());
    JsonNode p = new ObjectMapper().readTree(plain.out());
    JsonNode c = new ObjectMapper().readTree(chunked.out());
    assertEquals("trainer", p.get("step").asText());
    assertEquals(0, p.get("chunk").asInt());
    assertEquals(4, c.get("chunk").asInt());
    double first = p.get("loss_first_step").asDouble();
    assertEquals(first, c.get("loss_first_step").asDouble(), 1e-5 * Math.abs(first), chunked.out());
    assertTrue(c.get("loss_last_step").asDouble() < c.get("loss_first_step").asDouble(), chunked.out());
    assertTrue(p.get("loss_last_step").asDouble() < first, plain.out());
    assertEquals(c.get("median_step_s").asDouble() / 6, c.get("s_per_image").asDouble(), 1e-12);
    double peak = c.get("peak_rss_mb").asDouble();
    double timed = c.get("timed_peak_rss_mb").asDouble();
    assertTrue(timed > 0 && timed <= peak && c.get("rss_start_mb").asDouble() > 0, chunked.out());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}

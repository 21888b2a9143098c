package dev.clce.bench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.bench.cli.ClceCli;
import dev.clce.bench.data.DataSpec;
import dev.clce.bench.train.SyntheticFashion;
import dev.clce.bench.train.TrainNames;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole {@code ./clce bench --tiny} on a small synthetic Fashion-MNIST-format dataset. */
class BenchEndToEndTest {
  /** Runs the interrupted bench trains before it stops (after the pretraining). */
  private static final int STOP_AFTER = 5;

  private static int run(StringWriter out, StringWriter err, String... args) {
    return ClceCli.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
  }

  @Test
  void tinyBenchWritesEverySection(@TempDir Path tmp) throws Exception {
    Path data = SyntheticFashion.write(tmp.resolve("data"), 10, 40, 20, 5);
    Path out = tmp.resolve("report");
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    // One ND4J thread: on a shared, oversubscribed machine each op otherwise waits for a second thread.
    int threads = SyntheticFashion.singleThreaded();
    int code;
    Path again = tmp.resolve("again");
    StringWriter eAgain = new StringWriter();
    int codeAgain;
    try {
      code = run(o, e, "bench", "--tiny", "--data", "fashion-mnist:" + data, "--out", out.toString());
      // The same bench again (seed 0 included: the pretraining's seed) gives the same numbers, also when it is
      // stopped after some runs, one run is left half-written (killed while training) and it is run again.
      BenchPreset preset = BenchPreset.tiny(DataSpec.parse("fashion-mnist:" + data));
      assertThrows(BenchRunner.Stopped.class, () -> new BenchRunner(preset, again, null).stopAfter(STOP_AFTER).run());
      Path half = Files.createDirectories(again.resolve(BenchRunner.RUNS_DIR)
          .resolve(new BenchPlan(preset).arms().get(1 + STOP_AFTER).key()));
      Files.writeString(half.resolve(TrainNames.CONFIG_JSON), "{");
      codeAgain = run(new StringWriter(), eAgain, "bench", "--tiny", "--data", "fashion-mnist:" + data, "--out",
          again.toString());
    } finally {
      org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
    }
    assertEquals(0, code, e.toString());
    assertEquals(0, codeAgain, eAgain.toString());
    assertEquals(STOP_AFTER, eAgain.toString().split("finished before", -1).length - 1, eAgain.toString());
    assertTrue(o.toString().contains("report: "), o.toString());
    assertEquals(withoutColumn(out.resolve("runs.csv"), "seconds"), withoutColumn(again.resolve("runs.csv"), "seconds"),
        "two runs of the same bench differ");
    String md = Files.readString(out.resolve(BenchReport.REPORT_MD));
    for (String h : List.of("## Configuration and provenance", "## 1. Batch size (Table 3)", "### From scratch",
        "## 2. Few-shot (Table 1)", "## 3. Lambda (Fig. 2)", "## 4. Ablation (Table 4)",
        "## 5. Embedding quality (Section 4.6)", "## 6. Verdict", "git_commit", "wall_time", "min/max")) {
      assertTrue(md.contains(h), "report lacks " + h);
    }
    // Every image the report names exists and is a PNG.
    Matcher m = Pattern.compile("\\]\\(([^)]+\\.png)\\)").matcher(md);
    int images = 0;
    while (m.find()) {
      BufferedImage img = ImageIO.read(out.resolve(m.group(1)).toFile());
      assertNotNull(img, m.group(1));
      images++;
    }
    // batch size x2, few-shot, lambda, ablation, cosine x2, t-SNE x2
    assertEquals(9, images, md);
    for (String csv : List.of("batch_size.csv", "batch_size_ttest.csv", "batch_size_scratch.csv", "fewshot.csv",
        "lambda.csv", "ablation.csv", "isotropy.csv", "cosine_histograms.csv", "tsne.csv", "verdict.csv", "runs.csv",
        "configuration.csv", "results.json")) {
      assertTrue(Files.size(out.resolve(csv)) > 0, csv);
    }
    // One row per run but the pretraining (cached separately), and every claim has a verdict.
    BenchPlan plan = new BenchPlan(BenchPreset.tiny(DataSpec.parse("fashion-mnist:" + data)));
    assertEquals(plan.arms().size() - 1 + 1, Files.readAllLines(out.resolve("runs.csv")).size());
    // Eight claims of sections 1, 4 and 5 (section 1's two batch trends added to the six before), and four of
    // Table 1 (CLCE against CE and CE+SupCon at 1 and 5 shots).
    List<String> verdicts = Files.readAllLines(out.resolve("verdict.csv"));
    assertEquals(1 + 12, verdicts.size(), String.join("\n", verdicts));
    for (String v : verdicts.subList(1, verdicts.size())) {
      assertTrue(v.contains(",held,") || v.contains(",did not hold,") || v.contains(",inconclusive,"), v);
    }
    // results.json holds every run and every table, as records that read back.
    BenchReport.ResultsJson json = BenchReport.readResults(out.resolve(BenchReport.RESULTS_JSON));
    assertEquals(plan.arms().size() - 1, json.runs().size());
    // Transfer: 3 losses x 2 batches and the chunk check's one-pass CLCE at batch 16 (was 3 x 2 without it);
    // from scratch: 3 x 2.
    assertEquals(3 * 2 + 1, json.tables().batchSize().size(), "3 losses x 2 batches + CLCE in one pass");
    assertEquals(3 * 2, json.tables().batchSizeScratch().size());
    // CLCE - CE and CLCE - SupCon at 2 batches, and CLCE in chunks against CLCE in one pass (was 2 x 2).
    assertEquals(2 * 2 + 1, json.tables().batchSizeTTests().size());
    assertEquals(2 * 2, json.tables().batchSizeScratchTTests().size());
    chunkCheckAndTrends(out, json, md);
    assertEquals(4 * 2, json.tables().fewShot().size(), "4 losses x 2 shots, one seed");
    assertEquals(3, json.tables().lambda().size());
    assertEquals(3, json.tables().ablation().size());
    assertEquals(2, json.tables().isotropy().size());
    assertEquals(12, json.tables().verdict().size());
    // Section 1 has six claims now (two batch trends after the four before), so Table 1's claims are 7 to 10.
    for (BenchReport.Claim c : json.tables().verdict().subList(6, 10)) {
      assertTrue(c.claim().contains("few-shot"), c.claim());
      // The tiny preset has one few-shot seed: no paired test, p not applicable, inconclusive.
      assertEquals(null, c.test(), c.claim());
      assertTrue(Double.isNaN(c.pHolm()), c.claim());
      assertEquals(BenchReport.Outcome.INCONCLUSIVE, c.outcome(), c.claim());
    }
    String verdictSection = md.substring(md.indexOf("## 6. Verdict"));
    assertTrue(verdictSection.contains("Holm"), verdictSection);
    assertFalse(verdictSection.contains("p = 0.00"), verdictSection);
    // Nothing temporary is left; the pretraining is cached.
    try (Stream<Path> s = Files.list(out)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".")), "temporary files left");
    }
    try (Stream<Path> s = Files.list(out.resolve(BenchRunner.CACHE_DIR))) {
      assertEquals(1, s.count());
    }
    // Every run keeps its configuration, training curve and record, not its weights.
    for (Arm a : plan.arms().subList(1, plan.arms().size())) {
      Path dir = out.resolve(BenchRunner.RUNS_DIR).resolve(a.key());
      for (String f : List.of(TrainNames.CONFIG_JSON, TrainNames.METRICS_JSONL, TrainNames.FINAL_JSON,
          BenchRunner.RESULT_JSON)) {
        assertTrue(Files.isRegularFile(dir.resolve(f)), dir.resolve(f).toString());
      }
      try (Stream<Path> s = Files.list(dir)) {
        assertEquals(4, s.count(), dir.toString());
      }
    }
    assertTrue(e.toString().contains("ETA"), "progress with ETA on standard error");
  }

  /**
   * The batch-size section of the tiny preset (batches 8 and 16, chunk rule 8, chunk check at 16) end
   * to end: batch 16 trained in chunks of 8 (its config.json says so), CLCE at 16 also in one pass, the
   * rows, the paired comparison, the two trend claims, the steps per batch size.
   */
  private static void chunkCheckAndTrends(Path out, BenchReport.ResultsJson json, String md) throws Exception {
    BenchPlan plan = new BenchPlan(BenchPreset.tiny(DataSpec.parse("fashion-mnist")));
    Arm chunked = plan.arm(Arm.Phase.TRANSFER, BenchPlan.CLCE, plan.loss(BenchPlan.CLCE), 16, 1);
    Arm onePass = new Arm(Arm.Phase.TRANSFER, BenchPlan.CLCE_ONE_PASS, plan.loss(BenchPlan.CLCE), 16, 0, 1);
    assertEquals(8, chunked.chunk());
    com.fasterxml.jackson.databind.JsonNode c = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(out.resolve(BenchRunner.RUNS_DIR).resolve(chunked.key()).resolve(TrainNames.CONFIG_JSON).toFile());
    assertEquals(8, c.path("budget").path("chunk").asInt(), c.toString());
    assertTrue(c.path("batch_norm").asText().startsWith("batch statistics per chunk of 8 images"), c.toString());
    c = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(out.resolve(BenchRunner.RUNS_DIR).resolve(onePass.key()).resolve(TrainNames.CONFIG_JSON).toFile());
    assertEquals(0, c.path("budget").path("chunk").asInt(), c.toString());
    // The tiny preset: 16 labelled images per class x 5 classes, 1 epoch: 10 steps at 8, 5 at 16.
    for (BenchReport.BatchRow row : json.tables().batchSize()) {
      assertEquals(row.batch() == 8 ? 10 : 5, row.steps(), row.toString());
      assertEquals(row.batch() == 16 && !row.loss().equals(BenchPlan.CLCE_ONE_PASS) ? 8 : 0, row.chunk(), row.toString());
      assertEquals(2, row.top1().perSeed().size(), row.toString());
      assertFalse(row.top1().perSeed().stream().anyMatch(v -> Double.isNaN(v)), row.toString());
    }
    BenchReport.BatchRow last = json.tables().batchSize().get(json.tables().batchSize().size() - 1);
    assertEquals(BenchPlan.CLCE_ONE_PASS, last.loss());
    // The paired comparison is chunked minus one pass, over the same seeds, from the runs themselves.
    BenchReport.TTestRow t = json.tables().batchSizeTTests().get(json.tables().batchSizeTTests().size() - 1);
    assertEquals("CLCE chunks of 8 - CLCE one pass", t.comparison());
    assertEquals(16, t.batch());
    double sum = 0;
    for (long seed : List.of(1L, 2L)) {
      Arm a = plan.arm(Arm.Phase.TRANSFER, BenchPlan.CLCE, plan.loss(BenchPlan.CLCE), 16, seed);
      Arm b = new Arm(Arm.Phase.TRANSFER, BenchPlan.CLCE_ONE_PASS, plan.loss(BenchPlan.CLCE), 16, 0, seed);
      sum += top1(json, a.key()) - top1(json, b.key());
    }
    assertEquals(sum / 2, t.test().meanDiff(), 1e-12);
    assertTrue(md.contains("### BatchNorm per chunk"), md);
    // The two batch-trend claims, between the smallest and the largest batch, from the runs.
    BenchReport.Claim sup = json.tables().verdict().get(4);
    assertEquals("SupCon improves with batch size (transfer, batch 8 -> 16)", sup.claim());
    double d = 0;
    for (long seed : List.of(1L, 2L)) {
      d += top1(json, plan.arm(Arm.Phase.TRANSFER, "", plan.loss(BenchPlan.SUPCON), 16, seed).key())
          - top1(json, plan.arm(Arm.Phase.TRANSFER, "", plan.loss(BenchPlan.SUPCON), 8, seed).key());
    }
    if (sup.test() != null) {
      assertEquals(d / 2, sup.test().meanDiff(), 1e-12);
    } else {
      assertEquals(0.0, d, 0.0, "no test only when there is nothing to test: " + sup.note());
    }
    assertTrue(json.tables().verdict().get(5).claim().startsWith("CLCE's advantage over SupCon shrinks"));
  }

  private static double top1(BenchReport.ResultsJson json, String key) {
    return json.runs().stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow(() -> new AssertionError(key))
        .top1();
  }

  /** @return the CSV's lines without the named column (wall times differ from run to run) */
  private static List<String> withoutColumn(Path csv, String column) throws java.io.IOException {
    List<String> lines = Files.readAllLines(csv);
    int drop = List.of(lines.get(0).split(",", -1)).indexOf(column);
    assertTrue(drop >= 0, column + " not in " + lines.get(0));
    List<String> kept = new java.util.ArrayList<>();
    for (String line : lines) {
      List<String> cells = new java.util.ArrayList<>(List.of(line.split(",", -1)));
      cells.remove(drop);
      kept.add(String.join(",", cells));
    }
    return kept;
  }

  @Test
  void missingDatasetStopsAtOnceWithTheInstruction(@TempDir Path tmp) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = run(o, e, "bench", "--quick", "--data", "fashion-mnist:" + tmp.resolve("none"), "--out",
        tmp.resolve("r").toString());
    assertEquals(2, code, e.toString());
    assertTrue(e.toString().startsWith("error: data: "), e.toString());
    assertFalse(Files.exists(tmp.resolve("r")), "nothing written");
  }

  @Test
  void planListsTheRunsWithoutRunningThem(@TempDir Path tmp) throws Exception {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    assertEquals(0, run(o, e, "bench", "--quick", "--plan"), e.toString());
    // 51 runs: the 37 before, batch 256 (3 losses x 2 seeds, transfer and from scratch) and the chunk check (2).
    assertTrue(o.toString().contains("51 runs (preset quick)"), o.toString());
    assertTrue(o.toString().startsWith("pretrain-ce-"), o.toString());
    // The paper preset: imported weights replace the pretraining; runnable as a plan anywhere.
    Path weights = Files.writeString(tmp.resolve("w.safetensors"), "");
    o = new StringWriter();
    assertEquals(0, run(o, e, "bench", "--paper", "--data", "cifar100:" + tmp, "--weights", weights.toString(), "--plan"),
        e.toString());
    assertFalse(o.toString().contains("pretrain-"), o.toString());
    assertTrue(o.toString().contains("(preset paper)"), o.toString());
    StringWriter e2 = new StringWriter();
    assertEquals(2, run(new StringWriter(), e2, "bench", "--paper", "--data", "cifar100:" + tmp, "--plan"));
    assertTrue(e2.toString().startsWith("error: weights: "), e2.toString());
  }

  @Test
  void presetsAreExclusive(@TempDir Path tmp) {
    StringWriter e = new StringWriter();
    assertEquals(2, run(new StringWriter(), e, "bench", "--quick", "--paper", "--out", tmp.toString()));
    assertTrue(e.toString().startsWith("error: preset: "), e.toString());
  }
}

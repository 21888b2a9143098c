package dev.clce.bench.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clce.bench.eval.FewShotResult;
import dev.clce.bench.eval.MeanCi;
import dev.clce.bench.metrics.CosineHistogram;
import dev.clce.bench.metrics.Holm;
import dev.clce.bench.metrics.PairedPower;
import dev.clce.bench.metrics.PairedTTest;
import dev.clce.bench.metrics.Tsne;
import dev.clce.bench.report.Plots;
import dev.clce.bench.report.Table;
import dev.clce.core.internal.AtomicFiles;
import dev.clce.core.loss.LossConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Writes the bench report: {@code report.md} with sections 1-6 mirroring the paper, a PNG per plot,
 * a CSV per table (every number at full precision) and {@code results.json} (provenance, preset,
 * every run and every table as the records below, so that nothing has to be parsed back out of the
 * markdown or the CSVs). Everything is built in a temporary directory inside the output directory and then
 * moved into place file by file, {@code report.md} last: a reader never sees a half-written file,
 * and a {@code report.md} is only there once every file it names is.
 */
public final class BenchReport {
  /** The report's file name. */
  public static final String REPORT_MD = "report.md";
  /** Significance level of the verdicts. */
  public static final double ALPHA = 0.05;
  /** Losses of the few-shot section, in table order. */
  static final List<String> FEW_SHOT_LOSSES = List.of(BenchPlan.CE, BenchPlan.CE_SUPCON, BenchPlan.HSCL,
      BenchPlan.CLCE);
  private static final String INTERVAL_NOTE = "Points are means over seeds; the bars span the lowest and highest seed "
      + "(a point-and-interval plot: the axis need not start at zero because nothing is read from a bar's length).\n\n";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  /** Bins of the cosine-similarity histograms. */
  static final int HIST_BINS = 40;
  /** The machine-readable results' file name. */
  public static final String RESULTS_JSON = "results.json";
  /** Shots of the few-shot tables and claims (the paper's Table 1). */
  static final List<Integer> SHOTS = List.of(1, 5);

  /** Outcome of a claim. */
  public enum Outcome {
    /** Holm-adjusted p below alpha in the paper's direction. */
    HELD("held"),
    /** Holm-adjusted p below alpha against the paper's direction. */
    NOT_HELD("did not hold"),
    /** Neither, or no test possible. */
    INCONCLUSIVE("inconclusive");

    private final String words;

    Outcome(String words) {
      this.words = words;
    }

    /** @return the words the report uses */
    public String words() {
      return words;
    }
  }

  /**
   * One arm's values over seeds.
   *
   * @param mean mean over seeds (NaN when a seed is missing)
   * @param sd sample standard deviation (NaN with one seed)
   * @param perSeed the values in seed order
   */
  public record SeedStats(double mean, double sd, List<Double> perSeed) {
    static SeedStats of(double[] v) {
      List<Double> l = new ArrayList<>();
      for (double x : v) {
        l.add(x);
      }
      if (hasNaN(v)) {
        // A missing run: no summary (MeanCi refuses non-finite values), the values stay as they are.
        return new SeedStats(Double.NaN, Double.NaN, List.copyOf(l));
      }
      MeanCi m = MeanCi.of(v);
      return new SeedStats(m.mean(), m.sd(), List.copyOf(l));
    }

    double[] values() {
      return perSeed.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }

  /**
   * A row of the batch-size tables.
   *
   * @param loss the loss label
   * @param batch the batch size
   * @param chunk images per chunk (0: one pass)
   * @param steps training steps of each seed's run (-1 when not run)
   * @param top1 its top-1 over seeds
   */
  public record BatchRow(String loss, int batch, int chunk, long steps, SeedStats top1) {}

  /**
   * A paired t-test of the batch-size tables.
   *
   * @param comparison what minus what
   * @param batch the batch size
   * @param test the test
   */
  public record TTestRow(String comparison, int batch, PairedTTest test) {}

  /**
   * One base-fine-tuned encoder's few-shot result at one K.
   *
   * @param loss the loss label
   * @param seed the seed
   * @param result accuracies with their episode intervals
   */
  public record FewShotRow(String loss, long seed, FewShotResult result) {}

  /**
   * A row of the lambda sweep.
   *
   * @param lambda CLCE's lambda
   * @param top1 top-1 over the sweep's seeds
   */
  public record LambdaRow(double lambda, SeedStats top1) {}

  /**
   * A row of a table of one value per arm (ablation: top-1; embedding quality: isotropy).
   *
   * @param arm the arm as the report names it
   * @param value its values over seeds
   */
  public record ArmRow(String arm, SeedStats value) {}

  /**
   * Cosine similarities of positive and negative pairs of two novel classes.
   *
   * @param loss the loss label
   * @param positiveMean mean over positive pairs
   * @param negativeMean mean over negative pairs
   * @param gap positive minus negative
   * @param positivePairs number of positive pairs
   * @param negativePairs number of negative pairs
   */
  public record CosineRow(String loss, double positiveMean, double negativeMean, double gap, long positivePairs,
      long negativePairs) {}

  /**
   * One run, as {@code runs.csv} lists it.
   *
   * @param key the run's key
   * @param phase its phase
   * @param label its loss label
   * @param loss the loss kind's CLI name
   * @param tau temperature
   * @param lambda lambda
   * @param batch batch size
   * @param chunk images per chunk (0: one pass)
   * @param seed seed
   * @param top1 nearest-centroid top-1
   * @param headTop1 classification-head top-1
   * @param steps steps run
   * @param seconds wall time
   * @param isotropy isotropy (NaN when not measured)
   */
  public record RunRow(String key, Arm.Phase phase, String label, String loss, double tau, double lambda, int batch,
      int chunk, long seed, double top1, double headTop1, long steps, double seconds, double isotropy) {}

  /**
   * One claim of the verdict.
   *
   * @param claim the claim in words
   * @param difference the paired difference tested (a - b)
   * @param a the first arm over seeds
   * @param b the second arm over seeds
   * @param test the paired t-test of a - b, null when there is none (one seed, or a value missing)
   * @param pHolm Holm-adjusted p over the claims whose differences vary (NaN for the others)
   * @param seedsFor80Power seeds the two-sided paired test at alpha needs for 80% power if the measured
   *     mean and sd of the differences were the truth; null when that has no answer
   * @param outcome the outcome
   * @param note why no p applies, or null
   */
  public record Claim(String claim, String difference, SeedStats a, SeedStats b, PairedTTest test, double pHolm,
      Integer seedsFor80Power, Outcome outcome, String note) {

    /** @return the raw p when the test applies (the differences vary), else NaN */
    public double p() {
      return test != null && test.hasSpread() ? test.p() : Double.NaN;
    }
  }

  /**
   * Every table of the report.
   *
   * @param batchSize section 1, transfer
   * @param batchSizeTTests its paired t-tests
   * @param batchSizeScratch section 1, from scratch (empty when not run)
   * @param batchSizeScratchTTests its paired t-tests
   * @param fewShot section 2, one row per encoder and K
   * @param lambda section 3
   * @param ablation section 4
   * @param ablationTest section 4's paired test of CLCE against CE+CL
   * @param isotropy section 5
   * @param cosine section 5's cosine-similarity summary
   * @param verdict section 6
   */
  public record Tables(List<BatchRow> batchSize, List<TTestRow> batchSizeTTests, List<BatchRow> batchSizeScratch,
      List<TTestRow> batchSizeScratchTTests, List<FewShotRow> fewShot, List<LambdaRow> lambda, List<ArmRow> ablation,
      PairedTTest ablationTest, List<ArmRow> isotropy, List<CosineRow> cosine, List<Claim> verdict) {}

  /**
   * The content of {@code results.json}.
   *
   * @param provenance commit, machine, load, wall time
   * @param preset the preset's fields
   * @param runs every run but the pretraining
   * @param tables every table
   */
  public record ResultsJson(Map<String, Object> provenance, Map<String, Object> preset, List<RunRow> runs,
      Tables tables) {}

  /**
   * A claim before the correction: its arms and the difference it tests.
   *
   * @param claim the claim in words
   * @param difference the difference tested, a - b
   * @param a the first arm over seeds
   * @param b the second arm over seeds
   * @param noTest why the claim has no test whatever the numbers (for example one batch size), else null
   */
  record Pending(String claim, String difference, double[] a, double[] b, String noTest) {}

  /** Top-1 per seed (in seed order, NaN where missing) of a loss label at a batch size, chunked by the preset's rule. */
  @FunctionalInterface
  interface BatchTop1 {
    double[] of(String loss, int batch);
  }

  private final BenchRunner.Results r;
  private final BenchPreset p;
  private final BenchPlan plan;
  private final Map<String, Object> provenance;
  private final StringBuilder md = new StringBuilder();
  private final List<Pending> pending = new ArrayList<>();
  private final List<BatchRow> batchRows = new ArrayList<>();
  private final List<TTestRow> batchTests = new ArrayList<>();
  private final List<BatchRow> scratchRows = new ArrayList<>();
  private final List<TTestRow> scratchTests = new ArrayList<>();
  private final List<FewShotRow> fewShotRows = new ArrayList<>();
  private final List<LambdaRow> lambdaRows = new ArrayList<>();
  private final List<ArmRow> ablationRows = new ArrayList<>();
  private final List<ArmRow> isotropyRows = new ArrayList<>();
  private final List<CosineRow> cosineRows = new ArrayList<>();
  private PairedTTest ablationTest;
  private Path dir;

  private BenchReport(BenchRunner.Results r, Map<String, Object> provenance) {
    this.r = r;
    this.p = r.preset();
    this.plan = new BenchPlan(p);
    this.provenance = provenance;
  }

  /**
   * Writes the report into {@code out} (created if missing).
   *
   * @param results what the runner measured
   * @param provenance {@link Provenance#collect()} with wall time and end load added
   * @param out the output directory
   * @return the report file
   */
  public static Path write(BenchRunner.Results results, Map<String, Object> provenance, Path out) {
    BenchReport w = new BenchReport(results, provenance);
    try {
      Files.createDirectories(out);
      w.dir = Files.createTempDirectory(out, ".report-");
      w.build();
      List<Path> files;
      try (Stream<Path> s = Files.list(w.dir)) {
        files = s.sorted().toList();
      }
      Path mdFile = null;
      for (Path f : files) {
        if (f.getFileName().toString().equals(REPORT_MD)) {
          mdFile = f;
          continue;
        }
        Files.move(f, out.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      Files.move(mdFile, out.resolve(REPORT_MD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.delete(w.dir);
      return out.resolve(REPORT_MD);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the report into " + out, e);
    }
  }

  private void build() throws IOException {
    md.append("# CLCE bench report\n\n");
    md.append("Preset **").append(p.name()).append("**: ").append(p.note()).append(".\n\n");
    if (!p.name().equals("default") && !p.name().equals("paper")) {
      md.append("> This is the **").append(p.name()).append("** preset: fewer seeds and far fewer steps than the default. "
          + "Its numbers show that every part runs; they are not evidence for or against the paper.\n\n");
    }
    md.append("Top-1 everywhere is the nearest-centroid accuracy on L2-normalised embeddings of the novel classes' "
        + "test images, centroids from the run's own labelled training images (SupCon, H-SCL and CL train no "
        + "classifier, so one classifier serves every loss). Few-shot accuracies come from logistic regression on "
        + "frozen embeddings (Tian et al. 2020). Tests are paired over seeds (same seeds, same budget).\n\n");
    configuration();
    sectionBatch();
    sectionFewShot();
    sectionLambda();
    sectionAblation();
    sectionEmbedding();
    List<Claim> claims = sectionVerdict();
    resultsJson(runsCsv(), claims);
    AtomicFiles.writeString(dir.resolve(REPORT_MD), md.toString());
  }

  // ---- configuration ------------------------------------------------------------------------------

  private void configuration() throws IOException {
    md.append("## Configuration and provenance\n\n");
    Table t = new Table(List.of("key", "value"));
    for (Map.Entry<String, Object> e : provenance.entrySet()) {
      t.add(e.getKey(), String.valueOf(e.getValue()));
    }
    for (Map.Entry<String, Object> e : p.describe().entrySet()) {
      t.add(e.getKey(), String.valueOf(e.getValue()));
    }
    t.add("normalisation", "mean " + r.normMean() + ", std " + r.normStd() + " (training split)");
    if (p.weights() == null) {
      t.add("pretraining", r.pretrainKey() + (r.pretrainCached() ? " (from the cache)" : " (trained in this run)")
          + String.format(Locale.ROOT, ", base-class test top-1 %.4f", r.pretrainTop1()));
    }
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve("configuration.csv"));
    md.append("**Protocol.** The paper fine-tunes pretrained encoders. Here an encoder (").append(p.arch().cliName())
        .append(", ").append(p.stem().cliName()).append(" stem, width x").append(p.width()).append(", ")
        .append(p.imageSize()).append(" px)");
    if (p.weights() == null) {
      md.append(" is first trained with CE on the base classes ").append(p.baseClasses()).append(" (")
          .append(p.pretrainSteps()).append(" steps of batch ").append(p.batches().get(0)).append(", cached under `")
          .append(BenchRunner.CACHE_DIR).append("/` keyed by its configuration)");
    } else {
      md.append(" starts from the imported weights ").append(p.weights());
    }
    md.append(". **Transfer** (sections 1, 3, 4, 5): each loss fine-tunes it on the novel classes ")
        .append(p.novelClasses()).append(" with ").append(p.labelledPerClass()).append(" labelled images per class for ")
        .append(p.transferEpochs()).append(" epoch(s) (the budget is epochs: every batch size makes the same passes over the same images, "
            + "a partial last batch of each epoch dropped), Adam lr ")
        .append(p.lr()).append(", tau ").append(p.tau()).append(", lambda ").append(p.lambda()).append(". ")
        .append("**Few-shot** (section 2): each loss fine-tunes it on the base classes for ").append(p.baseFinetuneSteps())
        .append(" steps; 5-way episodes on the novel classes' test images. **From scratch**: the batch-size study again "
            + "from random initialisation, same budget. Fashion-MNIST's 28 px images are randomly cropped and resized "
            + "to the input size; a small-stem ResNet keeps a CPU step short, which is what makes several seeds per "
            + "arm affordable on 2 cores.\n\n");
  }

  // ---- section 1 ------------------------------------------------------------------------------------

  private void sectionBatch() throws IOException {
    md.append("## 1. Batch size (Table 3)\n\n");
    md.append("Transfer from the pretrained encoder, ").append(p.seeds().size()).append(" seeds ").append(p.seeds())
        .append(". Mean and sample standard deviation of top-1 over seeds. Every batch size trains for the same ")
        .append(p.transferEpochs()).append(" epoch(s) over the same labelled images, so a larger batch takes fewer "
            + "steps (column steps).");
    if (p.chunk() > 0) {
      md.append(" **Chunks:** a batch larger than ").append(p.chunk()).append(" images runs in chunks of ")
          .append(p.chunk()).append(" images (gradient caching, column chunk; 0 = one pass): the loss and its gradient "
              + "are the whole batch's, so a step needs no more memory than a plain step of ").append(p.chunk())
          .append(" images; only BatchNorm in training mode normalises each chunk with its own statistics.");
    }
    md.append("\n\n");
    batchTables(Arm.Phase.TRANSFER, "batch_size", batchRows, batchTests);
    if (p.chunkCheck()) {
      chunkCheck();
    }
    if (p.scratch()) {
      md.append("### From scratch (not the paper's protocol)\n\n");
      md.append("The same arms trained from random initialisation on the labelled novel-class set, same budget and "
          + "seeds. At small budgets this can disagree with the fine-tuning results; it is shown so that both are "
          + "visible.\n\n");
      batchTables(Arm.Phase.SCRATCH, "batch_size_scratch", scratchRows, scratchTests);
    }
    Arm.Phase phase = Arm.Phase.TRANSFER;
    int b0 = p.batches().get(0);
    List<Long> s = p.seeds();
    double[] ce0 = r.top1(phase, plan.ce(), b0, s);
    double[] cl0 = r.top1(phase, plan.loss(BenchPlan.CLCE), b0, s);
    double[] sc0 = r.top1(phase, plan.loss(BenchPlan.SUPCON), b0, s);
    claim("CLCE beats CE (transfer, batch " + b0 + ")", "CLCE - CE", cl0, ce0);
    if (p.batches().size() > 1) {
      int b1 = p.batches().get(1);
      claim("CLCE beats CE (transfer, batch " + b1 + ")", "CLCE - CE", r.top1(phase, plan.loss(BenchPlan.CLCE), b1, s),
          r.top1(phase, plan.ce(), b1, s));
    }
    claim("SupCon trails CE at batch " + b0, "CE - SupCon", ce0, sc0);
    if (p.batches().size() > 1) {
      int b1 = p.batches().get(1);
      double[] gain1 = diff(r.top1(phase, plan.loss(BenchPlan.CLCE), b1, s), r.top1(phase, plan.ce(), b1, s));
      claim("CLCE gains more over CE at batch " + b1 + " than at " + b0,
          "(CLCE - CE)@" + b1 + " - (CLCE - CE)@" + b0, gain1, diff(cl0, ce0));
    }
    pending.addAll(batchTrendClaims(p.batches(), (loss, b) -> r.top1(phase, plan.loss(loss), b, s)));
  }

  /**
   * The two batch-trend claims, each paired over seeds between the smallest and the largest batch of
   * the study (transfer): "SupCon improves with batch size" tests SupCon@largest - SupCon@smallest;
   * "CLCE's advantage over SupCon shrinks as the batch grows" tests (CLCE - SupCon)@smallest -
   * (CLCE - SupCon)@largest. Both are positive in the claimed direction and go through the verdict's
   * Holm correction with the other claims. With one batch size neither has a test.
   *
   * @param batches the study's batch sizes, increasing
   * @param top1 top-1 per seed of a loss at a batch
   * @return the two claims
   */
  static List<Pending> batchTrendClaims(List<Integer> batches, BatchTop1 top1) {
    int lo = batches.get(0);
    int hi = batches.get(batches.size() - 1);
    String noTest = batches.size() < 2 ? "one batch size: no trend to test" : null;
    double[] supLo = top1.of(BenchPlan.SUPCON, lo);
    double[] supHi = top1.of(BenchPlan.SUPCON, hi);
    double[] gapLo = diff(top1.of(BenchPlan.CLCE, lo), supLo);
    double[] gapHi = diff(top1.of(BenchPlan.CLCE, hi), supHi);
    return List.of(
        new Pending("SupCon improves with batch size (transfer, batch " + lo + " -> " + hi + ")",
            "SupCon@" + hi + " - SupCon@" + lo, supHi, supLo, noTest),
        new Pending("CLCE's advantage over SupCon shrinks as the batch grows (transfer, batch " + lo + " -> " + hi + ")",
            "(CLCE - SupCon)@" + lo + " - (CLCE - SupCon)@" + hi, gapLo, gapHi, noTest));
  }

  /**
   * The chunk check: CLCE at the largest batch, chunked by the rule and in one pass, same seeds, paired
   * over seeds. A measurement of what per-chunk BatchNorm changes, not one of the paper's claims: it is
   * reported with its own (uncorrected) p and stays out of the verdict.
   */
  private void chunkCheck() {
    int big = p.largestBatch();
    int chunk = p.chunkFor(big);
    md.append("### BatchNorm per chunk\n\n");
    md.append("In a chunked step BatchNorm normalises each chunk of ").append(chunk).append(" images with that chunk's "
        + "statistics, as on several devices without synchronised BatchNorm. To measure whether that matters, CLCE at "
        + "batch ").append(big).append(" also runs in one pass (BatchNorm over the whole batch: row `")
        .append(BenchPlan.CLCE_ONE_PASS).append("` above, chunk 0), same seeds and budget; the paired t-test over "
            + "seeds of chunked minus one pass is in the t-test table above (comparison `").append(chunkCheckName(chunk))
        .append("`). It is a check of the method, not a claim of the paper, so it is not in the verdict.\n\n");
  }

  private static String chunkCheckName(int chunk) {
    return "CLCE chunks of " + chunk + " - CLCE one pass";
  }

  private void batchTables(Arm.Phase phase, String name, List<BatchRow> rows, List<TTestRow> tests) throws IOException {
    List<String> losses = List.of(BenchPlan.CE, BenchPlan.SUPCON, BenchPlan.CLCE);
    boolean check = phase == Arm.Phase.TRANSFER && p.chunkCheck();
    Table t = new Table(List.of("loss", "batch", "chunk", "steps", "mean top-1", "sd", "seeds", "per seed"));
    List<Plots.Interval> intervals = new ArrayList<>();
    for (int b : p.batches()) {
      for (String loss : losses) {
        rows.add(batchRow(phase, loss, loss, b, p.chunkFor(b)));
        intervals.add(Plots.Interval.ofSeeds(String.valueOf(b), loss, rows.get(rows.size() - 1).top1().values()));
      }
    }
    if (check) {
      rows.add(batchRow(phase, BenchPlan.CLCE_ONE_PASS, BenchPlan.CLCE, p.largestBatch(), 0));
    }
    for (BatchRow row : rows) {
      SeedStats v = row.top1();
      t.add(row.loss(), row.batch(), row.chunk(), row.steps(), v.mean(), v.sd(), v.perSeed().size(), join(v.perSeed()));
    }
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve(name + ".csv"));
    Plots.intervals(dir.resolve(name + ".png"), (phase == Arm.Phase.SCRATCH ? "From scratch: " : "Transfer: ")
        + "top-1 against batch size", "batch size (images; " + p.transferEpochs() + " epoch(s) at every size)",
        "top-1 (novel classes)", intervals, true);
    md.append("![").append(name).append("](").append(name).append(".png)\n\n");
    md.append(INTERVAL_NOTE);
    Table tt = new Table(List.of("comparison", "batch", "mean diff", "t", "df", "p", "95% CI low", "95% CI high"));
    for (int b : p.batches()) {
      for (String other : List.of(BenchPlan.CE, BenchPlan.SUPCON)) {
        ttestRow(tt, tests, "CLCE - " + other, b, r.top1(phase, plan.loss(BenchPlan.CLCE), b, p.seeds()),
            r.top1(phase, plan.loss(other), b, p.seeds()));
      }
    }
    if (check) {
      int big = p.largestBatch();
      ttestRow(tt, tests, chunkCheckName(p.chunkFor(big)), big, r.top1(phase, plan.loss(BenchPlan.CLCE), big, p.seeds()),
          r.top1(phase, plan.loss(BenchPlan.CLCE), big, 0, p.seeds()));
    }
    md.append("Paired t-tests (two-sided, over seeds; p is n/a when every seed gives the same difference):\n\n")
        .append(tt.markdown()).append('\n');
    tt.writeCsv(dir.resolve(name + "_ttest.csv"));
  }

  private BatchRow batchRow(Arm.Phase phase, String shown, String loss, int batch, int chunk) {
    LossConfig l = plan.loss(loss);
    return new BatchRow(shown, batch, chunk, r.steps(phase, l, batch, chunk),
        SeedStats.of(r.top1(phase, l, batch, chunk, p.seeds())));
  }

  /** Adds a paired t-test of a - b to the table and, when both are measured, to the records. */
  private void ttestRow(Table tt, List<TTestRow> tests, String comparison, int batch, double[] a, double[] b) {
    if (hasNaN(a) || hasNaN(b)) {
      tt.add(comparison, batch, Double.NaN, Double.NaN, p.seeds().size() - 1, Double.NaN, Double.NaN, Double.NaN);
      return;
    }
    PairedTTest x = PairedTTest.of(a, b);
    tests.add(new TTestRow(comparison, batch, x));
    tt.add(comparison, batch, x.meanDiff(), x.hasSpread() ? x.t() : Double.NaN, x.df(), pOf(x), x.ciLow(), x.ciHigh());
  }

  // ---- section 2 ------------------------------------------------------------------------------------

  private void sectionFewShot() throws IOException {
    md.append("## 2. Few-shot (Table 1)\n\n");
    md.append("Encoders fine-tuned on the base classes with each loss; ").append(p.episodes())
        .append(" episodes per setting, 5-way, 15 queries, on frozen L2-normalised embeddings of the novel classes' test "
            + "images; mean accuracy with its 95% interval (t(0.975, episodes - 1) sd / sqrt(episodes)). CE+SupCon is (1 - lambda) CE + "
            + "lambda SupCon with the same lambda as CLCE, as in the paper.\n\n");
    Table t = new Table(List.of("loss", "seed", "shots", "logreg mean", "logreg 95% CI", "nearest centroid mean",
        "nearest centroid 95% CI", "episodes"));
    for (BenchRunner.FewShotArm a : r.fewShot()) {
      for (FewShotResult fr : a.results()) {
        fewShotRows.add(new FewShotRow(a.arm().label(), a.arm().seed(), fr));
        t.add(a.arm().label(), a.arm().seed(), fr.shots(), fr.logisticRegression().mean(), fr.logisticRegression().ci95(),
            fr.nearestCentroid().mean(), fr.nearestCentroid().ci95(), fr.logisticRegression().n());
      }
    }
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve("fewshot.csv"));
    List<Plots.Interval> intervals = new ArrayList<>();
    for (int k : SHOTS) {
      for (String loss : FEW_SHOT_LOSSES) {
        double[] v = fewShotMeans(loss, k);
        if (v.length == 1 && !Double.isNaN(v[0])) {
          // One seed: the episode interval of that run.
          double ci = fewShotRows.stream().filter(row -> row.loss().equals(loss) && row.result().shots() == k)
              .mapToDouble(row -> row.result().logisticRegression().ci95()).findFirst().orElse(Double.NaN);
          intervals.add(new Plots.Interval(k + "-shot", loss, v[0], v[0] - ci, v[0] + ci, v));
        } else {
          intervals.add(Plots.Interval.ofSeeds(k + "-shot", loss, v));
        }
      }
    }
    Plots.intervals(dir.resolve("fewshot.png"), "Few-shot: 5-way accuracy (logistic regression)", "accuracy",
        intervals);
    md.append("![fewshot](fewshot.png)\n\n");
    md.append(p.fewShotSeeds().size() > 1 ? INTERVAL_NOTE
        : "One seed: the point is the mean over episodes and the interval its 95% episode interval, which says nothing "
            + "about the spread between seeds.\n\n");
    for (int k : SHOTS) {
      for (String other : List.of(BenchPlan.CE, BenchPlan.CE_SUPCON)) {
        claim("CLCE beats " + other + " (few-shot, " + k + "-shot)", "CLCE - " + other + " (logreg accuracy)",
            fewShotMeans(BenchPlan.CLCE, k), fewShotMeans(other, k));
      }
    }
  }

  /** The few-shot logistic-regression accuracy of one loss at one K, in few-shot seed order (NaN where missing). */
  private double[] fewShotMeans(String loss, int shots) {
    double[] v = new double[p.fewShotSeeds().size()];
    java.util.Arrays.fill(v, Double.NaN);
    for (FewShotRow row : fewShotRows) {
      int si = p.fewShotSeeds().indexOf(row.seed());
      if (row.loss().equals(loss) && row.result().shots() == shots && si >= 0) {
        v[si] = row.result().logisticRegression().mean();
      }
    }
    return v;
  }

  // ---- section 3 ------------------------------------------------------------------------------------

  private void sectionLambda() throws IOException {
    md.append("## 3. Lambda (Fig. 2)\n\n");
    int b0 = p.batches().get(0);
    md.append("CLCE = (1 - lambda) CE + lambda LACLN, transfer at batch ").append(b0).append(", seeds ")
        .append(p.lambdaSeeds()).append(" (lambda 0 is CE, lambda 1 is LACLN alone).\n\n");
    Table t = new Table(List.of("lambda", "mean top-1", "sd", "seeds", "per seed"));
    double[] x = new double[p.lambdas().size()];
    double[] y = new double[x.length];
    double[] e = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double lam = p.lambdas().get(i);
      SeedStats v = SeedStats.of(r.top1(Arm.Phase.TRANSFER, plan.clce(lam), b0, p.lambdaSeeds()));
      lambdaRows.add(new LambdaRow(lam, v));
      x[i] = lam;
      y[i] = v.mean();
      e[i] = v.sd();
      t.add(String.valueOf(lam), v.mean(), v.sd(), v.perSeed().size(), join(v.perSeed()));
    }
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve("lambda.csv"));
    Plots.line(dir.resolve("lambda.png"), "Top-1 against lambda (transfer, batch " + b0 + ")", "lambda",
        "top-1 (novel classes)", List.of(new Plots.Series("CLCE", x, y, e)));
    md.append("![lambda](lambda.png)\n\n");
    if (p.lambdaSeeds().size() < 2) {
      md.append("One seed per lambda: no error bars; differences smaller than the seed spread of section 1 mean "
          + "nothing.\n\n");
    }
  }

  // ---- section 4 ------------------------------------------------------------------------------------

  private void sectionAblation() throws IOException {
    md.append("## 4. Ablation (Table 4)\n\n");
    int b0 = p.batches().get(0);
    md.append("Transfer at batch ").append(b0).append(", seeds ").append(p.seeds()).append(". CE+CL is (1 - lambda) "
        + "CE + lambda CL (contrastive learning without hard-negative mining), CE+CL+HNM is CLCE, both at the same "
        + "lambda.\n\n");
    Table t = new Table(List.of("arm", "mean top-1", "sd", "seeds", "per seed"));
    List<String> labels = List.of(BenchPlan.CE, BenchPlan.CE_CL, BenchPlan.CLCE);
    List<String> shown = List.of("CE", "CE+CL", "CE+CL+HNM (CLCE)");
    List<Plots.Interval> intervals = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      SeedStats v = SeedStats.of(r.top1(Arm.Phase.TRANSFER, plan.loss(labels.get(i)), b0, p.seeds()));
      ablationRows.add(new ArmRow(shown.get(i), v));
      t.add(shown.get(i), v.mean(), v.sd(), v.perSeed().size(), join(v.perSeed()));
      intervals.add(Plots.Interval.ofSeeds("batch " + b0, shown.get(i), v.values()));
    }
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve("ablation.csv"));
    Plots.intervals(dir.resolve("ablation.png"), "Ablation (transfer, batch " + b0 + ")", "top-1 (novel classes)",
        intervals);
    md.append("![ablation](ablation.png)\n\n").append(INTERVAL_NOTE);
    double[] cl = r.top1(Arm.Phase.TRANSFER, plan.loss(BenchPlan.CE_CL), b0, p.seeds());
    double[] hnm = r.top1(Arm.Phase.TRANSFER, plan.loss(BenchPlan.CLCE), b0, p.seeds());
    if (!hasNaN(cl) && !hasNaN(hnm)) {
      ablationTest = PairedTTest.of(hnm, cl);
      md.append(String.format(Locale.ROOT, "CLCE - (CE+CL): mean %.4f, t %s, p %s, 95%% CI [%.4f, %.4f].%n%n",
          ablationTest.meanDiff(), ablationTest.hasSpread() ? String.format(Locale.ROOT, "%.3f", ablationTest.t()) : "n/a",
          showP(pOf(ablationTest)), ablationTest.ciLow(), ablationTest.ciHigh()));
    }
    claim("HNM adds to CL (CE+CL+HNM vs CE+CL)", "CLCE - (CE+CL)", hnm, cl);
  }

  // ---- section 5 ------------------------------------------------------------------------------------

  private void sectionEmbedding() throws IOException {
    md.append("## 5. Embedding quality (Section 4.6)\n\n");
    int b0 = p.batches().get(0);
    md.append("Isotropy score of paper Eq. 4 on the novel classes' test embeddings of the transfer encoders (batch ")
        .append(b0).append("). The paper prints the ratio as max/min but says higher is better with 1 for a perfectly "
            + "isotropic space; this report uses **min/max** over the eigenvectors of V^T V and their negatives, which "
            + "has that behaviour (IS in (0, 1]).\n\n");
    Table t = new Table(List.of("loss", "mean isotropy", "sd", "seeds", "per seed"));
    double[] ce = r.isotropy(plan.ce(), b0, p.seeds());
    double[] clce = r.isotropy(plan.loss(BenchPlan.CLCE), b0, p.seeds());
    for (ArmRow row : List.of(new ArmRow("CE", SeedStats.of(ce)), new ArmRow("CLCE", SeedStats.of(clce)))) {
      isotropyRows.add(row);
      t.add(row.arm(), row.value().mean(), row.value().sd(), row.value().perSeed().size(), join(row.value().perSeed()));
    }
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve("isotropy.csv"));
    claim("CLCE embeddings are more isotropic than CE's", "IS(CLCE) - IS(CE)", clce, ce);

    List<String> names = r.novelClassNames();
    // A fixed pair of similar novel classes: the third and fifth (Fashion-MNIST: Sneaker and Ankle boot).
    int ca = 2;
    int cb = 4;
    md.append("Cosine similarity of positive pairs (two test images of one class) and negative pairs (one of each) for "
        + "the classes **").append(names.get(ca)).append("** and **").append(names.get(cb)).append("** (Figs. 3-4), seed ")
        .append(p.seeds().get(0)).append(":\n\n");
    Table h = new Table(List.of("loss", "bin low", "bin high", "positive density", "negative density"));
    Table hs = new Table(List.of("loss", "positive mean", "negative mean", "gap", "positive pairs", "negative pairs"));
    for (String label : List.of(BenchPlan.CE, BenchPlan.CLCE)) {
      BenchRunner.Embeddings e = r.embeddings().get(label);
      if (e == null) {
        md.append("(no embeddings kept for ").append(label).append(")\n\n");
        continue;
      }
      double[][] v = toDouble(e.embeddings());
      CosineHistogram ch = CosineHistogram.of(v, e.labels(), ca, cb, HIST_BINS);
      for (int i = 0; i < HIST_BINS; i++) {
        h.add(label, ch.edges()[i], ch.edges()[i + 1], ch.positive()[i], ch.negative()[i]);
      }
      CosineRow row = new CosineRow(label, ch.positiveMean(), ch.negativeMean(), ch.positiveMean() - ch.negativeMean(),
          ch.positivePairs(), ch.negativePairs());
      cosineRows.add(row);
      hs.add(row.loss(), row.positiveMean(), row.negativeMean(), row.gap(), row.positivePairs(), row.negativePairs());
      String file = "cosine_" + label.toLowerCase(Locale.ROOT) + ".png";
      Plots.histograms(dir.resolve(file), label + ": cosine similarity, " + names.get(ca) + " / " + names.get(cb),
          "cosine similarity", ch.edges(), List.of("positive pairs", "negative pairs"),
          List.of(ch.positive(), ch.negative()));
      md.append("![").append(file).append("](").append(file).append(")\n");
    }
    md.append('\n').append(hs.markdown()).append('\n');
    h.writeCsv(dir.resolve("cosine_histograms.csv"));
    hs.writeCsv(dir.resolve("cosine_summary.csv"));

    md.append("t-SNE (exact, perplexity calibrated by bisection, early exaggeration 12, seeded) of up to ")
        .append(p.tsnePoints()).append(" test embeddings (Fig. 5):\n\n");
    Table ts = new Table(List.of("loss", "index", "label", "class", "x", "y"));
    for (String label : List.of(BenchPlan.CE, BenchPlan.CLCE)) {
      BenchRunner.Embeddings e = r.embeddings().get(label);
      if (e == null) {
        continue;
      }
      int n = Math.min(p.tsnePoints(), e.embeddings().length);
      // Every k-th image, so every class is represented in proportion.
      double stride = e.embeddings().length / (double) n;
      double[][] x = new double[n][];
      int[] lab = new int[n];
      double[][] all = toDouble(e.embeddings());
      for (int i = 0; i < n; i++) {
        int idx = (int) Math.floor(i * stride);
        x[i] = normalise(all[idx]);
        lab[i] = e.labels()[idx];
      }
      double perplexity = Math.min(30, (n - 1) / 3.0);
      double[][] y = Tsne.embed(x, new Tsne.Options(perplexity, p.tsneIterations(), 200, 12,
          Math.min(250, p.tsneIterations() / 4), p.seeds().get(0)));
      for (int i = 0; i < n; i++) {
        ts.add(label, i, lab[i], names.get(lab[i]), y[i][0], y[i][1]);
      }
      String file = "tsne_" + label.toLowerCase(Locale.ROOT) + ".png";
      Plots.scatter(dir.resolve(file), label + ": t-SNE of novel-class test embeddings", y, lab, names);
      md.append("![").append(file).append("](").append(file).append(")\n");
    }
    md.append('\n');
    ts.writeCsv(dir.resolve("tsne.csv"));
  }

  // ---- section 6 ------------------------------------------------------------------------------------

  private void claim(String claim, String difference, double[] a, double[] b) {
    pending.add(new Pending(claim, difference, a, b, null));
  }

  /**
   * The verdict: each claim's paired test, Holm's correction over the claims whose differences vary,
   * the outcome from the adjusted p, and the seeds a claim would need at its measured spread.
   *
   * @param claims the claims in report order
   * @param alpha the family-wise level
   * @return the claims with their outcomes
   */
  static List<Claim> decide(List<Pending> claims, double alpha) {
    List<PairedTTest> tests = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    double[] raw = new double[claims.size()];
    for (int i = 0; i < claims.size(); i++) {
      Pending c = claims.get(i);
      PairedTTest x = null;
      String note = null;
      if (c.noTest() != null) {
        note = c.noTest();
      } else if (hasNaN(c.a()) || hasNaN(c.b())) {
        note = "not measured";
      } else if (c.a().length < 2) {
        note = "one seed: no paired test";
      } else {
        x = PairedTTest.of(c.a(), c.b());
        if (!x.hasSpread()) {
          note = "every seed gives the same difference: no spread, p not applicable";
        }
      }
      tests.add(x);
      notes.add(note);
      raw[i] = x != null && x.hasSpread() ? x.p() : Double.NaN;
    }
    double[] holm = Holm.adjust(raw);
    List<Claim> out = new ArrayList<>();
    for (int i = 0; i < claims.size(); i++) {
      Pending c = claims.get(i);
      PairedTTest x = tests.get(i);
      Outcome o = Outcome.INCONCLUSIVE;
      Integer need = null;
      if (!Double.isNaN(holm[i])) {
        if (holm[i] < alpha) {
          o = x.meanDiff() > 0 ? Outcome.HELD : Outcome.NOT_HELD;
        }
        OptionalInt n = PairedPower.pairsNeeded(x.meanDiff(), x.sdDiff(), alpha, PairedPower.TARGET_POWER);
        need = n.isPresent() ? n.getAsInt() : null;
      }
      out.add(new Claim(c.claim(), c.difference(), SeedStats.of(c.a()), SeedStats.of(c.b()), x, holm[i], need, o,
          notes.get(i)));
    }
    return out;
  }

  private List<Claim> sectionVerdict() throws IOException {
    List<Claim> claims = decide(pending, ALPHA);
    long tested = claims.stream().filter(c -> !Double.isNaN(c.pHolm())).count();
    md.append("## 6. Verdict\n\n");
    md.append("Each claim is a paired two-sided t-test over seeds. The claims are tested together, so their p-values are "
        + "corrected with **Holm's step-down method** over the ").append(tested).append(" claims whose differences "
        + "vary (family-wise error rate ").append(ALPHA).append("; claims without a test do not count). A claim "
        + "**held** when its Holm-adjusted p < ").append(ALPHA).append(" in the paper's direction, **did not hold** "
        + "when it is < ").append(ALPHA).append(" against it, and is **inconclusive** otherwise; p is **n/a** when "
        + "there is no test (one seed, a missing run) or every seed gives the same difference (no spread to test "
        + "against). \"Seeds for 80% power\" is the number of seeds the two-sided paired test at ").append(ALPHA)
        .append(" (uncorrected) needs to detect the measured mean difference with probability 0.8 if the measured sd "
            + "of the differences were the truth (non-central t); with the correction a claim needs more. With ")
        .append(p.seeds().size()).append(" seeds only large, consistent differences can reach significance.\n\n");
    Table t = new Table(List.of("claim", "verdict", "difference", "mean diff (95% CI)", "p", "p (Holm)", "seeds",
        "seeds for 80% power", "a: mean +- sd", "b: mean +- sd"));
    Table csv = new Table(List.of("claim", "verdict", "difference", "mean diff", "95% CI low", "95% CI high", "p",
        "p (Holm)", "seeds", "seeds for 80% power", "a mean", "a sd", "b mean", "b sd", "note"));
    for (Claim c : claims) {
      PairedTTest x = c.test();
      String diff = x == null ? "n/a" : String.format(Locale.ROOT, "%+.4f (%+.4f..%+.4f)", x.meanDiff(), x.ciLow(),
          x.ciHigh());
      String need = c.seedsFor80Power() != null ? String.valueOf(c.seedsFor80Power())
          : Double.isNaN(c.pHolm()) ? "n/a" : "> " + PairedPower.MAX_PAIRS;
      t.add(c.claim(), c.outcome().words(), c.difference(), diff,
          showP(c.p()) + (c.note() == null ? "" : " (" + c.note() + ")"), showP(c.pHolm()), c.a().perSeed().size(), need,
          meanSd(c.a()), meanSd(c.b()));
      csv.add(c.claim(), c.outcome().words(), c.difference(), x == null ? Double.NaN : x.meanDiff(),
          x == null ? Double.NaN : x.ciLow(), x == null ? Double.NaN : x.ciHigh(), c.p(), c.pHolm(),
          c.a().perSeed().size(), c.seedsFor80Power(), c.a().mean(), c.a().sd(), c.b().mean(), c.b().sd(), c.note());
    }
    md.append(t.markdown()).append('\n');
    csv.writeCsv(dir.resolve("verdict.csv"));
    md.append("Files: every table above is also a CSV in this directory (full precision); `runs.csv` lists every run; "
        + "`").append(RESULTS_JSON).append("` holds the provenance, the preset, every run and every table.\n");
    return claims;
  }

  private List<RunRow> runsCsv() {
    List<RunRow> rows = new ArrayList<>();
    Table t = new Table(List.of("key", "phase", "label", "loss", "tau", "lambda", "batch", "chunk", "seed", "top1",
        "head_top1", "steps", "seconds", "isotropy"));
    for (BenchRunner.ArmResult a : r.arms().values()) {
      LossConfig l = a.arm().loss();
      RunRow row = new RunRow(a.arm().key(), a.arm().phase(), a.arm().label(), l.kind().cliName(), l.tau(), l.lambda(),
          a.arm().batch(), a.arm().chunk(), a.arm().seed(), a.top1(), a.headTop1(), a.steps(), a.seconds(), a.isotropy());
      rows.add(row);
      t.add(row.key(), row.phase().name(), row.label(), row.loss(), row.tau(), row.lambda(), row.batch(), row.chunk(),
          row.seed(), row.top1(), row.headTop1(), row.steps(), row.seconds(), row.isotropy());
    }
    t.writeCsv(dir.resolve("runs.csv"));
    return rows;
  }

  private void resultsJson(List<RunRow> runs, List<Claim> claims) throws IOException {
    Tables tables = new Tables(batchRows, batchTests, scratchRows, scratchTests, fewShotRows, lambdaRows, ablationRows,
        ablationTest, isotropyRows, cosineRows, claims);
    ResultsJson json = new ResultsJson(provenance, p.describe(), runs, tables);
    AtomicFiles.writeString(dir.resolve(RESULTS_JSON), JSON.writeValueAsString(json) + "\n");
  }

  /**
   * Reads a {@code results.json} back (for tools and tests).
   *
   * @param file the file
   * @return its content
   */
  public static ResultsJson readResults(Path file) {
    try {
      return JSON.readValue(file.toFile(), ResultsJson.class);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file, e);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  /** @return p when the test applies, NaN (shown as n/a) when the differences have no spread */
  private static double pOf(PairedTTest x) {
    return x.hasSpread() ? x.p() : Double.NaN;
  }

  /** A p-value as the report shows it: three significant digits, n/a for NaN. */
  static String showP(double pv) {
    return Double.isNaN(pv) ? "n/a" : String.format(Locale.ROOT, "%.3g", pv);
  }

  private static String meanSd(SeedStats s) {
    return String.format(Locale.ROOT, "%.4f +- %.4f", s.mean(), s.sd());
  }


  private static boolean hasNaN(double[] v) {
    for (double x : v) {
      if (Double.isNaN(x)) {
        return true;
      }
    }
    return false;
  }

  private static double[] diff(double[] a, double[] b) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] - b[i];
    }
    return d;
  }

  private static String join(List<Double> v) {
    List<String> s = new ArrayList<>();
    for (double x : v) {
      s.add(Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.4f", x));
    }
    return String.join(" ", s);
  }

  private static double[][] toDouble(float[][] x) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        out[i][j] = x[i][j];
      }
    }
    return out;
  }

  private static double[] normalise(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    double inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    double[] o = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      o[i] = v[i] * inv;
    }
    return o;
  }
}

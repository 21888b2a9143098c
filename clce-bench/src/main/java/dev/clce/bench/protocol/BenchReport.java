package dev.clce.bench.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clce.bench.eval.FewShotResult;
import dev.clce.bench.eval.MeanCi;
import dev.clce.bench.metrics.CosineHistogram;
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
import java.util.stream.Stream;

/**
 * Writes the bench report: {@code report.md} with sections 1-6 mirroring the paper, a PNG per plot,
 * a CSV per table (every number at full precision) and {@code results.json} (configuration and
 * provenance). Everything is built in a temporary directory inside the output directory and then
 * moved into place file by file, {@code report.md} last: a reader never sees a half-written file,
 * and a {@code report.md} is only there once every file it names is.
 */
public final class BenchReport {
  /** The report's file name. */
  public static final String REPORT_MD = "report.md";
  /** Significance level of the verdicts. */
  public static final double ALPHA = 0.05;
  /** Bins of the cosine-similarity histograms. */
  static final int HIST_BINS = 40;
  /** Verdict words. */
  static final String HELD = "held";
  static final String NOT_HELD = "did not hold";
  static final String INCONCLUSIVE = "inconclusive";

  private final BenchRunner.Results r;
  private final BenchPreset p;
  private final BenchPlan plan;
  private final Map<String, Object> provenance;
  private final StringBuilder md = new StringBuilder();
  private final List<String[]> verdicts = new ArrayList<>();
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
    sectionVerdict();
    runsCsv();
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
        .append(p.transferEpochs()).append(" epoch(s) (the budget is epochs: every batch size sees the same images), "
            + "Adam lr ")
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
        .append(". Mean and sample standard deviation of top-1 over seeds.\n\n");
    batchTables(Arm.Phase.TRANSFER, "batch_size", true);
    if (p.scratch()) {
      md.append("### From scratch (not the paper's protocol)\n\n");
      md.append("The same arms trained from random initialisation on the labelled novel-class set, same budget and "
          + "seeds. At small budgets this can disagree with the fine-tuning results; it is shown so that both are "
          + "visible.\n\n");
      batchTables(Arm.Phase.SCRATCH, "batch_size_scratch", false);
    }
  }

  private void batchTables(Arm.Phase phase, String name, boolean verdicts) throws IOException {
    List<String> losses = List.of(BenchPlan.CE, BenchPlan.SUPCON, BenchPlan.CLCE);
    Table t = new Table(List.of("loss", "batch", "mean top-1", "sd", "seeds", "per seed"));
    double[][] means = new double[p.batches().size()][losses.size()];
    double[][] sds = new double[p.batches().size()][losses.size()];
    for (int bi = 0; bi < p.batches().size(); bi++) {
      int b = p.batches().get(bi);
      for (int li = 0; li < losses.size(); li++) {
        double[] v = r.top1(phase, plan.loss(losses.get(li)), b, p.seeds());
        MeanCi m = MeanCi.of(v);
        means[bi][li] = m.mean();
        sds[bi][li] = m.sd();
        t.add(losses.get(li), b, m.mean(), m.sd(), v.length, join(v));
      }
    }
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve(name + ".csv"));
    Plots.bars(dir.resolve(name + ".png"), (phase == Arm.Phase.SCRATCH ? "From scratch: " : "Transfer: ")
        + "top-1 by batch size (mean +- sd)", "top-1 (novel classes)",
        p.batches().stream().map(b -> "batch " + b).toList(), losses, means, sds);
    md.append("![").append(name).append("](").append(name).append(".png)\n\n");
    Table tt = new Table(List.of("comparison", "batch", "mean diff", "t", "df", "p", "95% CI low", "95% CI high"));
    for (int b : p.batches()) {
      for (String other : List.of(BenchPlan.CE, BenchPlan.SUPCON)) {
        PairedTTest x = PairedTTest.of(r.top1(phase, plan.loss(BenchPlan.CLCE), b, p.seeds()),
            r.top1(phase, plan.loss(other), b, p.seeds()));
        tt.add("CLCE - " + other, b, x.meanDiff(), x.t(), x.df(), x.p(), x.ciLow(), x.ciHigh());
      }
    }
    md.append("Paired t-tests (two-sided, over seeds):\n\n").append(tt.markdown()).append('\n');
    tt.writeCsv(dir.resolve(name + "_ttest.csv"));
    if (!verdicts) {
      return;
    }
    int b0 = p.batches().get(0);
    List<Long> s = p.seeds();
    double[] ce0 = r.top1(phase, plan.ce(), b0, s);
    double[] cl0 = r.top1(phase, plan.loss(BenchPlan.CLCE), b0, s);
    double[] sc0 = r.top1(phase, plan.loss(BenchPlan.SUPCON), b0, s);
    verdict("CLCE beats CE (transfer, batch " + b0 + ")", cl0, ce0, "CLCE - CE");
    if (p.batches().size() > 1) {
      int b1 = p.batches().get(1);
      verdict("CLCE beats CE (transfer, batch " + b1 + ")", r.top1(phase, plan.loss(BenchPlan.CLCE), b1, s),
          r.top1(phase, plan.ce(), b1, s), "CLCE - CE");
    }
    verdict("SupCon trails CE at batch " + b0, ce0, sc0, "CE - SupCon");
    if (p.batches().size() > 1) {
      int b1 = p.batches().get(1);
      double[] gain1 = diff(r.top1(phase, plan.loss(BenchPlan.CLCE), b1, s), r.top1(phase, plan.ce(), b1, s));
      double[] gain0 = diff(cl0, ce0);
      verdict("CLCE gains more over CE at batch " + b1 + " than at " + b0, gain1, gain0,
          "(CLCE - CE)@" + b1 + " - (CLCE - CE)@" + b0);
    }
  }

  // ---- section 2 ------------------------------------------------------------------------------------

  private void sectionFewShot() throws IOException {
    md.append("## 2. Few-shot (Table 1)\n\n");
    md.append("Encoders fine-tuned on the base classes with each loss; ").append(p.episodes())
        .append(" episodes per setting, 5-way, 15 queries, on frozen L2-normalised embeddings of the novel classes' test "
            + "images; mean accuracy with its 95% interval (1.96 sd / sqrt(episodes)). CE+SupCon is (1 - lambda) CE + "
            + "lambda SupCon with the same lambda as CLCE, as in the paper.\n\n");
    Table t = new Table(List.of("loss", "seed", "shots", "logreg mean", "logreg 95% CI", "nearest centroid mean",
        "nearest centroid 95% CI", "episodes"));
    List<String> losses = List.of(BenchPlan.CE, BenchPlan.CE_SUPCON, BenchPlan.HSCL, BenchPlan.CLCE);
    List<Integer> shots = List.of(1, 5);
    double[][] vals = new double[shots.size()][losses.size()];
    double[][] errs = new double[shots.size()][losses.size()];
    int[][] counts = new int[shots.size()][losses.size()];
    for (BenchRunner.FewShotArm a : r.fewShot()) {
      int li = losses.indexOf(a.arm().label());
      for (FewShotResult fr : a.results()) {
        t.add(losses.get(li), a.arm().seed(), fr.shots(), fr.logisticRegression().mean(), fr.logisticRegression().ci95(),
            fr.nearestCentroid().mean(), fr.nearestCentroid().ci95(), fr.logisticRegression().n());
        int si = shots.indexOf(fr.shots());
        if (si >= 0) {
          vals[si][li] += fr.logisticRegression().mean();
          errs[si][li] += fr.logisticRegression().ci95();
          counts[si][li]++;
        }
      }
    }
    for (int si = 0; si < shots.size(); si++) {
      for (int li = 0; li < losses.size(); li++) {
        vals[si][li] = counts[si][li] == 0 ? Double.NaN : vals[si][li] / counts[si][li];
        errs[si][li] = counts[si][li] == 0 ? Double.NaN : errs[si][li] / counts[si][li];
      }
    }
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve("fewshot.csv"));
    Plots.bars(dir.resolve("fewshot.png"), "Few-shot: 5-way accuracy (logistic regression, 95% CI)", "accuracy",
        List.of("1-shot", "5-shot"), losses, vals, errs);
    md.append("![fewshot](fewshot.png)\n\n");
    if (p.fewShotSeeds().size() > 1) {
      md.append("With ").append(p.fewShotSeeds().size()).append(" seeds the bars show the mean over seeds; the seed "
          + "spread is in the table (the episode CI of one run is usually far narrower than it).\n\n");
    }
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
      double[] v = r.top1(Arm.Phase.TRANSFER, plan.clce(lam), b0, p.lambdaSeeds());
      MeanCi m = MeanCi.of(v);
      x[i] = lam;
      y[i] = m.mean();
      e[i] = m.sd();
      t.add(String.valueOf(lam), m.mean(), m.sd(), v.length, join(v));
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
    double[][] vals = new double[1][labels.size()];
    double[][] sds = new double[1][labels.size()];
    for (int i = 0; i < labels.size(); i++) {
      double[] v = r.top1(Arm.Phase.TRANSFER, plan.loss(labels.get(i)), b0, p.seeds());
      MeanCi m = MeanCi.of(v);
      vals[0][i] = m.mean();
      sds[0][i] = m.sd();
      t.add(shown.get(i), m.mean(), m.sd(), v.length, join(v));
    }
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve("ablation.csv"));
    Plots.bars(dir.resolve("ablation.png"), "Ablation (transfer, batch " + b0 + ", mean +- sd)", "top-1 (novel classes)",
        List.of("batch " + b0), shown, vals, sds);
    md.append("![ablation](ablation.png)\n\n");
    double[] cl = r.top1(Arm.Phase.TRANSFER, plan.loss(BenchPlan.CE_CL), b0, p.seeds());
    double[] hnm = r.top1(Arm.Phase.TRANSFER, plan.loss(BenchPlan.CLCE), b0, p.seeds());
    PairedTTest x = PairedTTest.of(hnm, cl);
    md.append(String.format(Locale.ROOT, "CLCE - (CE+CL): mean %.4f, t %.3f, p %.4f, 95%% CI [%.4f, %.4f].%n%n",
        x.meanDiff(), x.t(), x.p(), x.ciLow(), x.ciHigh()));
    verdict("HNM adds to CL (CE+CL+HNM vs CE+CL)", hnm, cl, "CLCE - (CE+CL)");
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
    MeanCi mce = MeanCi.of(ce);
    MeanCi mcl = MeanCi.of(clce);
    t.add("CE", mce.mean(), mce.sd(), ce.length, join(ce));
    t.add("CLCE", mcl.mean(), mcl.sd(), clce.length, join(clce));
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve("isotropy.csv"));
    verdict("CLCE embeddings are more isotropic than CE's", clce, ce, "IS(CLCE) - IS(CE)");

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
      hs.add(label, ch.positiveMean(), ch.negativeMean(), ch.positiveMean() - ch.negativeMean(), ch.positivePairs(),
          ch.negativePairs());
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

  private void verdict(String claim, double[] a, double[] b, String what) {
    String word;
    String evidence;
    if (hasNaN(a) || hasNaN(b)) {
      word = INCONCLUSIVE;
      evidence = "not measured";
    } else {
      PairedTTest x = PairedTTest.of(a, b);
      MeanCi ma = MeanCi.of(a);
      MeanCi mb = MeanCi.of(b);
      if (x.sdDiff() == 0) {
        word = INCONCLUSIVE; // every seed gave the same difference: no spread to test against
      } else if (x.p() < ALPHA && x.meanDiff() > 0) {
        word = HELD;
      } else if (x.p() < ALPHA && x.meanDiff() < 0) {
        word = NOT_HELD;
      } else {
        word = INCONCLUSIVE;
      }
      evidence = String.format(Locale.ROOT, "%s = %+.4f (95%% CI %+.4f..%+.4f), p = %.3g, n = %d seeds; "
          + "%.4f +- %.4f vs %.4f +- %.4f (mean +- sd over seeds)", what, x.meanDiff(), x.ciLow(), x.ciHigh(), x.p(), x.n(),
          ma.mean(), ma.sd(), mb.mean(), mb.sd());
    }
    verdicts.add(new String[] {claim, word, evidence});
  }

  private void sectionVerdict() throws IOException {
    md.append("## 6. Verdict\n\n");
    md.append("A claim **held** when the paired two-sided t-test over seeds gives p < ").append(ALPHA)
        .append(" in the paper's direction, **did not hold** when p < ").append(ALPHA)
        .append(" against it, and is **inconclusive** otherwise, including when every seed gives the same difference "
            + "(no spread to test against; with ").append(p.seeds().size())
        .append(" seeds only large, consistent differences can reach significance).\n\n");
    Table t = new Table(List.of("claim", "verdict", "numbers"));
    for (String[] v : verdicts) {
      t.add(v[0], v[1], v[2]);
    }
    md.append(t.markdown()).append('\n');
    t.writeCsv(dir.resolve("verdict.csv"));
    md.append("Files: every table above is also a CSV in this directory (full precision); `runs.csv` lists every run; "
        + "`results.json` holds the configuration and provenance.\n");
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("provenance", provenance);
    json.put("preset", p.describe());
    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    AtomicFiles.writeString(dir.resolve("results.json"), om.writeValueAsString(json) + "\n");
  }

  private void runsCsv() {
    Table t = new Table(List.of("key", "phase", "label", "loss", "tau", "lambda", "batch", "seed", "top1", "head_top1",
        "steps", "seconds", "isotropy"));
    for (BenchRunner.ArmResult a : r.arms().values()) {
      LossConfig l = a.arm().loss();
      t.add(a.arm().key(), a.arm().phase().name(), a.arm().label(), l.kind().cliName(), l.tau(), l.lambda(),
          a.arm().batch(), a.arm().seed(), a.top1(), a.headTop1(), a.steps(), a.seconds(), a.isotropy());
    }
    t.writeCsv(dir.resolve("runs.csv"));
  }

  // ---- helpers ---------------------------------------------------------------------------------------

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

  private static String join(double[] v) {
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

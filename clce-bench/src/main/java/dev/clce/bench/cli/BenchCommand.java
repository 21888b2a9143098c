package dev.clce.bench.cli;

import dev.clce.bench.data.DataSpec;
import dev.clce.bench.data.FashionMnist;
import dev.clce.bench.protocol.Arm;
import dev.clce.bench.protocol.BenchPlan;
import dev.clce.bench.protocol.BenchPreset;
import dev.clce.bench.protocol.BenchReport;
import dev.clce.bench.protocol.BenchRunner;
import dev.clce.bench.protocol.Provenance;
import dev.clce.models.Arch;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./clce bench [--quick | --paper] [--out DIR]}: the paper's experiments at this machine's
 * scale, with a report ({@code DIR/report.md}, PNG plots, CSV of every number).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {"Runs the paper's experiments (batch size, few-shot, lambda, ablation, embedding quality) and "
        + "writes DIR/report.md with plots, CSV tables, configuration, provenance and a verdict per claim.",
        "Presets: default (at most ~90 min on 2 cores), --quick (at most 10 min), --paper (ResNet-101 or ViT-B/16 at "
            + "224 px from imported weights, for a GPU with -Pcuda)."})
public final class BenchCommand implements Callable<Integer> {
  /** The Debian package with Fashion-MNIST. */
  public static final String FASHION_PACKAGE = "dataset-fashion-mnist";

  @Spec CommandSpec spec;

  @Option(names = "--quick", description = "The 10-minute preset: every section, fewer seeds and steps.")
  boolean quick;

  @Option(names = "--paper", description = "The paper's setting (needs --weights and an RGB --data; GPU).")
  boolean paper;

  @Option(names = "--smoke", description = "With --paper: the paper's code path at a CPU smoke-test budget "
      + "(docs/BENCH.md).")
  boolean smoke;

  @Option(names = "--tiny", hidden = true, description = "Test-only preset: a few steps of a tiny model.")
  boolean tiny;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default reports/<timestamp>). Run "
      + "again with the same DIR and preset to continue an interrupted bench: finished runs (DIR/runs/*/result.json) are "
      + "read back, not repeated.")
  Path out;

  @Option(names = "--data", paramLabel = "KIND[:DIR]",
      description = "Dataset (default fashion-mnist; --paper: for example cifar100:DIR).")
  String data;

  @Option(names = "--arch", paramLabel = "ARCH", description = "--paper only: resnet101 (default) or vit_b_16.")
  String arch;

  @Option(names = "--weights", paramLabel = "FILE", description = "--paper only: pretrained weights (safetensors).")
  Path weights;

  @Option(names = "--threads", paramLabel = "N",
      description = "ND4J threads per op (default: ND4J's choice).")
  Integer threads;

  @Option(names = "--plan", description = "Print the runs and their estimated relative cost, run nothing.")
  boolean planOnly;

  /**
   * Checks every option, makes sure the data is there, runs the preset and writes the report.
   *
   * @return 0 on success (bad input is an IllegalArgumentException: exit code 2)
   */
  @Override
  public Integer call() {
    int presets = (quick ? 1 : 0) + (paper ? 1 : 0) + (tiny ? 1 : 0);
    if (presets > 1) {
      throw new IllegalArgumentException("preset: give at most one of --quick, --paper, --tiny, got " + presets);
    }
    if (!paper && (arch != null || weights != null)) {
      throw new IllegalArgumentException("arch/weights: only with --paper, got " + (arch != null ? arch : weights));
    }
    if (paper && data == null) {
      throw new IllegalArgumentException("data: --paper needs an RGB dataset, for example --data cifar100:DIR, got none");
    }
    if (threads != null && threads < 1) {
      throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
    }
    DataSpec dataSpec = DataSpec.parse(data == null ? "fashion-mnist" : data);
    BenchPreset preset;
    if (paper) {
      Arch a = Arch.fromName(arch == null ? Arch.RESNET101.cliName() : arch);
      if (a != Arch.RESNET101 && a != Arch.VIT_B_16) {
        throw new IllegalArgumentException("arch: --paper uses resnet101 or vit_b_16, got " + arch);
      }
      if (weights != null && !Files.isRegularFile(weights)) {
        throw new IllegalArgumentException("weights: no such file, got " + weights);
      }
      preset = smoke ? BenchPreset.paperSmoke(dataSpec, a, weights) : BenchPreset.paper(dataSpec, a, weights);
    } else {
      preset = quick ? BenchPreset.quick(dataSpec) : tiny ? BenchPreset.tiny(dataSpec) : BenchPreset.standard(dataSpec);
    }
    PrintWriter o = spec.commandLine().getOut();
    BenchPlan plan = new BenchPlan(preset);
    if (planOnly) {
      double total = plan.arms().stream().mapToDouble(plan::cost).sum();
      for (Arm a : plan.arms()) {
        o.printf(Locale.ROOT, "%-48s %-28s %5.1f%%%n", a.key(), BenchPlan.describe(a.phase()), 100 * plan.cost(a) / total);
      }
      o.printf(Locale.ROOT, "%d runs (preset %s), %.3g cost units (image passes plus a fixed overhead per run)%n",
          plan.arms().size(), preset.name(), total);
      o.flush();
      return 0;
    }
    ensureData(dataSpec);
    Path dir = out != null ? out
        : Path.of("reports", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("out: exists and is not a directory, got " + dir);
    }
    if (threads != null) {
      org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
    }
    Map<String, Object> prov = Provenance.collect();
    prov.put("nd4j_threads", org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads());
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create " + dir, e);
    }
    BenchRunner runner = new BenchRunner(preset, dir, spec.commandLine().getErr());
    if (!runner.data().equals(preset.data())) {
      prov.put("data_read_from", runner.data() + " (decompressed copy of " + preset.data() + ")");
    }
    BenchRunner.Results results = runner.run();
    prov.put("wall_time", BenchRunner.clock((System.nanoTime() - t0) / 1e9));
    prov.put("load_average_end", Provenance.loadAverage());
    Path report = BenchReport.write(results, prov, dir);
    o.println("report: " + report);
    o.flush();
    return 0;
  }

  /**
   * Makes sure the dataset is there: Fashion-MNIST in its default directory is installed with apt-get
   * when running as root; otherwise the command stops at once with the exact instruction. Other
   * datasets must name an existing directory (their files are validated when loaded).
   *
   * @param spec the dataset
   */
  static void ensureData(DataSpec spec) {
    if (spec.kind() != DataSpec.Kind.FASHION_MNIST) {
      if (!Files.isDirectory(spec.dir())) {
        throw new IllegalArgumentException("data: no such directory for " + spec.kind().id() + ", got " + spec.dir());
      }
      return;
    }
    if (present(spec.dir())) {
      return;
    }
    boolean isDefault = spec.dir().equals(FashionMnist.DEFAULT_DIR);
    if (isDefault && "root".equals(System.getProperty("user.name"))) {
      System.err.println("bench: Fashion-MNIST is missing; installing " + FASHION_PACKAGE + " with apt-get");
      try {
        Process p = new ProcessBuilder("apt-get", "install", "-y", FASHION_PACKAGE).inheritIO().start();
        if (p.waitFor(30, TimeUnit.MINUTES) && p.exitValue() == 0 && present(spec.dir())) {
          return;
        }
      } catch (IOException e) {
        // fall through to the instruction
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    throw new IllegalArgumentException("data: Fashion-MNIST is missing from " + spec.dir() + "; "
        + (isDefault ? "install it with: sudo apt-get install " + FASHION_PACKAGE + " (or pass --data fashion-mnist:DIR)"
            : "put train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and "
                + "t10k-labels-idx1-ubyte (plain or .gz) there"));
  }

  private static boolean present(Path dir) {
    for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte"}) {
      if (!Files.isRegularFile(dir.resolve(f)) && !Files.isRegularFile(dir.resolve(f + ".gz"))) {
        return false;
      }
    }
    return true;
  }

}

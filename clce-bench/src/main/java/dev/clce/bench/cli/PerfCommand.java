package dev.clce.bench.cli;

import dev.clce.bench.protocol.Provenance;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clce.bench.perf.LossStepBenchmark;
import dev.clce.bench.perf.OpCountListener;
import dev.clce.bench.perf.OpTimingListener;
import dev.clce.bench.perf.PeakRss;
import dev.clce.bench.perf.ProcessCpu;
import dev.clce.bench.perf.StepBenchmark;
import dev.clce.bench.perf.StepTimes;
import dev.clce.bench.perf.TrainStepBenchmark;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.models.Arch;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelOptions;
import dev.clce.bench.train.NativeMemoryGuard;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clce perf}: wall time of training steps (forward, loss, backward, Adam update, BatchNorm
 * running statistics) of a registered encoder, or of the loss alone, with peak resident memory.
 *
 * <pre>
 * ./clce perf --arch resnet101 --batch 2 --steps 5 --loss clce --json
 * ./clce perf --arch resnet50 --stem small --image-size 32 --batch 32 --steps 5 --loss ce --profile 15
 * ./clce perf --loss-only --loss clce --m 256 --d 768
 * ./clce perf --arch resnet18 --stem small --width 0.25 --max-blocks 1 --image-size 16 --channels 1 --batch 2048 --chunk 128
 * </pre>
 *
 * <p>The batch and the optimiser are described in {@link TrainStepBenchmark}; the loss-only inputs in
 * {@link LossStepBenchmark}. {@code scripts/perf_torch.py} runs the same configurations in PyTorch and
 * {@code scripts/perf-compare.sh} runs both sides interleaved and writes {@code docs/PERFORMANCE.md}.
 * Peak memory is the process's {@code VmHWM} ({@link PeakRss}): over the whole process (model build,
 * warm-up and timed steps) and over the timed steps alone.
 *
 * <p>{@code --trainer-step} times the step {@code clce train} takes instead of {@code sd.fit}, and
 * {@code --chunk N} its chunked form (gradient caching, {@link dev.clce.core.chunk.ChunkedGradients}):
 * {@code scripts/perf-chunk.sh} compares the two, each in a JVM of its own, since the peak resident
 * memory is the process's.
 */
@Command(
    name = "perf",
    mixinStandardHelpOptions = true,
    description = "Time training steps of an encoder with a loss (or the loss alone); median step time, images/s, peak RSS.")
public final class PerfCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Option(names = "--arch", paramLabel = "ARCH", completionCandidates = CliTypes.Archs.class,
      description = "encoder (required unless --loss-only): ${COMPLETION-CANDIDATES}")
  String arch;

  @CommandLine.Mixin ModelOptionsMixin model = new ModelOptionsMixin();

  @CommandLine.Mixin InputShapeMixin shape = new InputShapeMixin();

  @Option(names = "--batch", paramLabel = "B", description = "images per step, even (default ${DEFAULT-VALUE})")
  int batch = 2;

  @Option(names = "--trainer-step", description = "time the step `clce train` takes (one SameDiff pass, then the "
      + "trainer's Adam) instead of sd.fit")
  boolean trainerStep;

  @Option(names = "--chunk", paramLabel = "N", description = "time the trainer's chunked step (as `train --chunk`): "
      + "the batch's gradient computed N images at a time, N even (rows i and i + B/2 are the two views of one image "
      + "and go into the same chunk) and in [2, --batch]; implies --trainer-step")
  Integer chunk;

  @Option(names = "--steps", paramLabel = "S", description = "timed steps (default ${DEFAULT-VALUE})")
  int steps = 5;

  @Option(names = "--warmup", paramLabel = "W", description = "untimed steps first; the first builds the gradient graph (default ${DEFAULT-VALUE})")
  int warmup = 2;

  /** The loss; {@code --loss} defaults to clce here. */
  @CommandLine.Mixin LossMixin loss = new LossMixin();

  @Option(names = "--loss-only", description = "time the loss alone (forward + backward) on random [M, d] inputs")
  boolean lossOnly;

  @Option(names = "--m", paramLabel = "M", description = "rows of the loss-only inputs (default ${DEFAULT-VALUE})")
  int m = 256;

  @Option(names = "--d", paramLabel = "D", description = "embedding width of the loss-only inputs (default ${DEFAULT-VALUE})")
  int d = 768;

  @Option(names = "--form", paramLabel = "FORM", description = "loss-only: samediff or eager (default ${DEFAULT-VALUE})")
  String form = "samediff";

  @Option(names = "--profile", paramLabel = "N", arity = "0..1", fallbackValue = "15",
      description = "time every op of the timed steps and print the N op types that took longest (default N 15)")
  Integer profile;

  @Option(names = "--elementwise-threshold", paramLabel = "N",
      description = "ND4J: element-wise ops on fewer than N elements run on one thread (ND4J's default 1024)")
  Integer elementwiseThreshold;

  @Option(names = "--tad-threshold", paramLabel = "N",
      description = "ND4J: ops along dimensions with fewer than N sub-arrays run on one thread (ND4J's default 1)")
  Integer tadThreshold;

  @Option(names = "--gc-overhead", paramLabel = "F",
      description = "training: run the garbage collector between steps, at most this share of the time "
          + "(NativeMemoryGuard; ND4J frees off-heap memory at GC; 0 = never; default ${DEFAULT-VALUE})")
  double gcOverhead = NativeMemoryGuard.DEFAULT_MAX_OVERHEAD;

  @Option(names = "--seed", paramLabel = "S", description = "seed of weights and inputs (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  /** @return the validated model options from the command line */
  ModelOptions options() {
    return shape.apply(model.builder()).optSeed(seed).build();
  }

  /**
   * Runs the benchmark and prints the result.
   *
   * @return the exit code
   */
  @Override
  public Integer call() {
    if (steps < 1) {
      throw new IllegalArgumentException("--steps: must be >= 1, got " + steps);
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("--warmup: must be >= 0, got " + warmup);
    }
    if (profile != null && profile < 1) {
      throw new IllegalArgumentException("--profile: must be >= 1, got " + profile);
    }
    if (elementwiseThreshold != null && elementwiseThreshold < 1) {
      throw new IllegalArgumentException("--elementwise-threshold: must be >= 1, got " + elementwiseThreshold);
    }
    if (tadThreshold != null && tadThreshold < 1) {
      throw new IllegalArgumentException("--tad-threshold: must be >= 1, got " + tadThreshold);
    }
    if (chunk != null && (chunk < 1 || chunk > batch)) {
      throw new IllegalArgumentException("--chunk: must be in [1, --batch = " + batch + "] images, got " + chunk);
    }
    if (chunk != null && chunk % 2 != 0) {
      throw new IllegalArgumentException("--chunk: must be even (rows i and i + B/2 are two views of one image and go "
          + "into the same chunk), got " + chunk);
    }
    boolean trainer = trainerStep || chunk != null;
    if (trainer && lossOnly) {
      throw new IllegalArgumentException((chunk != null ? "--chunk" : "--trainer-step")
          + ": times a training step, not with --loss-only");
    }
    if (trainer && profile != null) {
      throw new IllegalArgumentException("--profile: only for the sd.fit step, not with "
          + (chunk != null ? "--chunk" : "--trainer-step"));
    }
    LossConfig cfg = loss.config(LossKind.CLCE);
    if (elementwiseThreshold != null) {
      Nd4j.getEnvironment().setElementwiseThreshold(elementwiseThreshold);
    }
    if (tadThreshold != null) {
      Nd4j.getEnvironment().setTadThreshold(tadThreshold);
    }
    Nd4j.getEnvironment();   // loads ND4J's native libraries, so that the start includes them
    double rssStart = PeakRss.currentMb();   // the JVM and ND4J, before any model or data
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("tool", "clce perf");
    root.put("side", "java");
    root.put("loss", cfg.kind().cliName());
    OpTimingListener prof = profile == null ? null : new OpTimingListener();
    // The trainer's step takes no SameDiff listeners: its ops are counted by the sd.fit step of the same model.
    OpCountListener opCount = trainer ? null : new OpCountListener();
    StepTimes t;
    long imagesPerStep;
    double[] cpu = new double[1];
    double[] peaks = new double[2];
    if (lossOnly) {
      LossStepBenchmark.Form f = switch (form.toLowerCase(Locale.ROOT)) {
        case "samediff" -> LossStepBenchmark.Form.SAMEDIFF;
        case "eager" -> LossStepBenchmark.Form.EAGER;
        default -> throw new IllegalArgumentException("--form: must be samediff or eager, got " + form);
      };
      if (prof != null && f == LossStepBenchmark.Form.EAGER) {
        throw new IllegalArgumentException("--profile: only with --form samediff (the eager form runs no graph), got --form " + form);
      }
      LossStepBenchmark b = new LossStepBenchmark(cfg, f, m, d, seed);
      root.put("mode", "loss-only");
      root.put("form", f.name().toLowerCase(Locale.ROOT));
      root.put("M", m);
      root.put("d", d);
      t = warmUpAndTime(b, prof, opCount, cpu, peaks);
      imagesPerStep = m;
    } else {
      if (arch == null) {
        throw new IllegalArgumentException("--arch: required unless --loss-only, got none");
      }
      Arch a = Arch.fromName(arch);
      ModelOptions o = options();
      if (batch < 2 || batch % 2 != 0) {
        throw new IllegalArgumentException("--batch: must be even and >= 2 (two views per image), got " + batch);
      }
      if (!(gcOverhead >= 0 && gcOverhead <= 1)) {
        throw new IllegalArgumentException("--gc-overhead: must be in [0, 1], got " + gcOverhead);
      }
      EncoderModel model = a.create(o);
      TrainStepBenchmark b = trainer ? TrainStepBenchmark.trainer(model, cfg, batch, chunk == null ? 0 : chunk, seed)
          : TrainStepBenchmark.fit(model, cfg, batch, seed);
      b.setMemoryGuard(gcOverhead == 0 ? null : new NativeMemoryGuard(gcOverhead));
      root.put("mode", "train");
      root.put("arch", a.cliName());
      root.put("image_size", o.imageSize());
      root.put("stem", o.stem().cliName());
      root.put("classes", o.classes());
      root.put("batch", batch);
      root.put("step", trainer ? "trainer" : "fit");
      root.put("chunk", b.chunk());
      root.put("trainable_parameters", model.trainableParameterCount());
      root.put("graph_ops", model.sameDiff().getOps().size());
      if (!trainer) {
        root.put("loss_before", b.currentLoss());
      }
      t = warmUpAndTime(b, prof, opCount, cpu, peaks);
      root.put("first_step_s", b.firstStepSeconds());
      if (trainer) {
        root.put("loss_first_step", b.firstStepLoss());
        root.put("loss_last_step", b.lastStepLoss());
      } else {
        root.put("loss_after", b.currentLoss());
      }
      root.put("gc_overhead", gcOverhead);
      root.put("gc_collections", b.memoryCollections());
      ArrayNode rss = root.putArray("rss_after_step_mb");
      b.rssAfterStepMb().forEach(rss::add);
      imagesPerStep = batch;
    }
    root.put("warmup", warmup);
    root.put("steps", steps);
    root.put("median_step_s", t.median());
    root.put("min_step_s", t.min());
    root.put("max_step_s", t.max());
    root.put("early_median_s", t.earlyMedian());
    root.put("late_median_s", t.lateMedian());
    root.put("images_per_s", imagesPerStep / t.median());
    root.put("s_per_image", t.median() / imagesPerStep);
    root.put("cpu_s_per_step", cpu[0] / steps);
    if (opCount != null) {
      root.put("ops_per_step", (double) opCount.count() / steps);
    }
    double peak = Math.max(peaks[0], PeakRss.peakMb());
    root.put("peak_rss_mb", peak);
    root.put("timed_peak_rss_mb", peaks[1]);
    root.put("rss_start_mb", rssStart);
    ArrayNode ts = root.putArray("step_s");
    for (double s : t.seconds()) {
      ts.add(s);
    }
    root.put("java", System.getProperty("java.version"));
    root.put("nd4j_build", Provenance.nd4jBuild());
    root.put("nd4j_max_threads", Nd4j.getEnvironment().maxThreads());
    root.put("nd4j_elementwise_threshold", Nd4j.getEnvironment().elementwiseThreshold());
    root.put("nd4j_tad_threshold", Nd4j.getEnvironment().tadThreshold());
    if (prof != null) {
      ArrayNode p = root.putArray("profile");
      root.put("profile_op_total_s", prof.totalNanos() / 1e9 / steps);
      root.put("profile_op_count", prof.totalCount() / steps);
      for (OpTimingListener.OpTypeTime e : prof.top(profile)) {
        ObjectNode r = p.addObject();
        r.put("op", e.opType());
        r.put("s_per_step", e.nanos() / 1e9 / steps);
        r.put("count_per_step", e.count() / steps);
        r.put("mean_us", e.meanMicros());
      }
    }
    PrintWriter out = commandSpec.commandLine().getOut();
    if (json) {
      out.println(root.toString());
    } else {
      out.printf(Locale.ROOT, "%s%n", lossOnly ? "loss " + cfg.kind().cliName() + " M=" + m + " d=" + d + " (" + form + ")"
          : arch + " batch " + batch + " loss " + cfg.kind().cliName() + (chunk != null ? ", trainer's step in chunks of "
              + chunk : trainer ? ", trainer's step" : ""));
      out.printf(Locale.ROOT, "median step  %.4f s  (min %.4f, max %.4f, %d steps after %d warm-up)%n", t.median(), t.min(),
          t.max(), steps, warmup);
      out.printf(Locale.ROOT, "CPU per step %.4f s (process, all threads; mean)%n", cpu[0] / steps);
      if (opCount != null) {
        out.printf(Locale.ROOT, "ops per step %.1f (op executions, mean over the timed steps)%n",
            (double) opCount.count() / steps);
      }
      out.printf(Locale.ROOT, "throughput   %.2f %s/s%n", imagesPerStep / t.median(), lossOnly ? "rows" : "images");
      out.printf(Locale.ROOT, "per %s    %.3f ms%n", lossOnly ? "row  " : "image", 1e3 * t.median() / imagesPerStep);
      out.printf(Locale.ROOT, "peak RSS     %.0f MiB (timed steps %.0f MiB; %.0f MiB at the start)%n", peak, peaks[1],
          rssStart);
      if (prof != null) {
        double total = prof.totalNanos() / 1e9 / steps;
        out.printf(Locale.ROOT, "ops per step %d, op time %.4f s of %.4f s median step%n", prof.totalCount() / steps, total,
            t.median());
        out.printf(Locale.ROOT, "%-28s %10s %7s %8s %10s%n", "op type", "s/step", "share", "count", "mean us");
        for (OpTimingListener.OpTypeTime e : prof.top(profile)) {
          double s = e.nanos() / 1e9 / steps;
          out.printf(Locale.ROOT, "%-28s %10.4f %6.1f%% %8d %10.1f%n", e.opType(), s, 100 * s / total, e.count() / steps,
              e.meanMicros());
        }
      }
    }
    out.flush();
    return 0;
  }

  /**
   * The warm-up steps (with a profile, the listener is attached after them, so that it covers the
   * timed steps only), then the timed steps.
   *
   * @param b the benchmark
   * @param prof the op profile, or null
   * @param opCount counts the op executions of the timed steps (attached after the warm-up), or null
   * @param cpuSeconds gets the process CPU seconds of the timed steps in element 0
   * @param peakMb gets the peak resident set size (MiB) before the timed steps in element 0 and over
   *     the timed steps in element 1 (the peak is reset in between; -1 where that is not possible)
   * @return the timed steps
   */
  private StepTimes warmUpAndTime(StepBenchmark b, OpTimingListener prof, OpCountListener opCount, double[] cpuSeconds,
      double[] peakMb) {
    if (prof != null) {
      b.run(warmup, 1);
      b.addListener(prof);
      prof.reset();
    } else {
      for (int i = 0; i < warmup; i++) {
        b.step();
      }
    }
    peakMb[0] = PeakRss.peakMb();
    boolean reset = PeakRss.resetPeak();
    if (opCount != null) {
      b.addListener(opCount);
      opCount.reset();
    }
    double cpu0 = ProcessCpu.seconds();
    StepTimes t = b.run(0, steps);
    cpuSeconds[0] = ProcessCpu.seconds() - cpu0;
    peakMb[1] = reset ? PeakRss.peakMb() : -1;
    return t;
  }
}

package dev.clce.bench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clce.core.loss.EagerLoss;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.SDClceLoss;
import dev.clce.core.random.NdRandom;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clce loss-bench}: forward plus backward time of each loss, eager and SameDiff, on random
 * inputs (two views of M/2 images, 10 classes), warm-up runs then the median of N timed runs.
 * {@code scripts/bench-losses.sh} runs it next to {@code scripts/bench_losses.py} (PyTorch) and writes
 * the table in {@code docs/BENCHMARKS.md}.
 *
 * <p>Eager: one call of {@link EagerLoss#compute} (value and gradients, default configuration, so
 * the inputs are checked for NaN/infinity each call). SameDiff: the graph is built once per
 * configuration with fixed shapes; one timed run is {@code sd.calculateGradients} for the
 * embeddings and (where read) the logits, which runs the forward pass and the backward pass.
 */
@Command(
    name = "loss-bench",
    mixinStandardHelpOptions = true,
    description = "Time forward+backward of each loss (eager and SameDiff) on random inputs.")
public final class LossBenchCommand implements Callable<Integer> {

  private static final String Z = "z";
  private static final String Y = "y";
  private static final String O = "o";
  private static final String LOSS = "loss";
  private static final String FORM_EAGER = "eager";
  private static final String FORM_SAMEDIFF = "samediff";

  @Spec CommandSpec spec;

  @Option(names = "--m", split = ",", defaultValue = "128,256", description = "batch sizes M (default 128,256)")
  int[] ms;

  @Option(names = "--d", split = ",", defaultValue = "128,768", description = "embedding widths d (default 128,768)")
  int[] ds;

  @Option(names = "--losses", split = ",", defaultValue = "ce,supcon,hscl,cl,lacln,clce",
      completionCandidates = CliTypes.Losses.class,
      description = "losses to time, of ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}: the single losses)")
  String[] losses;

  @Option(names = "--forms", split = ",", defaultValue = "eager,samediff", description = "eager and/or samediff")
  String[] forms;

  @Option(names = "--dtype", defaultValue = "float", description = "float (default) or double")
  String dtype;

  @Option(names = "--num-classes", defaultValue = "10", description = "number of classes C (default 10)")
  int classes;

  @Option(names = "--warmup", defaultValue = "5", description = "untimed runs first (default 5)")
  int warmup;

  @Option(names = "--reps", defaultValue = "20", description = "timed runs; the median is reported (default 20)")
  int reps;

  @Option(names = "--seed", defaultValue = "1", description = "random seed (default 1)")
  long seed;

  @Option(names = "--json", description = "print one JSON object instead of a table")
  boolean json;

  @Override
  public Integer call() {
    if (reps < 1) {
      throw new IllegalArgumentException("--reps: must be >= 1, got " + reps);
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("--warmup: must be >= 0, got " + warmup);
    }
    if (classes < 2) {
      throw new IllegalArgumentException("--num-classes: must be >= 2, got " + classes);
    }
    for (int m : ms) {
      if (m < 2 || m % 2 != 0) {
        throw new IllegalArgumentException("--m: must be even and >= 2 (two views per image), got " + m);
      }
    }
    for (int d : ds) {
      if (d < 1) {
        throw new IllegalArgumentException("--d: must be >= 1, got " + d);
      }
    }
    DataType dt = switch (dtype.toLowerCase(Locale.ROOT)) {
      case "float", "float32" -> DataType.FLOAT;
      case "double", "float64" -> DataType.DOUBLE;
      default -> throw new IllegalArgumentException("--dtype: unknown value '" + dtype + "' (expected float or double)");
    };
    List<LossKind> kinds = new ArrayList<>();
    for (String l : losses) {
      kinds.add(LossKind.parse(l));
    }
    for (String f : forms) {
      if (!f.equals(FORM_EAGER) && !f.equals(FORM_SAMEDIFF)) {
        throw new IllegalArgumentException("--forms: unknown form '" + f + "' (expected eager or samediff)");
      }
    }

    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("tool", "clce loss-bench");
    root.put("java", System.getProperty("java.version"));
    root.put("backend", Nd4j.getBackend().getClass().getSimpleName());
    root.put("nd4j_max_threads", Nd4j.getEnvironment().maxThreads());
    root.put("dtype", dt == DataType.FLOAT ? "float" : "double");
    root.put("warmup", warmup);
    root.put("reps", reps);
    ArrayNode results = root.putArray("results");
    PrintWriter out = spec.commandLine().getOut();
    if (!json) {
      out.printf(Locale.ROOT, "%-9s %-9s %5s %5s %10s %10s %10s%n", "loss", "form", "M", "d", "median_ms", "min_ms",
          "max_ms");
    }
    java.util.Random rnd = new java.util.Random(seed);
    for (int m : ms) {
      for (int d : ds) {
        INDArray z = NdRandom.randn(seed + m * 31L + d, DataType.FLOAT, m, d).castTo(dt);
        INDArray o = NdRandom.randn(seed + m * 37L + d + 1, DataType.FLOAT, m, classes).castTo(dt);
        long[] img = new long[m / 2];
        for (int i = 0; i < img.length; i++) {
          img[i] = rnd.nextInt(classes);
        }
        long[] yv = new long[m];
        for (int i = 0; i < m; i++) {
          yv[i] = img[i % img.length];
        }
        INDArray y = Nd4j.createFromArray(yv);
        for (LossKind k : kinds) {
          LossConfig cfg = LossConfig.builder(k).build();
          for (String form : forms) {
            double[] t = form.equals(FORM_EAGER) ? timeEager(cfg, z, y, o) : timeSameDiff(cfg, z, y, o);
            double[] sorted = t.clone();
            Arrays.sort(sorted);
            double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : 0.5 * (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]);
            ObjectNode r = results.addObject();
            r.put("loss", k.cliName());
            r.put("form", form);
            r.put("M", m);
            r.put("d", d);
            r.put("median_ms", median);
            r.put("min_ms", sorted[0]);
            r.put("max_ms", sorted[sorted.length - 1]);
            if (!json) {
              out.printf(Locale.ROOT, "%-9s %-9s %5d %5d %10.3f %10.3f %10.3f%n", k.cliName(), form, m, d, median,
                  sorted[0], sorted[sorted.length - 1]);
              out.flush();
            }
          }
        }
      }
    }
    if (json) {
      out.println(root.toString());
    }
    out.flush();
    return 0;
  }

  private double[] timeEager(LossConfig cfg, INDArray z, INDArray y, INDArray o) {
    INDArray zz = cfg.kind().usesEmbeddings() ? z : null;
    INDArray oo = cfg.kind().usesLogits() ? o : null;
    double[] t = new double[reps];
    for (int i = -warmup; i < reps; i++) {
      long t0 = System.nanoTime();
      EagerLoss.compute(cfg, zz, y, oo);
      long t1 = System.nanoTime();
      if (i >= 0) {
        t[i] = (t1 - t0) / 1e6;
      }
    }
    return t;
  }

  private double[] timeSameDiff(LossConfig cfg, INDArray z, INDArray y, INDArray o) {
    SameDiff sd = SameDiff.create();
    Map<String, INDArray> ph = new HashMap<>();
    List<String> wrt = new ArrayList<>();
    SDVariable zv = null;
    SDVariable ov = null;
    if (cfg.kind().usesEmbeddings()) {
      zv = sd.placeHolder(Z, z.dataType(), z.shape());
      ph.put(Z, z);
      wrt.add(Z);
    }
    if (cfg.kind().usesLogits()) {
      ov = sd.placeHolder(O, o.dataType(), o.shape());
      ph.put(O, o);
      wrt.add(O);
    }
    SDVariable yv = sd.placeHolder(Y, y.dataType(), y.shape());
    ph.put(Y, y);
    SDClceLoss.of(sd).loss(LOSS, cfg, zv, yv, ov).markAsLoss();
    sd.createGradFunction(wrt.toArray(new String[0])); // gradients with respect to placeholders
    double[] t = new double[reps];
    for (int i = -warmup; i < reps; i++) {
      long t0 = System.nanoTime();
      sd.calculateGradients(ph, wrt);
      long t1 = System.nanoTime();
      if (i >= 0) {
        t[i] = (t1 - t0) / 1e6;
      }
    }
    return t;
  }
}

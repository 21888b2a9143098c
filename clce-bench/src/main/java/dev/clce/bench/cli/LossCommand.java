package dev.clce.bench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clce.core.internal.AtomicFiles;
import dev.clce.core.internal.Npy;
import dev.clce.core.loss.EagerLoss;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.LossResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clce loss}: one loss and its gradients from NumPy files, for checking results across
 * frameworks.
 *
 * <p>Reads Z (float64 [M, d]), Y (int32 or int64 [M]) and O (float64 [M, C]); writes
 * {@code DIR/loss.json} (the value, the configuration, data type and sizes),
 * {@code DIR/grad_embeddings.npy} when the loss reads the embeddings and {@code DIR/grad_logits.npy}
 * when it reads the logits (float64, the inputs' shapes). Every input is checked before anything is
 * computed; bad input exits with code 2 and one line naming the argument, and leaves DIR untouched.
 * Each file is written atomically, {@code loss.json} last.
 */
@Command(
    name = "loss",
    mixinStandardHelpOptions = true,
    description = "Compute one loss and its gradients from .npy files (see LOSSES.md).")
public final class LossCommand implements Callable<Integer> {

  /** The JSON result file. */
  public static final String LOSS_JSON = "loss.json";
  /** d loss / d embeddings, float64 [M, d]. */
  public static final String GRAD_EMBEDDINGS = "grad_embeddings.npy";
  /** d loss / d logits, float64 [M, C]. */
  public static final String GRAD_LOGITS = "grad_logits.npy";

  static final String OPT_LOSS = "--loss";
  static final String OPT_EMBEDDINGS = "--embeddings";
  static final String OPT_LABELS = "--labels";
  static final String OPT_LOGITS = "--logits";
  static final String OPT_TAU = "--tau";
  static final String OPT_LAMBDA = "--lambda";
  static final String OPT_BETA = "--beta";
  static final String OPT_AGGREGATION = "--aggregation";
  static final String OPT_DTYPE = "--dtype";
  static final String OPT_OUT = "--out";

  /** Library argument names (the start of their exception messages) and the options they come from. */
  private static final Map<String, String> API_TO_OPTION = Map.of(
      "embeddings", OPT_EMBEDDINGS, "z", OPT_EMBEDDINGS,
      "labels", OPT_LABELS, "y", OPT_LABELS,
      "logits", OPT_LOGITS, "o", OPT_LOGITS,
      "tau", OPT_TAU, "lambda", OPT_LAMBDA, "beta", OPT_BETA,
      "aggregation", OPT_AGGREGATION);

  @Spec CommandSpec spec;

  @Mixin LossMixin loss = new LossMixin();

  @Option(names = OPT_EMBEDDINGS, paramLabel = "Z.npy",
      description = "raw embeddings, float64 [M, d] (needed by every loss but ce)")
  Path embeddings;

  @Option(names = OPT_LABELS, required = true, paramLabel = "Y.npy", description = "labels, int32 or int64 [M]")
  Path labels;

  @Option(names = OPT_LOGITS, paramLabel = "O.npy", description = "logits, float64 [M, C] (needed by ce, clce, ce+supcon and ce+cl)")
  Path logits;

  @Option(names = OPT_DTYPE, paramLabel = "DTYPE", defaultValue = "double",
      description = "compute in double (default) or float; outputs are float64 either way")
  String dtype;

  @Option(names = OPT_OUT, required = true, paramLabel = "DIR", description = "output folder (created if missing)")
  Path out;

  @Override
  public Integer call() {
    // 1. Everything is validated before anything is computed or written.
    LossConfig cfg = config();
    DataType dt = dataType(dtype);
    checkOut(out);
    LossKind kind = cfg.kind();
    if (kind.usesEmbeddings() && embeddings == null) {
      throw new IllegalArgumentException(OPT_EMBEDDINGS + ": required by " + OPT_LOSS + " " + kind.cliName());
    }
    if (kind.usesLogits() && logits == null) {
      throw new IllegalArgumentException(OPT_LOGITS + ": required by " + OPT_LOSS + " " + kind.cliName());
    }
    INDArray y = read(OPT_LABELS, labels);
    if (y.rank() != 1 || (y.dataType() != DataType.INT && y.dataType() != DataType.LONG)) {
      throw new IllegalArgumentException(OPT_LABELS + ": " + labels + " must hold int32 or int64 of shape (M,), got "
          + describe(y));
    }
    long m = y.length();
    INDArray z = embeddings == null ? null : readMatrix(OPT_EMBEDDINGS, embeddings, m);
    INDArray o = logits == null ? null : readMatrix(OPT_LOGITS, logits, m);
    if (m < 2) {
      throw new IllegalArgumentException(OPT_LABELS + ": need M >= 2 rows, got " + m);
    }
    long[] yv = y.toLongVector();
    long c = o == null ? -1 : o.size(1);
    for (int i = 0; i < yv.length; i++) {
      if (yv[i] < 0) {
        throw new IllegalArgumentException(OPT_LABELS + ": label " + yv[i] + " at row " + i + " is negative");
      }
      if (c >= 0 && yv[i] >= c) {
        throw new IllegalArgumentException(OPT_LABELS + ": label " + yv[i] + " at row " + i + " is outside [0, " + c
            + ") (C = " + c + " columns in " + OPT_LOGITS + ")");
      }
    }
    checkFinite(OPT_EMBEDDINGS, z);
    checkFinite(OPT_LOGITS, o);

    // 2. Compute (the library checks the LOSSES.md rules again; its messages are mapped to options).
    INDArray zIn = kind.usesEmbeddings() ? z.castTo(dt) : null;
    INDArray oIn = kind.usesLogits() ? o.castTo(dt) : null;
    LossResult r;
    try {
      r = EagerLoss.compute(cfg, zIn, y, oIn);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(toOptionMessage(e.getMessage()), e);
    }
    if (!Double.isFinite(r.value())) {
      throw new IllegalStateException("the loss is not finite: " + r.value());
    }

    // 3. Encode, then write each file atomically, loss.json last.
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (kind.usesEmbeddings()) {
      files.put(GRAD_EMBEDDINGS, Npy.toBytes(r.gradEmbeddings().castTo(DataType.DOUBLE)));
    }
    if (kind.usesLogits()) {
      files.put(GRAD_LOGITS, Npy.toBytes(r.gradLogits().castTo(DataType.DOUBLE)));
    }
    files.put(LOSS_JSON, json(cfg, dt, r.value(), m, z, o, files));
    writeAll(out, files);
    spec.commandLine().getOut().printf(Locale.ROOT, "%s = %.17g (%s, M=%d) -> %s%n",
        kind.cliName(), r.value(), dt == DataType.DOUBLE ? "double" : "float", m, out);
    spec.commandLine().getOut().flush();
    return 0;
  }

  private LossConfig config() {
    try {
      return loss.config(null);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(toOptionMessage(e.getMessage()), e);
    }
  }

  private static DataType dataType(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "double", "float64" -> DataType.DOUBLE;
      case "float", "float32" -> DataType.FLOAT;
      default -> throw new IllegalArgumentException(OPT_DTYPE + ": unknown value '" + name + "' (expected double or float)");
    };
  }

  private static void checkOut(Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(OPT_OUT + ": " + dir + " exists and is not a directory");
    }
  }

  private static INDArray read(String option, Path file) {
    try {
      return Npy.read(file);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  private static INDArray readMatrix(String option, Path file, long rows) {
    INDArray a = read(option, file);
    if (a.rank() != 2 || a.dataType() != DataType.DOUBLE) {
      throw new IllegalArgumentException(option + ": " + file + " must hold float64 of shape (M, n), got " + describe(a));
    }
    if (a.size(0) != rows) {
      throw new IllegalArgumentException(option + ": " + file + " has " + a.size(0) + " rows, " + OPT_LABELS + " has "
          + rows);
    }
    if (a.size(1) < 1) {
      throw new IllegalArgumentException(option + ": " + file + " has no columns");
    }
    return a;
  }

  private static void checkFinite(String option, INDArray a) {
    if (a == null) {
      return;
    }
    double[][] v = a.toDoubleMatrix();
    for (int i = 0; i < v.length; i++) {
      for (int j = 0; j < v[i].length; j++) {
        if (!Double.isFinite(v[i][j])) {
          throw new IllegalArgumentException(option + ": value " + v[i][j] + " at [" + i + ", " + j + "] is not finite");
        }
      }
    }
  }

  private static String describe(INDArray a) {
    return a.dataType().toString().toLowerCase(Locale.ROOT) + " " + java.util.Arrays.toString(a.shape());
  }

  /** Rewrites "name: ..." from the library to "--option: ..." when the name is an API argument. */
  static String toOptionMessage(String message) {
    if (message == null) {
      return "invalid input";
    }
    int colon = message.indexOf(':');
    if (colon > 0) {
      String head = message.substring(0, colon).trim();
      if (head.equals("loss")) {
        return OPT_LOSS + message.substring(colon);
      }
      String option = API_TO_OPTION.get(head);
      if (option != null) {
        return option + message.substring(colon);
      }
    }
    return message;
  }

  private byte[] json(LossConfig cfg, DataType dt, double value, long m, INDArray z, INDArray o,
      Map<String, byte[]> grads) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("loss", value);
    ObjectNode c = root.putObject("config");
    c.put("loss", cfg.kind().cliName());
    c.put("tau", cfg.tau());
    c.put("lambda", cfg.lambda());
    c.put("beta", cfg.beta());
    c.put("aggregation", cfg.aggregation().cliName());
    c.put("detach_weights", cfg.detachWeights());
    root.put("dtype", dt == DataType.DOUBLE ? "double" : "float");
    root.put("M", m);
    if (z != null) {
      root.put("d", z.size(1));
    } else {
      root.putNull("d");
    }
    if (o != null) {
      root.put("C", o.size(1));
    } else {
      root.putNull("C");
    }
    ObjectNode in = root.putObject("inputs");
    in.put("embeddings", embeddings == null ? null : embeddings.toAbsolutePath().toString());
    in.put("labels", labels.toAbsolutePath().toString());
    in.put("logits", logits == null ? null : logits.toAbsolutePath().toString());
    ObjectNode outputs = root.putObject("outputs");
    outputs.put("grad_embeddings", grads.containsKey(GRAD_EMBEDDINGS) ? GRAD_EMBEDDINGS : null);
    outputs.put("grad_logits", grads.containsKey(GRAD_LOGITS) ? GRAD_LOGITS : null);
    root.put("backend", Nd4j.getBackend().getClass().getSimpleName());
    try {
      return (mapper.writeValueAsString(root) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the files in order, each atomically ({@link AtomicFiles}); {@code loss.json} comes last, so
   * its presence says the others are complete.
   */
  private static void writeAll(Path dir, Map<String, byte[]> files) {
    try {
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        AtomicFiles.write(dir.resolve(f.getKey()), f.getValue());
      }
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException(OPT_OUT + ": cannot write to " + dir + " (" + e.getMessage() + ")", e.getCause());
    }
  }
}

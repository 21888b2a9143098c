package dev.clce.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.core.internal.Npy;
import dev.clce.core.loss.LossFixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code clce loss} run in-process: results equal the PyTorch fixtures of clce-core, and every
 * bad input gives exit code 2, one line on stderr naming the argument, and an untouched output
 * folder.
 */
class LossCommandTest {

  private static final String CLCE_CASE = "rand_m32_d16_clce_tau0p5_lam0p9_lom";
  /** int32 labels, M = 7, mean-of-log. */
  private static final String LACLN_INT32_CASE = "m7_d5_lacln_tau0p5_mol";
  private static final String CE_CASE = "duplicates_ce_tau0p5";
  private static final String SENTINEL = "keep.txt";

  @TempDir Path tmp;
  private Path z;
  private Path y;
  private Path o;
  private Path out;

  /** Result of one in-process run. */
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ClceCli.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeEach
  void inputs() throws IOException {
    LossFixtures.InputSet s = LossFixtures.load().byId(CLCE_CASE).inputs();
    z = LossFixtures.copyTo(s.zFile(), tmp.resolve("z.npy"));
    y = LossFixtures.copyTo(s.yFile(), tmp.resolve("y.npy"));
    o = LossFixtures.copyTo(s.oFile(), tmp.resolve("o.npy"));
    out = tmp.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve(SENTINEL), "untouched");
  }

  private List<String> args(LossFixtures.Case c, Path zf, Path yf, Path of, String dtype) {
    JsonNode cfg = c.json();
    List<String> a = new ArrayList<>(List.of("loss", "--loss", cfg.get("loss").asText(), "--labels", yf.toString(),
        "--tau", cfg.get("tau").asText(), "--lambda", cfg.get("lambda").asText(), "--beta", cfg.get("beta").asText(),
        "--aggregation", cfg.get("aggregation").asText(), "--dtype", dtype, "--out", out.toString()));
    if (zf != null) {
      a.addAll(List.of("--embeddings", zf.toString()));
    }
    if (of != null) {
      a.addAll(List.of("--logits", of.toString()));
    }
    if (cfg.get("detach_weights").asBoolean()) {
      a.add("--detach-weights");
    }
    return a;
  }

  static Stream<Arguments> fixtureRuns() {
    return Stream.of(
        Arguments.of(CLCE_CASE, "double"), Arguments.of(CLCE_CASE, "float"),
        Arguments.of(LACLN_INT32_CASE, "double"), Arguments.of(CE_CASE, "double"),
        Arguments.of("zero_row_lacln_tau0p5_lom_detach", "double"),
        Arguments.of("rand_m32_d16_ce_supcon_tau0p1_lam0p5", "double"),
        Arguments.of("rand_m32_d16_ce_supcon_tau0p5_lam0p9", "float"),
        Arguments.of("rand_m32_d16_ce_cl_tau0p1_lam0p5_mol", "double"),
        Arguments.of("singletons_ce_cl_tau0p5_lam0p9_lom", "float"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fixtureRuns")
  void resultsEqualThePyTorchFixture(String id, String dtype) throws IOException {
    LossFixtures.Case c = LossFixtures.load().byId(id);
    LossFixtures.InputSet s = c.inputs();
    boolean usesZ = c.gradEmbeddingsFile() != null;
    boolean usesO = c.gradLogitsFile() != null;
    Path zf = usesZ ? LossFixtures.copyTo(s.zFile(), tmp.resolve(id + ".z.npy")) : null;
    Path yf = LossFixtures.copyTo(s.yFile(), tmp.resolve(id + ".y.npy"));
    Path of = usesO ? LossFixtures.copyTo(s.oFile(), tmp.resolve(id + ".o.npy")) : null;
    Run r = run(args(c, zf, yf, of, dtype).toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    double tol = dtype.equals("double") ? 1e-9 : 1e-4;

    JsonNode json = new ObjectMapper().readTree(out.resolve(LossCommand.LOSS_JSON).toFile());
    double value = json.get("loss").asDouble();
    assertTrue(LossFixtures.valueError(value, c.loss()) < tol, value + " vs " + c.loss());
    assertEquals(c.json().get("loss").asText(), json.get("config").get("loss").asText());
    assertEquals(c.config().tau(), json.get("config").get("tau").asDouble());
    assertEquals(c.config().aggregation().cliName(), json.get("config").get("aggregation").asText());
    assertEquals(c.config().detachWeights(), json.get("config").get("detach_weights").asBoolean());
    assertEquals(dtype, json.get("dtype").asText());
    assertEquals(s.m(), json.get("M").asInt());

    Path gz = out.resolve(LossCommand.GRAD_EMBEDDINGS);
    Path go = out.resolve(LossCommand.GRAD_LOGITS);
    assertEquals(usesZ, Files.exists(gz));
    assertEquals(usesO, Files.exists(go));
    if (usesZ) {
      INDArray g = Npy.read(gz);
      assertEquals(DataType.DOUBLE, g.dataType());
      double e = LossFixtures.gradEmbeddingsError(g, c.gradEmbeddings(), s.z(), c.config().tau());
      assertTrue(e < tol, "d/dz error " + e);
    }
    if (usesO) {
      INDArray g = Npy.read(go);
      assertEquals(DataType.DOUBLE, g.dataType());
      double e = LossFixtures.gradLogitsError(g, c.gradLogits());
      assertTrue(e < tol, "d/do error " + e);
    }
    try (Stream<Path> files = Files.list(out)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "temporary files left in DIR");
    }
  }

  // ------------------------------------------------------------------------------ bad input

  private String[] clce(String... extra) {
    List<String> a = new ArrayList<>(List.of("loss", "--loss", "clce", "--embeddings", z.toString(), "--labels",
        y.toString(), "--logits", o.toString(), "--out", out.toString()));
    for (String e : extra) {
      a.add(e);
    }
    return replaceLater(a);
  }

  /** Options given twice: the later value replaces the earlier (so tests can override one). */
  private static String[] replaceLater(List<String> a) {
    List<String> r = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      String k = a.get(i);
      if (k.startsWith("--") && i + 1 < a.size() && !a.get(i + 1).startsWith("--") && !k.equals("--detach-weights")) {
        int prev = r.indexOf(k);
        if (prev >= 0) {
          r.set(prev + 1, a.get(i + 1));
          i++;
          continue;
        }
      }
      r.add(k);
    }
    return r.toArray(String[]::new);
  }

  private Path npy(String name, INDArray a) {
    Path p = tmp.resolve(name);
    Npy.write(p, a);
    return p;
  }

  private INDArray zArray() {
    return Npy.read(z);
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of("tau 0", "--tau", (Bad) t -> t.clce("--tau", "0")),
        Arguments.of("tau NaN", "--tau", (Bad) t -> t.clce("--tau", "NaN")),
        Arguments.of("tau not a number", "--tau", (Bad) t -> t.clce("--tau", "abc")),
        Arguments.of("lambda 1.5", "--lambda", (Bad) t -> t.clce("--lambda", "1.5")),
        Arguments.of("lambda -0.1", "--lambda", (Bad) t -> t.clce("--lambda", "-0.1")),
        Arguments.of("beta -1", "--beta", (Bad) t -> t.clce("--beta", "-1")),
        Arguments.of("aggregation", "--aggregation", (Bad) t -> t.clce("--aggregation", "median")),
        Arguments.of("loss", "--loss", (Bad) t -> t.clce("--loss", "triplet")),
        Arguments.of("dtype", "--dtype", (Bad) t -> t.clce("--dtype", "half")),
        Arguments.of("missing embeddings file", "--embeddings",
            (Bad) t -> t.clce("--embeddings", t.tmp.resolve("nope.npy").toString())),
        Arguments.of("embeddings not .npy", "--embeddings", (Bad) t -> {
          Path p = Files.writeString(t.tmp.resolve("text.npy"), "hello");
          return t.clce("--embeddings", p.toString());
        }),
        Arguments.of("embeddings float32", "--embeddings",
            (Bad) t -> t.clce("--embeddings", t.npy("z32.npy", t.zArray().castTo(DataType.FLOAT)).toString())),
        Arguments.of("embeddings 1-D", "--embeddings",
            (Bad) t -> t.clce("--embeddings", t.npy("z1.npy", t.zArray().getRow(0).dup()).toString())),
        Arguments.of("embeddings rows differ", "--embeddings", (Bad) t -> t.clce("--embeddings",
            t.npy("z33.npy", Nd4j.concat(0, t.zArray(), t.zArray().getRow(0).reshape(1, -1))).toString())),
        Arguments.of("embeddings NaN", "--embeddings", (Bad) t -> {
          INDArray a = t.zArray();
          a.putScalar(3, 2, Double.NaN);
          return t.clce("--embeddings", t.npy("znan.npy", a).toString());
        }),
        Arguments.of("logits infinite", "--logits", (Bad) t -> {
          INDArray a = Npy.read(t.o);
          a.putScalar(0, 1, Double.POSITIVE_INFINITY);
          return t.clce("--logits", t.npy("oinf.npy", a).toString());
        }),
        Arguments.of("logits rows differ", "--logits",
            (Bad) t -> t.clce("--logits", t.npy("o2.npy", Npy.read(t.o).get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 5),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup()).toString())),
        Arguments.of("labels float64", "--labels",
            (Bad) t -> t.clce("--labels", t.npy("yf.npy", Npy.read(t.y).castTo(DataType.DOUBLE)).toString())),
        Arguments.of("label >= C", "--labels", (Bad) t -> {
          INDArray a = Npy.read(t.y);
          a.putScalar(4, 5); // C = 5
          return t.clce("--labels", t.npy("ybig.npy", a).toString());
        }),
        Arguments.of("label negative", "--labels", (Bad) t -> {
          INDArray a = Npy.read(t.y);
          a.putScalar(0, -1);
          return t.clce("--labels", t.npy("yneg.npy", a).toString());
        }),
        Arguments.of("M < 2", "--labels", (Bad) t -> t.clce(
            "--embeddings", t.npy("z1row.npy", t.zArray().getRow(0).reshape(1, -1).dup()).toString(),
            "--labels", t.npy("y1.npy", Nd4j.createFromArray(0L)).toString(),
            "--logits", t.npy("o1row.npy", Npy.read(t.o).getRow(0).reshape(1, -1).dup()).toString())),
        Arguments.of("clce without logits", "--logits", (Bad) t -> new String[] {"loss", "--loss", "clce",
            "--embeddings", t.z.toString(), "--labels", t.y.toString(), "--out", t.out.toString()}),
        Arguments.of("supcon without embeddings", "--embeddings", (Bad) t -> new String[] {"loss", "--loss", "supcon",
            "--labels", t.y.toString(), "--out", t.out.toString()}),
        Arguments.of("no --out", "--out", (Bad) t -> new String[] {"loss", "--loss", "ce", "--labels", t.y.toString(),
            "--logits", t.o.toString()}),
        Arguments.of("--out is a file", "--out", (Bad) t -> t.clce("--out", t.z.toString())),
        Arguments.of("unknown option", "--frobnicate", (Bad) t -> t.clce("--frobnicate")));
  }

  /** Builds the arguments of one bad-input run. */
  @FunctionalInterface
  interface Bad {
    String[] args(LossCommandTest t) throws IOException;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputExitsTwoWithOneLineAndLeavesDirUntouched(String what, String option, Bad bad) throws IOException {
    String[] a = bad.args(this);
    Map<String, byte[]> before = snapshot(tmp); // after the test's own input files were written
    Run r = run(a);
    assertEquals(2, r.code(), what + ": " + r.err());
    String err = r.err().strip();
    assertFalse(err.isEmpty(), what);
    assertEquals(1, err.lines().count(), what + ": expected one line, got:\n" + err);
    assertTrue(err.contains(option), what + ": the line should name " + option + ": " + err);
    assertEquals(before.keySet(), snapshot(tmp).keySet(), what + ": files changed");
    Map<String, byte[]> after = snapshot(tmp);
    for (String k : before.keySet()) {
      assertTrue(java.util.Arrays.equals(before.get(k), after.get(k)), what + ": " + k + " changed");
    }
    assertEquals("", r.out(), what + ": nothing on stdout");
  }

  @Test
  void badInputDoesNotCreateAMissingOutputDir() throws IOException {
    Path fresh = tmp.resolve("fresh/deeper");
    Run r = run(clce("--tau", "-1", "--out", fresh.toString()));
    assertEquals(2, r.code());
    assertFalse(Files.exists(tmp.resolve("fresh")));
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: --tau"), r.err());
  }

  private static Map<String, byte[]> snapshot(Path root) throws IOException {
    Map<String, byte[]> m = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String rel = root.relativize(p).toString();
        m.put(rel, Files.isDirectory(p) ? "<dir>".getBytes(StandardCharsets.UTF_8) : Files.readAllBytes(p));
      }
    }
    return m;
  }
}

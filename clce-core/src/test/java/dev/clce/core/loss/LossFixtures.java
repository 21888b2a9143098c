package dev.clce.core.loss;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.core.internal.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The loss fixtures made by {@code src/test/python/make_loss_fixtures.py} (PyTorch float64,
 * autograd), read from the test class path ({@value #ROOT}). Shared with other modules' tests
 * through clce-core's test-jar.
 */
public final class LossFixtures {

  /** Class-path folder of the fixtures. */
  public static final String ROOT = "/fixtures/losses/";
  /** The manifest listing input sets and cases. */
  public static final String MANIFEST = "manifest.json";

  private static volatile LossFixtures instance;

  private final Map<String, InputSet> inputs;
  private final List<Case> cases;

  /**
   * One set of inputs.
   *
   * @param name set name
   * @param zFile class-path-relative file of the embeddings
   * @param yFile labels file
   * @param oFile logits file
   * @param m rows
   * @param d embedding width
   * @param c classes (logit width)
   * @param description what is special about the set
   */
  public record InputSet(String name, String zFile, String yFile, String oFile, int m, int d, int c,
      String description) {
    /** @return embeddings, float64 [M, d] */
    public INDArray z() {
      return array(zFile);
    }

    /** @return labels, int32 or int64 [M] */
    public INDArray y() {
      return array(yFile);
    }

    /** @return logits, float64 [M, C] */
    public INDArray o() {
      return array(oFile);
    }
  }

  /**
   * One case: a configuration applied to an input set, with PyTorch's results.
   *
   * @param id unique name
   * @param inputs the input set
   * @param config the loss configuration (every field explicit in the manifest)
   * @param json the manifest's config object as written (for command-line tests)
   * @param lossFile expected loss, float64 scalar .npy
   * @param gradEmbeddingsFile expected d loss / d z, or null when the loss does not read z
   * @param gradLogitsFile expected d loss / d o, or null when the loss does not read o
   */
  public record Case(String id, InputSet inputs, LossConfig config, JsonNode json, String lossFile,
      String gradEmbeddingsFile, String gradLogitsFile) {
    /** @return the expected loss */
    public double loss() {
      return array(lossFile).getDouble(0);
    }

    /** @return the expected gradient with respect to the embeddings, or null */
    public INDArray gradEmbeddings() {
      return gradEmbeddingsFile == null ? null : array(gradEmbeddingsFile);
    }

    /** @return the expected gradient with respect to the logits, or null */
    public INDArray gradLogits() {
      return gradLogitsFile == null ? null : array(gradLogitsFile);
    }

    @Override
    public String toString() {
      return id;
    }
  }

  private LossFixtures(Map<String, InputSet> inputs, List<Case> cases) {
    this.inputs = inputs;
    this.cases = cases;
  }

  /** @return the fixtures (the manifest is parsed once) */
  public static LossFixtures load() {
    LossFixtures f = instance;
    if (f == null) {
      synchronized (LossFixtures.class) {
        f = instance;
        if (f == null) {
          f = parse();
          instance = f;
        }
      }
    }
    return f;
  }

  /** @return every case, in manifest order */
  public List<Case> cases() {
    return cases;
  }

  /**
   * @param id a case id
   * @return the case
   */
  public Case byId(String id) {
    for (Case c : cases) {
      if (c.id().equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException("id: no fixture case " + id);
  }

  /** @return the input sets by name */
  public Map<String, InputSet> inputs() {
    return inputs;
  }

  /**
   * Reads one fixture file from the class path.
   *
   * @param relative path below {@link #ROOT}
   * @return the array
   */
  public static INDArray array(String relative) {
    return Npy.fromBytes(bytes(relative), ROOT + relative);
  }

  /**
   * Copies one fixture file out of the class path (which may be a jar).
   *
   * @param relative path below {@link #ROOT}
   * @param target the file to create
   * @return {@code target}
   */
  public static Path copyTo(String relative, Path target) {
    try {
      return Files.write(target, bytes(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(String relative) {
    try (InputStream in = LossFixtures.class.getResourceAsStream(ROOT + relative)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture resource " + ROOT + relative);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static LossFixtures parse() {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(bytes(MANIFEST));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, InputSet> sets = new LinkedHashMap<>();
    root.get("inputs").fields().forEachRemaining(en -> {
      JsonNode n = en.getValue();
      sets.put(en.getKey(), new InputSet(en.getKey(), n.get("z").asText(), n.get("y").asText(), n.get("o").asText(),
          n.get("M").asInt(), n.get("d").asInt(), n.get("C").asInt(), n.get("description").asText()));
    });
    List<Case> cases = new ArrayList<>();
    for (JsonNode n : root.get("cases")) {
      JsonNode c = n.get("config");
      LossConfig cfg = LossConfig.builder(LossKind.parse(c.get("loss").asText()))
          .optTau(c.get("tau").asDouble())
          .optLambda(c.get("lambda").asDouble())
          .optBeta(c.get("beta").asDouble())
          .optAggregation(Aggregation.parse(c.get("aggregation").asText()))
          .optDetachWeights(c.get("detach_weights").asBoolean())
          .build();
      JsonNode e = n.get("expected");
      cases.add(new Case(n.get("id").asText(), sets.get(n.get("inputs").asText()), cfg, c,
          e.get("loss").asText(), text(e.get("grad_embeddings")), text(e.get("grad_logits"))));
    }
    return new LossFixtures(Collections.unmodifiableMap(sets), List.copyOf(cases));
  }

  /** Floor of the scale of a loss value in {@link #valueError}. */
  public static final double VALUE_FLOOR = 1e-2;

  /**
   * Relative error of a loss value: {@code |a - e| / max(|e|, }{@value #VALUE_FLOOR}{@code )} (a
   * loss that is exactly 0 is compared absolutely).
   *
   * @param actual computed value
   * @param expected PyTorch's value
   * @return the error
   */
  public static double valueError(double actual, double expected) {
    return Math.abs(actual - expected) / Math.max(Math.abs(expected), VALUE_FLOOR);
  }

  /**
   * Relative error of a gradient with respect to the embeddings, row by row: the largest of
   * {@code max_j |a_ij - e_ij| / max(max_j |e_ij|, n_i)}, where
   * {@code n_i = 1 / (M * tau * max(||z_i||, 1e-12))} is the size a row's gradient has when nothing
   * cancels. Rows are judged on their own (an all-zero input row has a gradient about 1e12 times
   * the others', which must not hide them), and a row whose gradient cancels to about zero (one
   * class only) is judged on its natural scale rather than on rounding noise.
   *
   * @param actual computed gradient [M, d]
   * @param expected PyTorch's gradient [M, d]
   * @param z the embeddings [M, d]
   * @param tau the temperature
   * @return the error (infinite when shapes differ or a value is not finite)
   */
  public static double gradEmbeddingsError(INDArray actual, INDArray expected, INDArray z, double tau) {
    double[][] zz = z.toDoubleMatrix();
    double[] natural = new double[zz.length];
    for (int i = 0; i < zz.length; i++) {
      double n = 0;
      for (double v : zz[i]) {
        n += v * v;
      }
      natural[i] = 1.0 / (zz.length * tau * Math.max(Math.sqrt(n), 1e-12));
    }
    return rowError(actual, expected, natural);
  }

  /**
   * Relative error of a gradient with respect to the logits, row by row as in
   * {@link #gradEmbeddingsError} with the natural scale {@code 1 / M}.
   *
   * @param actual computed gradient [M, C]
   * @param expected PyTorch's gradient [M, C]
   * @return the error
   */
  public static double gradLogitsError(INDArray actual, INDArray expected) {
    double[] natural = new double[(int) expected.size(0)];
    java.util.Arrays.fill(natural, 1.0 / natural.length);
    return rowError(actual, expected, natural);
  }

  private static double rowError(INDArray actual, INDArray expected, double[] natural) {
    if (actual == null || !java.util.Arrays.equals(actual.shape(), expected.shape())) {
      return Double.POSITIVE_INFINITY;
    }
    double[][] a = actual.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
    double[][] e = expected.toDoubleMatrix();
    double worst = 0;
    for (int i = 0; i < e.length; i++) {
      double diff = 0;
      double size = natural[i];
      for (int j = 0; j < e[i].length; j++) {
        if (!Double.isFinite(a[i][j])) {
          return Double.POSITIVE_INFINITY;
        }
        diff = Math.max(diff, Math.abs(a[i][j] - e[i][j]));
        size = Math.max(size, Math.abs(e[i][j]));
      }
      worst = Math.max(worst, diff / size);
    }
    return worst;
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }
}

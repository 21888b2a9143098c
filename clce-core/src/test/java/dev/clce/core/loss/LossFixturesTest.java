package dev.clce.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every loss, eager and SameDiff, double and float, against the PyTorch float64 fixtures of
 * {@code src/test/python/make_loss_fixtures.py} (no PyTorch needed at run time). Tolerances (see
 * {@link LossFixtures#valueError} and {@link LossFixtures#gradEmbeddingsError}): relative error
 * below 1e-9 in double and below 1e-4 in float, where the float run casts the float64 inputs to
 * float and is compared with the float64 reference.
 */
class LossFixturesTest {

  private static final double TOL_DOUBLE = 1e-9;
  private static final double TOL_FLOAT = 1e-4;
  private static final String Z = "z";
  private static final String Y = "y";
  private static final String O = "o";
  private static final String LOSS = "loss";

  /** One SameDiff graph per (configuration, data type, label type), reused across input sets. */
  private static final Map<String, SameDiff> GRAPHS = new HashMap<>();

  @AfterAll
  static void dropGraphs() {
    GRAPHS.clear();
  }

  static Stream<Arguments> cases() {
    return LossFixtures.load().cases().stream()
        .flatMap(c -> Stream.of(Arguments.of(c, DataType.DOUBLE), Arguments.of(c, DataType.FLOAT)));
  }

  @Test
  void fixturesCoverWhatLossesMdAsks() {
    List<LossFixtures.Case> cases = LossFixtures.load().cases();
    for (LossKind k : LossKind.values()) {
      assertTrue(cases.stream().anyMatch(c -> c.config().kind() == k), k.toString());
    }
    for (double tau : new double[] {0.05, 0.1, 0.5, 1.0}) {
      assertTrue(cases.stream().anyMatch(c -> c.config().tau() == tau), "tau " + tau);
    }
    assertTrue(cases.stream().anyMatch(c -> c.config().detachWeights()));
    assertTrue(cases.stream().anyMatch(c -> c.config().aggregation() == Aggregation.MEAN_OF_LOG));
    assertEquals(2, cases.stream().mapToInt(c -> c.inputs().m()).min().orElseThrow());
    assertEquals(512, cases.stream().mapToInt(c -> c.inputs().m()).max().orElseThrow());
    for (String set : List.of("singletons", "all_singletons", "one_class", "duplicates", "zero_row")) {
      assertTrue(cases.stream().anyMatch(c -> c.inputs().name().equals(set)), set);
    }
  }

  @ParameterizedTest(name = "eager {1} {0}")
  @MethodSource("cases")
  void eagerMatchesPyTorch(LossFixtures.Case c, DataType dt) {
    Inputs in = Inputs.of(c, dt);
    LossResult r = EagerLoss.compute(c.config(), in.z, in.y, in.o);
    check(c, dt, r.value(), r.gradEmbeddings(), r.gradLogits());
  }

  @ParameterizedTest(name = "samediff {1} {0}")
  @MethodSource("cases")
  void sameDiffMatchesPyTorch(LossFixtures.Case c, DataType dt) {
    Inputs in = Inputs.of(c, dt);
    SameDiff sd = GRAPHS.computeIfAbsent(c.config() + "|" + dt + "|" + in.y.dataType(),
        key -> graph(c.config(), dt, in.y.dataType()));
    Map<String, INDArray> ph = new HashMap<>();
    List<String> wrt = new java.util.ArrayList<>();
    if (c.config().kind().usesEmbeddings()) {
      ph.put(Z, in.z);
      wrt.add(Z);
    }
    if (c.config().kind().usesLogits()) {
      ph.put(O, in.o);
      wrt.add(O);
    }
    ph.put(Y, in.y);
    org.nd4j.autodiff.samediff.api.OutAndGrad r = sd.calculateGradientsAndOutputs(ph, List.of(LOSS), wrt);
    double value = r.getOutputs().get(LOSS).getDouble(0);
    check(c, dt, value, r.getGradients().get(Z), r.getGradients().get(O));
  }

  private static SameDiff graph(LossConfig cfg, DataType dt, DataType labelType) {
    SameDiff sd = SameDiff.create();
    SDVariable z = cfg.kind().usesEmbeddings() ? sd.placeHolder(Z, dt, -1, -1) : null;
    SDVariable o = cfg.kind().usesLogits() ? sd.placeHolder(O, dt, -1, -1) : null;
    SDVariable y = sd.placeHolder(Y, labelType, -1);
    SDVariable loss = SDClceLoss.of(sd).loss(LOSS, cfg, z, y, o);
    loss.markAsLoss();
    List<String> wrt = new java.util.ArrayList<>();
    if (z != null) {
      wrt.add(Z);
    }
    if (o != null) {
      wrt.add(O);
    }
    sd.createGradFunction(wrt.toArray(new String[0])); // gradients with respect to placeholders
    return sd;
  }

  private static void check(LossFixtures.Case c, DataType dt, double value, INDArray gz, INDArray go) {
    double tol = dt == DataType.DOUBLE ? TOL_DOUBLE : TOL_FLOAT;
    double ev = LossFixtures.valueError(value, c.loss());
    assertTrue(ev < tol, () -> c.id() + " " + dt + ": loss " + value + " vs PyTorch " + c.loss() + ", error " + ev);
    if (c.gradEmbeddingsFile() != null) {
      assertNotNull(gz, c.id() + ": no embedding gradient");
      assertEquals(dt, gz.dataType(), c.id() + ": embedding gradient data type");
      double eg = LossFixtures.gradEmbeddingsError(gz, c.gradEmbeddings(), c.inputs().z(), c.config().tau());
      assertTrue(eg < tol, () -> c.id() + " " + dt + ": d/dz error " + eg);
    }
    if (c.gradLogitsFile() != null) {
      assertNotNull(go, c.id() + ": no logits gradient");
      assertEquals(dt, go.dataType(), c.id() + ": logits gradient data type");
      double eo = LossFixtures.gradLogitsError(go, c.gradLogits());
      assertTrue(eo < tol, () -> c.id() + " " + dt + ": d/do error " + eo);
    }
  }

  /** A case's inputs in the data type under test (labels keep their integer type). */
  private record Inputs(INDArray z, INDArray y, INDArray o) {
    static Inputs of(LossFixtures.Case c, DataType dt) {
      LossFixtures.InputSet s = c.inputs();
      return new Inputs(
          c.config().kind().usesEmbeddings() ? s.z().castTo(dt) : null,
          s.y(),
          c.config().kind().usesLogits() ? s.o().castTo(dt) : null);
    }
  }
}

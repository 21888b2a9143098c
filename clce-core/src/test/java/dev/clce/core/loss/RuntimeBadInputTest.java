package dev.clce.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Every "Bad input" rule of LOSSES.md in the SameDiff form with a dynamic batch dimension (-1),
 * through each execution path ({@code sd.output}, {@code sd.calculateGradients}, {@code sd.fit}):
 * refused with an IllegalArgumentException naming the argument and the value, before any parameter
 * changes; and the same graph still runs on good input afterwards.
 */
class RuntimeBadInputTest {
  private static final int FEATURES = 3;
  private static final int DIM = 4;
  private static final int CLASSES = 3;

  /** The three ways a SameDiff graph runs. */
  enum Path {
    OUTPUT, GRADIENTS, FIT
  }

  /**
   * One bad batch: embedding features {@code xz} [Mz, 3], logits features {@code xo} [Mo, 3],
   * labels [My]; z = xz W and o = xo V, so a value put in the features reaches z or o.
   */
  record Bad(String rule, LossKind kind, INDArray xz, INDArray y, INDArray xo, String arg, String value) {
    @Override
    public String toString() {
      return rule;
    }
  }

  private static INDArray x(int m) {
    INDArray a = Nd4j.create(DataType.DOUBLE, m, FEATURES);
    for (int i = 0; i < m; i++) {
      for (int f = 0; f < FEATURES; f++) {
        a.putScalar(i, f, Math.sin(1.0 + 3 * i + f));
      }
    }
    return a;
  }

  private static INDArray y(long... v) {
    return Nd4j.createFromArray(v);
  }

  private static INDArray with(INDArray a, double v) {
    a.putScalar(1, 2, v);
    return a;
  }

  static List<Bad> bads() {
    List<Bad> b = new ArrayList<>();
    // Which argument a rule names can depend on the order SameDiff runs the loss's inputs in.
    b.add(new Bad("M < 2", LossKind.CLCE, x(1), y(0), x(1), "embeddings|labels|logits", "M = 1"));
    b.add(new Bad("M < 2 (CE)", LossKind.CE, null, y(0), x(1), "logits|labels", "M = 1"));
    b.add(new Bad("label < 0", LossKind.CLCE, x(4), y(0, -1, 1, 1), x(4), "labels", "-1"));
    b.add(new Bad("label < 0 (LACLN)", LossKind.LACLN, x(4), y(0, -1, 1, 1), null, "labels", "-1"));
    b.add(new Bad("label >= C", LossKind.CLCE, x(4), y(0, 0, 3, 1), x(4), "labels", "3"));
    b.add(new Bad("label >= C (CE)", LossKind.CE, null, y(0, 7, 1, 1), x(4), "labels", "7"));
    b.add(new Bad("NaN in embeddings", LossKind.CLCE, with(x(4), Double.NaN), y(0, 0, 1, 1), x(4), "embeddings", "NaN"));
    b.add(new Bad("infinity in embeddings", LossKind.LACLN, with(x(4), Double.POSITIVE_INFINITY), y(0, 0, 1, 1), null,
        "embeddings", "Infinity"));
    b.add(new Bad("NaN in logits", LossKind.CLCE, x(4), y(0, 0, 1, 1), with(x(4), Double.NaN), "logits", "NaN"));
    b.add(new Bad("infinity in logits (CE)", LossKind.CE, null, y(0, 0, 1, 1), with(x(4), Double.NEGATIVE_INFINITY),
        "logits", "Infinity"));
    b.add(new Bad("labels rows differ from embeddings", LossKind.LACLN, x(4), y(0, 0, 1, 1, 2), null, "labels", "5"));
    b.add(new Bad("logits rows differ from embeddings", LossKind.CLCE, x(4), y(0, 0, 1, 1), x(5), "logits|labels",
        "5"));
    b.add(new Bad("labels rows differ from logits (CE)", LossKind.CE, null, y(0, 0, 1), x(4), "labels", "3"));
    return b;
  }

  static Stream<Arguments> cases() {
    return bads().stream().flatMap(b -> Stream.of(Path.values()).map(p -> Arguments.of(b, p)));
  }

  /** A graph in the user's style: feature placeholders with a dynamic batch, two weight matrices. */
  private static final class Graph {
    final SameDiff sd = SameDiff.create();
    final LossKind kind;

    Graph(LossKind kind) {
      this.kind = kind;
      LossConfig cfg = LossConfig.builder(kind).optTau(0.5).build();
      SDVariable z = null;
      SDVariable o = null;
      List<String> features = new ArrayList<>();
      if (kind.usesEmbeddings()) {
        SDVariable xz = sd.placeHolder("xz", DataType.DOUBLE, -1, FEATURES);
        z = xz.mmul(sd.var("w", Nd4j.linspace(-1, 1, FEATURES * DIM, DataType.DOUBLE).reshape(FEATURES, DIM)));
        features.add("xz");
      }
      if (kind.usesLogits()) {
        SDVariable xo = sd.placeHolder("xo", DataType.DOUBLE, -1, FEATURES);
        o = xo.mmul(sd.var("v", Nd4j.linspace(-2, 1, FEATURES * CLASSES, DataType.DOUBLE).reshape(FEATURES, CLASSES)));
        features.add("xo");
      }
      SDVariable y = sd.placeHolder("y", DataType.INT64, -1);
      SDClceLoss.of(sd).loss("loss", cfg, z, y, o).markAsLoss();
      sd.setTrainingConfig(TrainingConfig.builder()
          .updater(new Sgd(0.1))
          .dataSetFeatureMapping(features.toArray(new String[0]))
          .dataSetLabelMapping("y")
          .build());
    }

    List<String> params() {
      List<String> p = new ArrayList<>();
      if (kind.usesEmbeddings()) {
        p.add("w");
      }
      if (kind.usesLogits()) {
        p.add("v");
      }
      return p;
    }

    INDArray paramsCopy() {
      return Nd4j.concat(0, params().stream().map(n -> sd.getVariable(n).getArr().reshape(-1).dup())
          .toArray(INDArray[]::new));
    }

    void run(Path path, INDArray xz, INDArray y, INDArray xo) {
      Map<String, INDArray> ph = new HashMap<>();
      List<INDArray> features = new ArrayList<>();
      if (kind.usesEmbeddings()) {
        ph.put("xz", xz);
        features.add(xz);
      }
      if (kind.usesLogits()) {
        ph.put("xo", xo);
        features.add(xo);
      }
      ph.put("y", y);
      switch (path) {
        case OUTPUT -> sd.output(ph, "loss");
        case GRADIENTS -> sd.calculateGradients(ph, params());
        case FIT -> sd.fit(new MultiDataSet(features.toArray(new INDArray[0]), new INDArray[] {y}));
        default -> throw new IllegalStateException();
      }
    }
  }

  @ParameterizedTest(name = "{0} | {1}")
  @MethodSource("cases")
  void refusedBeforeAnyParameterChanges(Bad bad, Path path) {
    Graph g = new Graph(bad.kind());
    // A good batch first: the graph runs (and for fit, learns) on it.
    g.run(path, x(6), y(0, 1, 2, 0, 1, 2), x(6));
    INDArray before = g.paramsCopy();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.run(path, bad.xz(), bad.y(), bad.xo()));
    String msg = e.getMessage();
    // SameDiff does not wrap the guard's refusal: its own type reaches the caller on every path.
    LossInputException typed = assertInstanceOf(LossInputException.class, e, msg);
    assertTrue(msg.startsWith(typed.argument() + ": "), msg);
    assertEquals(bad.rule().startsWith("NaN") || bad.rule().startsWith("infinity"),
        typed.rule() == LossInputException.Rule.NON_FINITE, () -> typed.rule() + ": " + msg);
    assertTrue(Stream.of(bad.arg().split("\\|")).anyMatch(a -> msg.startsWith(a + ":")),
        () -> "message should start with one of '" + bad.arg() + "' and ':': " + msg);
    assertTrue(msg.contains(bad.value()), () -> "message should show " + bad.value() + ": " + msg);
    assertEquals(before, g.paramsCopy(), "parameters changed");
    // And the graph still runs on good input of another size.
    g.run(path, x(4), y(2, 2, 1, 1), x(4));
  }

  @Test
  void fitStillLearnsOnGoodInput() {
    Graph g = new Graph(LossKind.CLCE);
    INDArray before = g.paramsCopy();
    g.run(Path.FIT, x(6), y(0, 1, 2, 0, 1, 2), x(6));
    assertTrue(g.paramsCopy().sub(before).norm2Number().doubleValue() > 0, "fit changed nothing");
  }

  @Test
  void checkingCanBeTurnedOffForNaN() {
    SameDiff sd = SameDiff.create();
    SDVariable z = sd.placeHolder("z", DataType.DOUBLE, -1, -1);
    SDVariable y = sd.placeHolder("y", DataType.INT64, -1);
    LossConfig unchecked = LossConfig.builder(LossKind.LACLN).optCheckInputs(false).build();
    SDClceLoss.of(sd).loss("loss", unchecked, z, y, null);
    double v = sd.output(Map.of("z", with(x(4), Double.NaN), "y", y(0, 0, 1, 1)), "loss").get("loss").getDouble(0);
    assertTrue(Double.isNaN(v));
    // The structural rules still hold.
    assertThrows(IllegalArgumentException.class,
        () -> sd.output(Map.of("z", x(4), "y", y(0, 0, 1)), "loss"));
  }

  @Test
  void twoLossesInOneGraphAreEachChecked() {
    SameDiff sd = SameDiff.create();
    SDVariable z = sd.placeHolder("z", DataType.DOUBLE, -1, -1);
    SDVariable o = sd.placeHolder("o", DataType.DOUBLE, -1, -1);
    SDVariable y = sd.placeHolder("y", DataType.INT64, -1);
    SDClceLoss losses = SDClceLoss.of(sd);
    losses.loss("a", LossConfig.builder(LossKind.LACLN).build(), z, y, null);
    losses.loss("b", LossConfig.builder(LossKind.CE).build(), null, y, o);
    Map<String, INDArray> ph = Map.of("z", x(4), "o", x(4), "y", y(0, 0, 2, 3));
    // Label 3 is fine for LACLN (no logits) and refused by CE (C = 3).
    sd.output(ph, "a");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sd.output(ph, "b"));
    assertTrue(e.getMessage().startsWith("labels: must be < C = 3"), e.getMessage());
  }
}

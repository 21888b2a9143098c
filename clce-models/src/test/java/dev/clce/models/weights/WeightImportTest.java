package dev.clce.models.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Import and export on a small hand-built graph: {@code y = x W^T + b - running_mean}, with a
 * trainable linear layer ({@code fc.weight} [3, 4], {@code fc.bias} [3}), a buffer
 * ({@code bn.running_mean} [3]) and an INT64 scalar counter ({@code bn.num_batches_tracked}).
 */
class WeightImportTest {
  private static final String IN = "x";
  private static final String OUT = "y";
  private static final String W = "fc.weight";
  private static final String B = "fc.bias";
  private static final String MEAN = "bn.running_mean";
  private static final String COUNT = "bn.num_batches_tracked";
  private static final List<String> NAMES = List.of(W, B, MEAN, COUNT);

  @TempDir Path dir;
  private SameDiff sd;

  @BeforeEach
  void build() {
    sd = SameDiff.create();
    SDVariable x = sd.placeHolder(IN, DataType.FLOAT, -1, 4);
    SDVariable w = sd.var(W, Nd4j.rand(DataType.FLOAT, 3, 4));
    SDVariable b = sd.var(B, Nd4j.rand(DataType.FLOAT, 3));
    SDVariable mean = sd.constant(MEAN, Nd4j.rand(DataType.FLOAT, 3));
    sd.constant(COUNT, Nd4j.scalar(DataType.INT64, 0L));
    x.mmul(w.permute(1, 0)).add(b).sub(mean).rename(OUT);
  }

  /** The weights the tests load: distinct, known values. */
  private static Map<String, INDArray> known() {
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put(W, Nd4j.linspace(DataType.FLOAT, -1, 0.125, 12).reshape(3, 4));
    m.put(B, Nd4j.createFromArray(0.5f, -0.25f, 2f));
    m.put(MEAN, Nd4j.createFromArray(0.1f, 0.2f, -0.3f));
    m.put(COUNT, Nd4j.scalar(DataType.LONG, 17L));
    return m;
  }

  private Map<String, INDArray> snapshot() {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (String n : NAMES) {
      m.put(n, sd.getArrForVarName(n).dup());
    }
    return m;
  }

  private void assertUnchanged(Map<String, INDArray> before) {
    for (String n : NAMES) {
      assertEquals(before.get(n), sd.getArrForVarName(n), n + " changed by a refused import");
    }
  }

  private Path write(String name, Map<String, INDArray> m) {
    Path p = dir.resolve(name);
    Safetensors.write(p, m, null);
    return p;
  }

  @Test
  void loadsEveryTensorAndTheGraphComputesWithThem() {
    Map<String, INDArray> k = known();
    StateDict.Result r = WeightImport.load(sd, NAMES, write("w.safetensors", k));
    assertEquals(NAMES, r.loaded());
    assertTrue(r.conversions().isEmpty(), r.conversions().toString());
    assertEquals(17L, sd.getArrForVarName(COUNT).getLong(0));

    float[][] x = {{1f, 2f, 3f, 4f}, {-0.5f, 0f, 0.25f, 8f}};
    INDArray y = sd.output(Map.of(IN, Nd4j.createFromArray(x)), OUT).get(OUT);
    double[] w = k.get(W).reshape(12).toDoubleVector();
    double[] b = k.get(B).toDoubleVector();
    double[] mu = k.get(MEAN).toDoubleVector();
    for (int i = 0; i < 2; i++) {
      for (int o = 0; o < 3; o++) {
        double s = b[o] - mu[o];
        for (int j = 0; j < 4; j++) {
          s += x[i][j] * w[o * 4 + j];
        }
        assertEquals(s, y.getDouble(i, o), 1e-5, "y[" + i + "," + o + "]");
      }
    }
  }

  @Test
  void exportWritesEveryTensorUnderItsNameAndType() {
    Map<String, INDArray> before = snapshot();
    Path p = dir.resolve("out.safetensors");
    WeightImport.export(sd, NAMES, p, Map.of("format", "pt"));
    SafetensorsHeader h = Safetensors.readHeader(p);
    assertEquals(NAMES, List.copyOf(h.tensors().keySet()));
    assertEquals(SafetensorsDtype.F32, h.tensors().get(W).dtype());
    assertEquals(SafetensorsDtype.I64, h.tensors().get(COUNT).dtype());
    assertArrayEquals(new long[0], h.tensors().get(COUNT).shape());
    assertEquals("pt", h.metadata().get("format"));
    Map<String, INDArray> back = Safetensors.read(p);
    for (String n : NAMES) {
      assertEquals(before.get(n), back.get(n), n);
    }
  }

  @Test
  void refusesMissingUnexpectedShapeAndTypeProblemsListingEveryTensorAndLoadsNothing() {
    Map<String, INDArray> before = snapshot();
    Map<String, INDArray> m = known();
    m.remove(MEAN);                                                     // missing
    m.put("fc.extra", Nd4j.ones(DataType.FLOAT, 2));                   // unexpected
    m.put(B, Nd4j.ones(DataType.FLOAT, 5));                             // shape
    m.put(COUNT, Nd4j.scalar(DataType.FLOAT, 3f));                      // float into INT64
    Path p = write("bad.safetensors", m);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightImport.load(sd, NAMES, p));
    String msg = e.getMessage();
    assertTrue(msg.startsWith("file: " + p + " does not fit the model (4 problems)"), msg);
    assertTrue(msg.contains("missing '" + MEAN + "' (model expects [3] FLOAT)"), msg);
    assertTrue(msg.contains("unexpected 'fc.extra' F32 [2]"), msg);
    assertTrue(msg.contains("shape of '" + B + "': file [5], model [3]"), msg);
    assertTrue(msg.contains("type of '" + COUNT + "': file F32, model LONG"), msg);
    assertUnchanged(before);
  }

  @Test
  void oneBadTensorAtTheEndLoadsNothing() {
    Map<String, INDArray> before = snapshot();
    Map<String, INDArray> m = known();
    m.put(COUNT, Nd4j.ones(DataType.LONG, 1));   // [1] instead of a scalar
    Path p = write("last.safetensors", m);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightImport.load(sd, NAMES, p));
    assertTrue(e.getMessage().contains("shape of '" + COUNT + "': file [1], model []"), e.getMessage());
    assertUnchanged(before);
  }

  @Test
  void convertsFloatPrecisionsAndIntegerWidths() {
    Map<String, INDArray> k = known();
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put(W, k.get(W).castTo(DataType.DOUBLE).addi(1e-12));   // F64 -> FLOAT (rounds)
    m.put(B, k.get(B).castTo(DataType.HALF));                 // F16 -> FLOAT (exact: values are halves)
    m.put(MEAN, k.get(MEAN).castTo(DataType.BFLOAT16));        // BF16 -> FLOAT
    m.put(COUNT, Nd4j.scalar(DataType.INT, 17));              // I32 -> LONG
    StateDict.Result r = WeightImport.load(sd, NAMES, write("conv.safetensors", m));
    assertEquals(List.of(W + ": F64 -> FLOAT", B + ": F16 -> FLOAT", MEAN + ": BF16 -> FLOAT", COUNT + ": I32 -> LONG"),
        r.conversions());
    assertEquals(k.get(W), sd.getArrForVarName(W));
    assertEquals(DataType.FLOAT, sd.getArrForVarName(W).dataType());
    assertEquals(k.get(B), sd.getArrForVarName(B));
    // bfloat16 keeps 8 significant bits: 0.1 -> 0.10009765625, 0.2 -> 0.2001953125, -0.3 -> -0.30078125
    assertArrayEquals(new float[] {0.10009765625f, 0.2001953125f, -0.30078125f}, sd.getArrForVarName(MEAN).toFloatVector());
    assertEquals(DataType.LONG, sd.getArrForVarName(COUNT).dataType());
    assertEquals(17L, sd.getArrForVarName(COUNT).getLong(0));
  }

  @Test
  void skipLeavesAHeadOfAnotherSizeAloneAndIgnoreToleratesExtras() {
    Map<String, INDArray> before = snapshot();
    Map<String, INDArray> m = known();
    m.put(W, Nd4j.ones(DataType.FLOAT, 1000, 4));
    m.put(B, Nd4j.ones(DataType.FLOAT, 1000));
    m.put("aux.weight", Nd4j.ones(DataType.FLOAT, 2));
    Path p = write("head.safetensors", m);
    LoadRule o = LoadRule.strict()
        .withSkip(n -> n.startsWith("fc."))
        .withIgnoreUnexpected(n -> n.startsWith("aux."));
    StateDict.Result r = WeightImport.load(sd, NAMES, p, o);
    assertEquals(List.of(MEAN, COUNT), r.loaded());
    assertEquals(List.of(W, B, "aux.weight"), r.ignored());
    assertEquals(before.get(W), sd.getArrForVarName(W));
    assertEquals(before.get(B), sd.getArrForVarName(B));
    assertEquals(known().get(MEAN), sd.getArrForVarName(MEAN));
    assertThrows(IllegalArgumentException.class, () -> WeightImport.load(sd, NAMES, p));
  }

  @Test
  void refusesBadArgumentsBeforeReadingTheFile() {
    Path p = write("ok.safetensors", known());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WeightImport.load(sd, List.of(W, IN), p));
    assertTrue(e.getMessage().startsWith("names: '" + IN + "' is a PLACEHOLDER"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> WeightImport.load(sd, List.of(W, "nope"), p));
    assertTrue(e.getMessage().startsWith("names: 'nope'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> WeightImport.load(null, NAMES, p));
    assertTrue(e.getMessage().startsWith("sd:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> WeightImport.load(sd, List.of(W, W), p));
    assertTrue(e.getMessage().startsWith("names: '" + W + "' listed twice"), e.getMessage());
  }

  @Test
  void renameLoadsLegacyNamesAndRefusesTwoFileTensorsForOneName() {
    SameDiff g = SameDiff.create();
    String fc1 = "encoder.layers.encoder_layer_0.mlp.0.weight";
    String fc2 = "encoder.layers.encoder_layer_0.mlp.3.weight";
    g.var(fc1, Nd4j.zeros(DataType.FLOAT, 4, 2));
    g.var(fc2, Nd4j.zeros(DataType.FLOAT, 2, 4));
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put("encoder.layers.encoder_layer_0.mlp.linear_1.weight", Nd4j.ones(DataType.FLOAT, 4, 2));
    m.put("encoder.layers.encoder_layer_0.mlp.linear_2.weight", Nd4j.ones(DataType.FLOAT, 2, 4).muli(2));
    Path p = write("legacy.safetensors", m);
    IllegalArgumentException strict = assertThrows(IllegalArgumentException.class,
        () -> WeightImport.load(g, List.of(fc1, fc2), p));
    assertTrue(strict.getMessage().contains("(4 problems)"), strict.getMessage());
    LoadRule legacy = LoadRule.strict().withRename(TorchvisionNames.LEGACY_VIT_MLP);
    StateDict.Result r = WeightImport.load(g, List.of(fc1, fc2), p, legacy);
    assertEquals(List.of("encoder.layers.encoder_layer_0.mlp.linear_1.weight -> " + fc1,
        "encoder.layers.encoder_layer_0.mlp.linear_2.weight -> " + fc2), r.renamed());
    assertEquals(Nd4j.ones(DataType.FLOAT, 4, 2), g.getArrForVarName(fc1));
    assertEquals(Nd4j.ones(DataType.FLOAT, 2, 4).muli(2), g.getArrForVarName(fc2));

    m.put(fc1, Nd4j.ones(DataType.FLOAT, 4, 2));
    Path both = write("both.safetensors", m);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WeightImport.load(g, List.of(fc1, fc2), both, legacy));
    assertTrue(e.getMessage().contains("both map to '" + fc1 + "'"), e.getMessage());
  }
}

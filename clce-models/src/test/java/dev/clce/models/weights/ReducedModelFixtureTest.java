package dev.clce.models.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.internal.Npy;
import dev.clce.models.EncoderModel;
import dev.clce.models.layers.ParamSpec;
import dev.clce.models.layers.StateLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * torchvision's reduced ResNet-18, ResNet-50 and ViT (fixtures made by
 * {@code clce-models/src/test/python/make_model_fixtures.py}) loaded into our graphs: eval-mode
 * logits and embeddings match PyTorch's (float64 reference) to 1e-4 relative, and export gives back
 * the same state dict.
 */
class ReducedModelFixtureTest {
  /** Largest allowed {@code max|ours - torch| / max|torch|}. */
  static final double REL_TOL = 1e-4;

  @TempDir Path dir;

  /**
   * @param what name for the message
   * @param expected reference
   * @param actual ours
   */
  static void assertClose(String what, INDArray expected, INDArray actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
    INDArray e = expected.castTo(DataType.DOUBLE);
    INDArray a = actual.castTo(DataType.DOUBLE);
    double scale = e.amaxNumber().doubleValue();
    double err = a.sub(e).amaxNumber().doubleValue();
    assertTrue(scale > 0, what + ": reference is all zero");
    assertTrue(err <= REL_TOL * scale, what + ": max|diff| " + err + " > " + REL_TOL + " * max|ref| " + scale);
  }

  @ParameterizedTest
  @EnumSource(ReducedModels.class)
  void evalOutputsMatchPyTorch(ReducedModels r) {
    EncoderModel m = r.build();
    INDArray x = Npy.read(r.input());
    m.setTraining(false);
    Map<String, INDArray> before = m.output(x);
    StateDict.Result res = ModelWeights.load(m, r.weights());
    assertEquals(m.stateNames(), res.loaded());
    assertTrue(res.conversions().isEmpty(), res.conversions().toString());
    Map<String, INDArray> out = m.output(x);
    INDArray logits = Npy.read(r.logits());
    assertClose(r + " logits", logits, out.get(m.logitsName()));
    assertClose(r + " embedding", Npy.read(r.embedding()), out.get(m.embeddingName()));
    // the random initial weights did not already give these logits
    assertNotEquals(logits.castTo(DataType.FLOAT), before.get(m.logitsName()));
  }

  @ParameterizedTest
  @EnumSource(ReducedModels.class)
  void exportWritesBackTheSameStateDict(ReducedModels r) {
    EncoderModel m = r.build();
    ModelWeights.load(m, r.weights());
    Path out = dir.resolve(r.fixture() + ".safetensors");
    ModelWeights.export(m, out);
    SafetensorsHeader theirs = Safetensors.readHeader(r.weights());
    SafetensorsHeader ours = Safetensors.readHeader(out);
    assertEquals(List.copyOf(theirs.tensors().keySet()), List.copyOf(ours.tensors().keySet()), "names and order");
    for (String n : theirs.tensors().keySet()) {
      assertEquals(theirs.tensors().get(n).dtype(), ours.tensors().get(n).dtype(), n);
      assertArrayEquals(theirs.tensors().get(n).shape(), ours.tensors().get(n).shape(), n);
    }
    Map<String, INDArray> a = Safetensors.read(r.weights());
    Map<String, INDArray> b = Safetensors.read(out);
    for (String n : a.keySet()) {
      assertEquals(a.get(n), b.get(n), n);
    }
    assertEquals(r.spec().name(), ours.metadata().get(ModelWeights.META_ARCH));
  }

  @ParameterizedTest
  @EnumSource(ReducedModels.class)
  void convWeightsLoadAsYxioAndExportAsTheSameBytes(ReducedModels r) throws IOException {
    EncoderModel m = r.build();
    ModelWeights.load(m, r.weights());
    Map<String, INDArray> file = Safetensors.read(r.weights());
    int convs = 0;
    for (ParamSpec p : m.spec().stateEntries()) {
      if (p.layout() != StateLayout.CONV2D_YXIO) {
        continue;
      }
      convs++;
      INDArray w = file.get(p.name());                             // torchvision [out, in, kH, kW]
      INDArray g = m.sameDiff().getArrForVarName(p.name());        // graph [kH, kW, in, out]
      long[] s = w.shape();
      assertArrayEquals(new long[] {s[2], s[3], s[1], s[0]}, g.shape(), p.name());
      for (int o = 0; o < s[0]; o++) {
        for (int i = 0; i < s[1]; i++) {
          for (int y = 0; y < s[2]; y++) {
            for (int x = 0; x < s[3]; x++) {
              assertEquals(w.getFloat(o, i, y, x), g.getFloat(y, x, i, o), 0f, p.name());
            }
          }
        }
      }
    }
    assertTrue(convs > 0, "the model has convolutions");

    Path out = dir.resolve(r.fixture() + "_bytes.safetensors");
    ModelWeights.export(m, out);
    SafetensorsHeader theirs = Safetensors.readHeader(r.weights());
    SafetensorsHeader ours = Safetensors.readHeader(out);
    byte[] theirBytes = Files.readAllBytes(r.weights());
    byte[] ourBytes = Files.readAllBytes(out);
    for (SafetensorsTensorInfo t : theirs.tensors().values()) {
      SafetensorsTensorInfo o = ours.tensors().get(t.name());
      assertArrayEquals(t.shape(), o.shape(), t.name());
      assertArrayEquals(
          Arrays.copyOfRange(theirBytes, (int) (theirs.dataStart() + t.begin()), (int) (theirs.dataStart() + t.end())),
          Arrays.copyOfRange(ourBytes, (int) (ours.dataStart() + o.begin()), (int) (ours.dataStart() + o.end())),
          t.name() + ": exported bytes differ from the imported file");
    }
  }

  @ParameterizedTest
  @EnumSource(ReducedModels.class)
  void aFileForAnotherModelIsRefusedAndNothingLoads(ReducedModels r) {
    ReducedModels other = r == ReducedModels.VIT_TINY ? ReducedModels.RESNET18_TINY : ReducedModels.VIT_TINY;
    EncoderModel m = r.build();
    String first = m.stateNames().get(0);
    INDArray before = m.sameDiff().getArrForVarName(first).dup();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelWeights.load(m, other.weights()));
    assertTrue(e.getMessage().startsWith("file: " + other.weights() + " does not fit the model"), e.getMessage());
    assertTrue(e.getMessage().contains("missing '" + first + "'"), e.getMessage());
    assertEquals(before, m.sameDiff().getArrForVarName(first));
  }

  @ParameterizedTest
  @EnumSource(ReducedModels.class)
  void backboneLoadIgnoresAClassifierOfAnotherSize(ReducedModels r) {
    EncoderModel m = r.build();
    // Same network with one more class: only the classifier differs.
    Map<String, INDArray> state = Safetensors.read(r.weights());
    List<String> head = m.headParameterNames();
    for (String h : head) {
      INDArray w = state.get(h);
      long[] s = w.shape();
      s[0] += 1;
      state.put(h, Nd4j.ones(w.dataType(), s));
    }
    Path p = dir.resolve("more_classes.safetensors");
    Safetensors.write(p, state, null);
    assertThrows(IllegalArgumentException.class, () -> ModelWeights.load(m, p));
    INDArray headBefore = m.sameDiff().getArrForVarName(head.get(0)).dup();
    StateDict.Result res = ModelWeights.loadBackbone(m, p);
    assertEquals(head, res.ignored());
    assertEquals(headBefore, m.sameDiff().getArrForVarName(head.get(0)));
    m.setTraining(false);
    INDArray emb = m.output(Npy.read(r.input())).get(m.embeddingName());
    assertClose(r + " embedding", Npy.read(r.embedding()), emb);
  }
}

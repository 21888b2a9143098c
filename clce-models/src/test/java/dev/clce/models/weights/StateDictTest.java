package dev.clce.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.models.Arch;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one loading path with in-memory tensors, as a checkpoint restore and backbone loading use it:
 * a prefix, exact types, the backbone rule, and nothing assigned when anything does not fit. The
 * reference values are another model's arrays, compared per state entry.
 */
class StateDictTest {
  private static final Path ORIGIN = Path.of("run/checkpoint-000000010.ckpt");

  private static EncoderModel tiny(int classes, boolean projection, long seed) {
    return Arch.RESNET18.create(ModelOptions.builder().optClasses(classes).optImageSize(32).optWidth(1.0 / 16)
        .optMaxBlocksPerStage(1).optProjectionHead(projection).optProjectionDim(8).optSeed(seed).build());
  }

  private static Map<String, INDArray> snapshot(EncoderModel m) {
    Map<String, INDArray> s = new LinkedHashMap<>();
    m.stateNames().forEach(n -> s.put(n, m.stateArray(n).dup()));
    return s;
  }

  private static Map<String, INDArray> prefixed(Map<String, INDArray> state, String prefix) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    state.forEach((n, a) -> out.put(prefix + n, a));
    return out;
  }

  private static void assertState(Map<String, INDArray> expected, EncoderModel m, List<String> names) {
    for (String n : names) {
      assertEquals(expected.get(n), m.stateArray(n), n);
    }
  }

  @Test
  void aCheckpointsModelGroupLoadsEveryEntryAndNothingElse() {
    EncoderModel saved = tiny(5, true, 1);
    EncoderModel model = tiny(5, true, 2);
    Map<String, INDArray> want = snapshot(saved);
    assertNotEquals(want.get("conv1.weight"), model.stateArray("conv1.weight"), "seeds 1 and 2 differ");
    Map<String, INDArray> ckpt = prefixed(want, "model/");
    ckpt.put("optimizer/conv1.weight", Nd4j.ones(DataType.FLOAT, 1, 4));
    LoadRule rule = LoadRule.strict().withPrefix("model/").withExactTypes();

    StateDict.Result r = StateDict.load(model, ckpt, rule, ORIGIN);

    assertEquals(model.stateNames(), r.loaded());
    assertEquals(List.of(), r.ignored(), "tensors outside the prefix are not part of the state dict");
    assertEquals(List.of(), r.conversions());
    assertState(want, model, model.stateNames());
    // The graph holds convolution weights YXIO: the assignment went through the layout.
    assertEquals(saved.sameDiff().getArrForVarName("conv1.weight"), model.sameDiff().getArrForVarName("conv1.weight"));
  }

  @Test
  void anythingThatDoesNotFitIsRefusedBeforeAnyAssignment() {
    EncoderModel saved = tiny(5, true, 1);
    EncoderModel model = tiny(5, true, 2);
    Map<String, INDArray> before = snapshot(model);
    Map<String, INDArray> ckpt = prefixed(snapshot(saved), "model/");
    ckpt.put("model/fc.bias", ckpt.get("model/fc.bias").castTo(DataType.DOUBLE));
    ckpt.remove("model/bn1.running_var");
    ckpt.put("model/extra.weight", Nd4j.zeros(DataType.FLOAT, 2));
    LoadRule exact = LoadRule.strict().withPrefix("model/").withExactTypes();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.load(model, ckpt, exact, ORIGIN));
    String msg = e.getMessage();
    assertTrue(msg.startsWith("file: " + ORIGIN + " does not fit the model (3 problems)"), msg);
    assertTrue(msg.contains("missing 'bn1.running_var'"), msg);
    assertTrue(msg.contains("type of 'fc.bias': file F64, model FLOAT (the rule asks for exact types)"), msg);
    assertTrue(msg.contains("unexpected 'model/extra.weight' F32 [2] (as 'extra.weight')"), msg);
    assertState(before, model, model.stateNames());
    assertEquals(3, StateDict.check(model, ckpt, exact).problems().size(), "check alone says the same");

    // Converting rule: the F64 tensor converts, the other two problems remain, nothing changes.
    ckpt.put("model/bn1.running_var", saved.stateArray("bn1.running_var").dup());
    ckpt.remove("model/extra.weight");
    StateDict.Result r = StateDict.load(model, ckpt, LoadRule.strict().withPrefix("model/"), null);
    assertEquals(List.of("fc.bias: F64 -> FLOAT"), r.conversions());
    assertEquals(saved.stateArray("fc.bias"), model.stateArray("fc.bias"));
  }

  @Test
  void theBackboneRuleKeepsTheTargetsHeadsAndIgnoresTheSourcesHeads() {
    EncoderModel pretrained = tiny(5, true, 1);
    EncoderModel model = tiny(3, false, 2);
    Map<String, INDArray> want = snapshot(pretrained);
    Map<String, INDArray> before = snapshot(model);

    IllegalArgumentException strict = assertThrows(IllegalArgumentException.class,
        () -> StateDict.load(model, want, LoadRule.strict(), null));
    assertTrue(strict.getMessage().startsWith("tensors: do not fit the model (6 problems)"), strict.getMessage());
    assertTrue(strict.getMessage().contains("shape of 'fc.weight': file [5, 32], model [3, 32]"), strict.getMessage());
    assertTrue(strict.getMessage().contains("unexpected 'projection.0.weight'"), strict.getMessage());

    StateDict.Result r = StateDict.load(model, prefixed(want, "model/"), LoadRule.backbone().withPrefix("model/"), ORIGIN);

    List<String> features = new ArrayList<>(model.stateNames());
    features.removeAll(List.of("fc.weight", "fc.bias"));
    assertEquals(features, r.loaded());
    assertEquals(List.of("model/fc.weight", "model/fc.bias", "model/projection.0.weight", "model/projection.0.bias",
        "model/projection.2.weight", "model/projection.2.bias"), r.ignored());
    assertState(want, model, features);
    assertState(before, model, List.of("fc.weight", "fc.bias"));
  }
}

package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.models.layers.ParamSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every registered variant at a tiny size: shapes, finiteness, a gradient for every parameter. */
class ModelSmokeTest {

  /**
   * Batch sizes 3 and 4. Not 2: with labels 0, 0 CLCE's contrastive term has no negative and is
   * constant, and a ViT's classifier starts at zero, so no gradient would reach its encoder
   * ({@link BatchSizeGradientTest} covers batch sizes 1 to 5 and 8 with a non-zero classifier).
   */
  static Stream<Arguments> variantsAndBatchSizes() {
    return Arrays.stream(Arch.values()).flatMap(a -> IntStream.of(3, 4).mapToObj(n -> Arguments.of(a, n)));
  }

  @ParameterizedTest(name = "{0} batch {1}")
  @MethodSource("variantsAndBatchSizes")
  void everyVariantBuildsRunsAndDifferentiates(Arch arch, int n) {
    ModelOptions o = TinyModels.options(arch);
    EncoderModel m = arch.create(o);
    SameDiff sd = m.sameDiff();

    // state entries: torchvision names and shapes (graph shapes as the layout says), trainable ones
    // are VARIABLEs, buffers CONSTANTs
    for (ParamSpec p : m.spec().stateEntries()) {
      SDVariable v = sd.getVariable(p.name());
      assertArrayEquals(p.graphShape(), sd.getArrForVarName(p.name()).shape(), p.name());
      assertArrayEquals(p.shape(), m.stateArray(p.name()).shape(), p.name());
      assertEquals(p.trainable() ? VariableType.VARIABLE : VariableType.CONSTANT, v.getVariableType(), p.name());
    }
    long counted = 0;
    for (String name : m.parameterNames()) {
      counted += sd.getArrForVarName(name).length();
    }
    assertEquals(m.trainableParameterCount(), counted);
    assertEquals(m.spec().stateEntries().stream().filter(ParamSpec::trainable).count(),
        sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).count(),
        "no trainable variable outside the spec");

    TinyModels.addLoss(m);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(ModelNames.INPUT, TinyModels.input(o, n, 11));
    ph.put(TinyModels.LABELS, TinyModels.labels(n));
    Map<String, INDArray> out = sd.output(ph, ModelNames.EMBEDDING, ModelNames.LOGITS, TinyModels.LOSS);
    assertArrayEquals(new long[] {n, m.embeddingDim()}, out.get(ModelNames.EMBEDDING).shape());
    assertArrayEquals(new long[] {n, TinyModels.CLASSES}, out.get(ModelNames.LOGITS).shape());
    for (INDArray a : out.values()) {
      assertFalse(a.isNaN().any() || a.isInfinite().any(), arch + ": non-finite output");
    }

    // the graph that training runs (SameDiff copies ops to build it) computes the same forward values
    OutAndGrad og = sd.calculateGradientsAndOutputs(ph, List.of(ModelNames.LOGITS, TinyModels.LOSS), m.parameterNames());
    for (String name : List.of(ModelNames.LOGITS, TinyModels.LOSS)) {
      INDArray a = out.get(name);
      INDArray b = og.getOutputs().get(name);
      double scale = 1 + a.amaxNumber().doubleValue();
      assertTrue(a.sub(b).amaxNumber().doubleValue() <= 1e-5 * scale, arch + ": " + name + " differs between inference and training graphs");
    }
    Map<String, INDArray> grads = og.getGradients();
    for (String name : m.parameterNames()) {
      INDArray g = grads.get(name);
      assertTrue(g != null, arch + ": no gradient for " + name);
      assertFalse(g.isNaN().any(), arch + ": NaN gradient for " + name);
      assertTrue(g.amaxNumber().doubleValue() > 0, arch + ": zero gradient for " + name);
    }
  }

  @Test
  void projectionHeadAddsItsOutputAndParameters() {
    ModelOptions o = TinyModels.options(Arch.RESNET18).toBuilder().optProjectionHead(true).optProjectionDim(6).build();
    EncoderModel m = Arch.RESNET18.create(o);
    int d = m.embeddingDim();
    assertEquals(List.of("projection.0.weight", "projection.0.bias", "projection.2.weight", "projection.2.bias"),
        m.projectionParameterNames());
    assertEquals(Arch.RESNET18.spec(TinyModels.options(Arch.RESNET18)).trainableParameterCount() + (long) d * d + d + 6L * d + 6,
        m.trainableParameterCount());
    Map<String, INDArray> out = m.output(TinyModels.input(o, 3, 5));
    assertArrayEquals(new long[] {3, 6}, out.get(ModelNames.PROJECTION).shape());
  }

  @Test
  void initialisationIsDeterministicPerSeed() {
    ModelOptions o = TinyModels.options(Arch.VIT_TI_16);
    INDArray a = Arch.VIT_TI_16.create(o).sameDiff().getArrForVarName("encoder.pos_embedding");
    INDArray b = Arch.VIT_TI_16.create(o).sameDiff().getArrForVarName("encoder.pos_embedding");
    INDArray c = Arch.VIT_TI_16.create(o.toBuilder().optSeed(8).build()).sameDiff().getArrForVarName("encoder.pos_embedding");
    assertEquals(a, b);
    assertFalse(a.equals(c));
    // pos_embedding ~ N(0, 0.02): the sample standard deviation of its 5 x 12 values is near 0.02
    double std = a.stdNumber().doubleValue();
    assertTrue(std > 0.01 && std < 0.03, "std " + std);
  }
}

package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Full-size graphs (224 px, 1000 classes): build, every state entry allocated with torchvision's
 * count, one inference forward pass on one image. Slow (seconds to a minute each, GBs of memory for
 * ViT-L/16), so off by default: {@code mvn ... -Dtest=FullSizeModelTest -Dclce.fullSizeTests=true}.
 */
@EnabledIfSystemProperty(named = "clce.fullSizeTests", matches = "true")
class FullSizeModelTest {

  @ParameterizedTest
  @EnumSource(value = Arch.class, names = {"RESNET50", "RESNET101", "VIT_B_16", "VIT_B_32"})
  void buildsAndRunsAtFullSize(Arch arch) {
    ModelOptions o = ModelOptions.defaults();
    EncoderModel m = arch.create(o);
    SameDiff sd = m.sameDiff();
    long allocated = 0;
    for (String name : m.parameterNames()) {
      allocated += sd.getArrForVarName(name).length();
    }
    assertEquals(arch.spec(o).trainableParameterCount(), allocated);
    m.setTraining(false);
    Map<String, INDArray> out = m.output(TinyModels.input(o, 1, 1));
    assertArrayEquals(new long[] {1, 1000}, out.get(ModelNames.LOGITS).shape());
    assertArrayEquals(new long[] {1, m.embeddingDim()}, out.get(ModelNames.EMBEDDING).shape());
    assertFalse(out.get(ModelNames.EMBEDDING).isNaN().any());
  }
}

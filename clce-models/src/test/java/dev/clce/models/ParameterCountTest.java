package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Trainable-parameter counts at 1000 classes and 224 px against torchvision's
 * {@code sum(p.numel() for p in model.parameters())} (torchvision 0.14; ViT-Ti/16 and ViT-S/16 from
 * {@code torchvision.models.vision_transformer.VisionTransformer(224, 16, 12, heads, width, 4 * width)}).
 * Counted from the spec, which the graph builder reads too (no arrays are allocated).
 */
class ParameterCountTest {

  @ParameterizedTest
  @CsvSource({
      "resnet18, 11689512",
      "resnet34, 21797672",
      "resnet50, 25557032",
      "resnet101, 44549160",
      "resnet152, 60192808",
      "vit_ti_16, 5717416",
      "vit_s_16, 22050664",
      "vit_b_16, 86567656",
      "vit_b_32, 88224232",
      "vit_l_16, 304326632",
  })
  void matchesTorchvision(String arch, long expected) {
    assertEquals(expected, Arch.fromName(arch).spec(ModelOptions.defaults()).trainableParameterCount(), arch);
  }
}

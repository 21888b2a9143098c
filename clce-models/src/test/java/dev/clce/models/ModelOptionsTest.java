package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Validation of options and builders: each refusal names the argument and shows the value. */
class ModelOptionsTest {

  private static void refused(String argument, String value, Supplier<?> action) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::get);
    assertTrue(e.getMessage().startsWith(argument + ":") && e.getMessage().contains(value), e.getMessage());
  }

  @Test
  void badOptionsAreRefused() {
    refused("classes", "0", () -> ModelOptions.builder().optClasses(0).build());
    refused("imageSize", "-1", () -> ModelOptions.builder().optImageSize(-1).build());
    refused("channels", "0", () -> ModelOptions.builder().optChannels(0).build());
    refused("width", "NaN", () -> ModelOptions.builder().optWidth(Double.NaN).build());
    refused("projectionDim", "0", () -> ModelOptions.builder().optProjectionDim(0).build());
    refused("maxBlocksPerStage", "-2", () -> ModelOptions.builder().optMaxBlocksPerStage(-2).build());
    refused("dataType", "INT", () -> ModelOptions.builder().optDataType(DataType.INT32).build());
    refused("stem", "null", () -> ModelOptions.builder().optStem(null).build());
    refused("normKernel", "null", () -> ModelOptions.builder().optNormKernel(null).build());
  }

  @Test
  void badBuildersAreRefused() {
    ModelOptions o = ModelOptions.defaults();
    refused("blocks", "[2, 2]", () -> ResNetBuilder.basic("r", new int[] {2, 2}, o));
    refused("blocks", "0", () -> ResNetBuilder.bottleneck("r", new int[] {1, 0, 1, 1}, o));
    refused("hidden", "10", () -> ViTBuilder.custom("v", 16, 2, 10, 3, 4.0, o));
    refused("imageSize", "224", () -> ViTBuilder.custom("v", 15, 2, 12, 3, 4.0, o));
    refused("stem", "small", () -> Arch.VIT_B_16.spec(o.toBuilder().optStem(Stem.SMALL).build()));
    refused("arch", "resnet9", () -> Arch.fromName("resnet9"));
    refused("stem", "big", () -> Stem.fromName("big"));
  }

  @Test
  void widthAndDepthCapShapeTheSpec() {
    ModelOptions o = ModelOptions.builder().optWidth(0.5).optMaxBlocksPerStage(1).build();
    ModelSpec r = Arch.RESNET101.spec(o);
    assertEquals(1024, r.embeddingDim());   // 512 * 0.5 * 4
    assertEquals(java.util.List.of(1, 1, 1, 1), r.details().get("blocks"));
    ModelSpec v = Arch.VIT_B_16.spec(o);
    assertEquals(384, v.embeddingDim());
    assertEquals(1, v.details().get("depth"));
    assertEquals(1536, v.details().get("mlpDim"));
  }

  /** Each option alone makes two values unequal; the same options make them equal, with equal hash codes. */
  @Test
  void equalExactlyWhenEveryOptionIs() {
    ModelOptions base = ModelOptions.builder().optClasses(5).optImageSize(32).optChannels(1).optStem(Stem.SMALL)
        .optWidth(0.5).optProjectionHead(true).optProjectionDim(64).optMaxBlocksPerStage(1).optSeed(3).build();
    ModelOptions same = base.toBuilder().build();
    assertEquals(base, same);
    assertEquals(base.hashCode(), same.hashCode());
    java.util.Map<String, ModelOptions> changed = new java.util.LinkedHashMap<>();
    changed.put("classes", base.toBuilder().optClasses(6).build());
    changed.put("imageSize", base.toBuilder().optImageSize(33).build());
    changed.put("channels", base.toBuilder().optChannels(3).build());
    changed.put("stem", base.toBuilder().optStem(Stem.IMAGENET).build());
    changed.put("width", base.toBuilder().optWidth(0.25).build());
    changed.put("projectionHead", base.toBuilder().optProjectionHead(false).build());
    changed.put("projectionDim", base.toBuilder().optProjectionDim(32).build());
    changed.put("maxBlocksPerStage", base.toBuilder().optMaxBlocksPerStage(2).build());
    changed.put("seed", base.toBuilder().optSeed(4).build());
    changed.put("dataType", base.toBuilder().optDataType(DataType.DOUBLE).build());
    changed.put("normKernel", base.toBuilder().optNormKernel(java.util.Arrays.stream(dev.clce.models.layers.NormKernel.values())
        .filter(k -> k != base.normKernel()).findFirst().orElseThrow()).build());
    changed.forEach((option, other) -> assertNotEquals(base, other, option));
  }
}

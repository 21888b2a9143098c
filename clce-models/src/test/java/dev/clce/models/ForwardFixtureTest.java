package dev.clce.models;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward passes against PyTorch on fixtures made by {@code src/test/python/make_forward_fixtures.py}
 * (every parameter and buffer randomised): a bottleneck ResNet with the ImageNet stem (eval and
 * training mode, the latter also in float64) and a ViT built by torchvision's {@code VisionTransformer}. Tolerance
 * {@code 1e-5 (1 + |reference|)}.
 */
class ForwardFixtureTest {
  private static final double TOL = 1e-5;

  @Test
  void bottleneckResNetMatchesTorchvision() {
    Map<String, INDArray> fx = Fixtures.npz("/fixtures/forward/resnet_bottleneck.npz");
    ModelOptions o = ModelOptions.builder().optClasses(6).optImageSize(32).optChannels(2).optWidth(1.0 / 32).build();
    EncoderModel m = ResNetBuilder.bottleneck("tiny_bottleneck", new int[] {1, 2, 1, 1}, o).build();
    Fixtures.loadState(m, fx, "state.");
    m.setTraining(false);
    Map<String, INDArray> out = m.output(fx.get("x"));
    Fixtures.assertClose(fx.get("eval_logits"), out.get(ModelNames.LOGITS), TOL, "eval_logits");
    Fixtures.assertClose(fx.get("eval_embedding"), out.get(ModelNames.EMBEDDING), TOL, "eval_embedding");
    // training mode: batch statistics over as few as 3 values per channel amplify float32 rounding
    // (1e-4 seen), so float32 is checked loosely and the formula exactly in float64
    m.setTraining(true);
    Fixtures.assertClose(fx.get("train_logits"), m.output(fx.get("x")).get(ModelNames.LOGITS), 1e-3, "train_logits");
    EncoderModel m64 = ResNetBuilder.bottleneck("tiny_bottleneck", new int[] {1, 2, 1, 1},
        o.toBuilder().optDataType(DataType.DOUBLE).build()).build();
    Fixtures.loadState(m64, fx, "state.");
    Fixtures.assertClose(fx.get("train_logits64"), m64.output(fx.get("x")).get(ModelNames.LOGITS), 1e-10, "train_logits64");
  }

  @Test
  void vitMatchesTorchvision() {
    Map<String, INDArray> fx = Fixtures.npz("/fixtures/forward/vit.npz");
    ModelOptions o = ModelOptions.builder().optClasses(6).optImageSize(32).optChannels(3).build();
    EncoderModel m = ViTBuilder.custom("tiny_vit", 8, 2, 12, 2, 2.0, o).build();
    Fixtures.loadState(m, fx, "state.");
    m.setTraining(false);
    Map<String, INDArray> out = m.output(fx.get("x"));
    Fixtures.assertClose(fx.get("eval_logits"), out.get(ModelNames.LOGITS), TOL, "eval_logits");
    Fixtures.assertClose(fx.get("eval_embedding"), out.get(ModelNames.EMBEDDING), TOL, "eval_embedding");
  }
}

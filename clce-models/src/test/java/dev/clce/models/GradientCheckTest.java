package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.models.layers.NormKernel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SameDiff's gradients of the CLCE loss through whole tiny models (float64, training mode: BatchNorm
 * on batch statistics) against central finite differences of the loss, on two random elements of
 * every trainable parameter ({@code |fd - ad| <= 1e-5 max(|fd|, |ad|) + 1e-8}). DOUBLE models
 * use the primitive BatchNorm by default; the native kernel ({@link NormKernel#NATIVE}) holds
 * epsilon and 1/n in float, so its check allows an absolute error of 1e-6 times the largest gradient
 * of the parameter tensor instead of 1e-8.
 */
class GradientCheckTest {
  private static final double EPS = 1e-6;
  private static final double REL = 1e-5;
  /** Finite differences of a loss near 1 carry ~1e-10 of rounding noise at EPS = 1e-6. */
  private static final double ABS = 1e-8;

  private static void check(EncoderModel m, int n) {
    check(m, n, 0);
  }

  /** @param absPerScale absolute tolerance as a fraction of the parameter's largest |gradient| (0: {@link #ABS} alone) */
  private static void check(EncoderModel m, int n, double absPerScale) {
    SameDiff sd = m.sameDiff();
    TinyModels.addLoss(m);
    ModelOptions o = m.spec().options();
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(ModelNames.INPUT, TinyModels.input(o, n, 21));
    ph.put(TinyModels.LABELS, TinyModels.labels(n));
    List<String> params = m.parameterNames();
    Map<String, INDArray> grads = sd.calculateGradients(ph, params);
    Random rnd = new Random(5);
    int checked = 0;
    for (String p : params) {
      INDArray w = sd.getArrForVarName(p);
      INDArray g = grads.get(p);
      double abs = ABS + absPerScale * g.amaxNumber().doubleValue();
      for (int k = 0; k < 2; k++) {
        long i = (long) rnd.nextInt((int) w.length());
        double fd = FiniteDifferences.central(w, i, EPS, () -> loss(sd, ph));
        double an = g.getDouble(i);
        assertTrue(Math.abs(fd - an) <= REL * Math.max(Math.abs(fd), Math.abs(an)) + abs,
            m.spec().name() + " " + p + "[" + i + "]: autodiff " + an + ", finite differences " + fd);
        checked++;
      }
    }
    assertTrue(checked == 2 * params.size());
  }

  private static double loss(SameDiff sd, Map<String, INDArray> ph) {
    return sd.output(ph, TinyModels.LOSS).get(TinyModels.LOSS).getDouble(0);
  }

  @Test
  void bottleneckResNetWithImageNetStem() {
    ModelOptions o = ModelOptions.builder().optClasses(TinyModels.CLASSES).optImageSize(16).optChannels(2).optWidth(1.0 / 32)
        .optProjectionHead(true).optProjectionDim(4).optDataType(DataType.DOUBLE).build();
    check(ResNetBuilder.bottleneck("grad_resnet", new int[] {2, 1, 1, 1}, o).build(), 6);
  }

  @Test
  void bottleneckResNetOnTheNativeNormKernel() {
    ModelOptions o = ModelOptions.builder().optClasses(TinyModels.CLASSES).optImageSize(16).optChannels(2).optWidth(1.0 / 32)
        .optProjectionHead(true).optProjectionDim(4).optDataType(DataType.DOUBLE).optNormKernel(NormKernel.NATIVE).build();
    check(ResNetBuilder.bottleneck("grad_resnet_native", new int[] {2, 1, 1, 1}, o).build(), 6, 1e-6);
  }

  @Test
  void basicResNetWithSmallStem() {
    ModelOptions o = ModelOptions.builder().optClasses(TinyModels.CLASSES).optImageSize(8).optStem(Stem.SMALL).optWidth(1.0 / 32)
        .optDataType(DataType.DOUBLE).build();
    check(ResNetBuilder.basic("grad_resnet_basic", new int[] {1, 1, 1, 1}, o).build(), 4);
  }

  @Test
  void vit() {
    vitCheck(NormKernel.AUTO, 0);
  }

  @Test
  void vitOnTheNativeNormKernel() {
    vitCheck(NormKernel.NATIVE, 1e-6);
  }

  private static void vitCheck(NormKernel kernel, double absPerScale) {
    ModelOptions o = ModelOptions.builder().optClasses(TinyModels.CLASSES).optImageSize(16).optDataType(DataType.DOUBLE)
        .optNormKernel(kernel).build();
    EncoderModel m = ViTBuilder.custom("grad_vit_" + kernel.cliName(), 8, 2, 8, 2, 2.0, o).build();
    // torchvision starts the classifier at 0; give it values so that CE reaches the encoder too
    m.sameDiff().getArrForVarName("heads.head.weight").assign(TinyModels.input(o, 1, 3).reshape(-1).get(
        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, TinyModels.CLASSES * 8)).reshape(TinyModels.CLASSES, 8).mul(0.3));
    check(m, 4, absPerScale);
  }
}

package dev.clce.bench.perf;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times a few kernels on whichever ND4J native build is on the classpath, so that the builds can be
 * compared side by side (run by {@code scripts/measure-backends.sh}). Prints one line of
 * tab-separated results: the build's binary level, whether it has oneDNN, then median milliseconds
 * of sgemm 1024, conv2d 64-&gt;64 3x3 on 8x64x56x56 forward, forward+backward, and a
 * BatchNorm built from element-wise ops and reductions on the same tensor, forward+backward.
 */
public final class BackendProbe {
  private BackendProbe() {}

  /**
   * Runs the probe.
   *
   * @param args {@code [repeats]} (default 15)
   */
  public static void main(String[] args) {
    int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    Nd4j.getRandom().setSeed(1);
    INDArray a = Nd4j.rand(DataType.FLOAT, 1024, 1024);
    INDArray c = Nd4j.create(DataType.FLOAT, 1024, 1024);
    double gemm = median(repeats, () -> a.mmuli(a, c));

    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 64, 56, 56);
    SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 3, 3, 64, 64).muli(0.05));
    Conv2DConfig cfg = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1)
        .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
    SDVariable y = sd.cnn().conv2d("y", x, w, cfg);
    SDVariable loss = y.mul(y).mean("loss");
    loss.markAsLoss();
    INDArray xv = Nd4j.rand(DataType.FLOAT, 8, 64, 56, 56);
    Map<String, INDArray> ph = Map.of("x", xv);
    double fwd = median(repeats, () -> sd.output(ph, "y"));
    double fwdBwd = median(repeats, () -> sd.calculateGradients(ph, "w"));

    // Element-wise and reduction work (what a BatchNorm built from primitive ops does).
    SameDiff sd2 = SameDiff.create();
    SDVariable x2 = sd2.placeHolder("x", DataType.FLOAT, -1, 64, 56, 56);
    SDVariable g = sd2.var("g", Nd4j.rand(DataType.FLOAT, 1, 64, 1, 1));
    SDVariable mean = x2.mean(true, 0, 2, 3);
    SDVariable centred = x2.sub(mean);
    SDVariable var = centred.mul(centred).mean(true, 0, 2, 3);
    SDVariable bn = centred.mul(sd2.math().rsqrt(var.add(1e-5))).mul(g);
    bn.mul(bn).mean("loss2").markAsLoss();
    double elementwise = median(repeats, () -> sd2.calculateGradients(ph, "g"));

    String info = Nd4j.getExecutioner().getEnvironmentInformation().toString();
    String build = Nd4j.getExecutioner().getClass().getName();
    System.err.println(build + " " + info);
    System.out.printf(Locale.ROOT, "%s\t%.2f\t%.2f\t%.2f\t%.2f%n",
        System.getProperty("clce.probe.label", "?"), gemm, fwd, fwdBwd, elementwise);
  }

  private static double median(int repeats, Runnable r) {
    for (int i = 0; i < 3; i++) {
      r.run();
    }
    double[] t = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      long s = System.nanoTime();
      r.run();
      t[i] = (System.nanoTime() - s) / 1e6;
    }
    Arrays.sort(t);
    return t[repeats / 2];
  }
}

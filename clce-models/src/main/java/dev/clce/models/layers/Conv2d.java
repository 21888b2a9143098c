package dev.clce.models.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * A square 2-D convolution on NCHW input with explicit symmetric zero padding.
 *
 * <p>The weight's state-dict entry ({@link #params()}) is torchvision's {@code [out, in, k, k]}
 * (OIHW); its graph variable is stored in ND4J's {@code YXIO} layout {@code [k, k, in, out]}
 * ({@link StateLayout#CONV2D_YXIO}), which {@code conv2d} reads directly: no permute op in the
 * forward graph, and the gradient comes out in the variable's layout. Weight import and export
 * convert at the boundary ({@link StateLayout}). (ND4J's {@link WeightsFormat#OIYX} would read
 * torchvision's layout, but in M2.1 {@code conv2d_bp} then fails "Op validation failed": the
 * derivative op does not carry the weights format.)
 *
 * @param name state-dict prefix: the weight is {@code name.weight}, the bias {@code name.bias}
 * @param in input channels
 * @param out output channels
 * @param kernel kernel size
 * @param stride stride
 * @param padding zero padding on each side
 * @param bias whether there is a bias
 * @param weightInit initialiser of the weight
 * @param biasInit initialiser of the bias (ignored without bias)
 */
public record Conv2d(String name, int in, int out, int kernel, int stride, int padding, boolean bias,
    ParamSpec.Init weightInit, ParamSpec.Init biasInit) {

  /** Suffix of a weight in torchvision's state dict. */
  public static final String WEIGHT = ".weight";
  /** Suffix of a bias in torchvision's state dict. */
  public static final String BIAS = ".bias";

  /**
   * @return the state entries: weight [out, in, k, k] (graph variable [k, k, in, out],
   *     {@link StateLayout#CONV2D_YXIO}) and optional bias [out]
   */
  public List<ParamSpec> params() {
    List<ParamSpec> p = new ArrayList<>(2);
    p.add(new ParamSpec(name + WEIGHT, new long[] {out, in, kernel, kernel}, ParamSpec.Role.TRAINABLE, weightInit,
        StateLayout.CONV2D_YXIO));
    if (bias) {
      p.add(new ParamSpec(name + BIAS, new long[] {out}, ParamSpec.Role.TRAINABLE, biasInit));
    }
    return p;
  }

  /**
   * @param size input height or width
   * @return output height or width
   */
  public int outputSize(int size) {
    return (size + 2 * padding - kernel) / stride + 1;
  }

  /**
   * Adds the convolution to the graph.
   *
   * @param ctx the graph context
   * @param x input [N, in, H, W]
   * @return output [N, out, H', W']
   */
  public SDVariable forward(GraphContext ctx, SDVariable x) {
    List<ParamSpec> p = params();
    SDVariable w = ctx.param(p.get(0)); // [k, k, in, out]: the YXIO layout conv2d reads
    SDVariable b = bias ? ctx.param(p.get(1)) : null;
    Conv2DConfig cfg = Conv2DConfig.builder()
        .kH(kernel).kW(kernel)
        .sH(stride).sW(stride)
        .pH(padding).pW(padding)
        .paddingMode(PaddingMode.VALID)
        .dataFormat(Conv2DConfig.NCHW)
        .weightsFormat(WeightsFormat.YXIO)
        .build();
    return b == null ? ctx.sd().cnn().conv2d(x, w, cfg) : ctx.sd().cnn().conv2d(x, w, b, cfg);
  }
}

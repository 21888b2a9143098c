package dev.clce.models.layers;

import dev.clce.models.ops.ClceOps;
import dev.clce.models.ops.FusedBatchNorm;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Batch normalisation over the channels of NCHW input that trains, on ND4J's native
 * {@code batchnorm} / {@code batchnorm_bp} kernels through {@link FusedBatchNorm} (M2.1's
 * {@code sd.nn().batchNorm} cannot be differentiated; see {@link dev.clce.models.ops}).
 *
 * <p>In training the statistics used are the batch mean and biased batch variance {@code bm, bv} over
 * {@code [N, H, W]} (one native {@code moments} op), in inference the running statistics
 * {@code rm, rv}; the output is
 * {@code weight * (x - mean) / sqrt(var + eps) + bias}. In training the gradient is the full one of
 * batch normalisation (the kernel folds the paths through the batch statistics into the input's
 * gradient, so the statistics themselves are not differentiated); in inference it treats the running
 * statistics as constants, as PyTorch's {@code eval()} does. The running statistics are
 * {@code CONSTANT}s that are not trained; after each training step they are updated as PyTorch does
 * (see {@code BatchNormStatistics} of the models package).
 *
 * <p>Two ways to compute it, chosen by {@link GraphContext#normKernel()} (the model option
 * {@code ModelOptions.normKernel()}): the native kernels above
 * ({@link NormKernel#NATIVE}, the default for FLOAT models; the mode is the op's wiring, switched by
 * {@link FusedBatchNorm#useBatchStatistics}), or primitive ops, which mix both pairs of statistics
 * by the model's scalar training switch {@code t} (1 training, 0 inference),
 * {@code mean = rm + t (bm - rm)} and {@code var = rv + t (bv - rv)}
 * differentiated by SameDiff ({@link NormKernel#PRIMITIVE}, the default for DOUBLE: exact to double
 * rounding, where the native kernel holds epsilon and 1/n in float). Both are checked against
 * PyTorch's training-mode gradient by {@code BatchNormTrainingGradientTest}.
 *
 * @param name state-dict prefix ({@code name.weight}, {@code .bias}, {@code .running_mean},
 *     {@code .running_var}, {@code .num_batches_tracked})
 * @param channels number of channels
 * @param valuesPerExample {@code H * W} of this layer's input (fixed by the model's image size): the
 *     number of values per channel in a batch is {@code N * valuesPerExample}
 */
public record BatchNorm2d(String name, int channels, long valuesPerExample) {

  /** PyTorch's default epsilon. */
  public static final double EPS = 1e-5;
  /** PyTorch's default momentum of the running statistics. */
  public static final double MOMENTUM = 0.1;
  /** Suffix of the running mean in torchvision's state dict. */
  public static final String RUNNING_MEAN = ".running_mean";
  /** Suffix of the running variance in torchvision's state dict. */
  public static final String RUNNING_VAR = ".running_var";
  /** Suffix of the batch counter in torchvision's state dict. */
  public static final String NUM_BATCHES_TRACKED = ".num_batches_tracked";
  /** Suffix of the graph variable holding the batch mean [C] (not part of the state dict). */
  public static final String BATCH_MEAN = ".batch_mean";
  /** Suffix of the graph variable holding the biased batch variance [C] (not part of the state dict). */
  public static final String BATCH_VAR = ".batch_var";

  /** @return the state entries in torchvision's order: weight, bias, running_mean, running_var, num_batches_tracked */
  public List<ParamSpec> params() {
    long[] c = {channels};
    return List.of(
        new ParamSpec(name + Conv2d.WEIGHT, c, ParamSpec.Role.TRAINABLE, ParamSpec.Init.constant(1.0)),
        new ParamSpec(name + Conv2d.BIAS, c, ParamSpec.Role.TRAINABLE, ParamSpec.Init.constant(0.0)),
        new ParamSpec(runningMeanName(), c, ParamSpec.Role.RUNNING_MEAN, ParamSpec.Init.constant(0.0)),
        new ParamSpec(runningVarName(), c, ParamSpec.Role.RUNNING_VAR, ParamSpec.Init.constant(1.0)),
        new ParamSpec(numBatchesTrackedName(), new long[0], ParamSpec.Role.BATCH_COUNT, ParamSpec.Init.constant(0.0)));
  }

  /** @return the name of the running mean */
  public String runningMeanName() {
    return name + RUNNING_MEAN;
  }

  /** @return the name of the running variance */
  public String runningVarName() {
    return name + RUNNING_VAR;
  }

  /** @return the name of the batch counter */
  public String numBatchesTrackedName() {
    return name + NUM_BATCHES_TRACKED;
  }

  /** @return the name of the batch-mean graph variable */
  public String batchMeanName() {
    return name + BATCH_MEAN;
  }

  /** @return the name of the biased batch-variance graph variable */
  public String batchVarName() {
    return name + BATCH_VAR;
  }

  /**
   * Adds the normalisation to the graph.
   *
   * @param ctx the graph context
   * @param x input [N, C, H, W]
   * @return normalised input, same shape
   */
  public SDVariable forward(GraphContext ctx, SDVariable x) {
    List<ParamSpec> p = params();
    SDVariable gamma = ctx.param(p.get(0));
    SDVariable beta = ctx.param(p.get(1));
    SDVariable rm = ctx.param(p.get(2));
    SDVariable rv = ctx.param(p.get(3));
    ctx.param(p.get(4));
    var sd = ctx.sd();
    ctx.registerBatchNorm(this);
    if (ctx.normKernel() == NormKernel.PRIMITIVE) {
      return primitive(ctx, x, gamma, beta, rm, rv);
    }
    SDVariable[] moments = sd.math().moments(new String[] {batchMeanName(), batchVarName()}, x, new int[] {0, 2, 3}, false);
    SDVariable mean = ClceOps.stopGradient(sd, moments[0]);
    SDVariable var = ClceOps.stopGradient(sd, moments[1]);
    // A new graph is in training mode (GraphContext's flag starts at 1): wired to the batch statistics.
    return new FusedBatchNorm(sd, x, mean, var, rm, rv, gamma, beta, EPS, true).outputVariable();
  }

  /** The same function from primitive ops, differentiated by SameDiff ({@link NormKernel#PRIMITIVE}). */
  private SDVariable primitive(GraphContext ctx, SDVariable x, SDVariable gamma, SDVariable beta, SDVariable rm, SDVariable rv) {
    var sd = ctx.sd();
    SDVariable bm = sd.mean(batchMeanName(), x, false, 0, 2, 3);
    // Not sd.variance(x, false, ...): the copy of the op that SameDiff makes when it builds the
    // gradient graph loses biasCorrected=false, so training steps would see the unbiased variance.
    SDVariable centred = x.sub(bm.reshape(1, channels, 1, 1));
    SDVariable bv = sd.mean(batchVarName(), sd.math().square(centred), false, 0, 2, 3);
    SDVariable t = ctx.training();
    SDVariable mean = rm.add(bm.sub(rm).mul(t));
    SDVariable var = rv.add(bv.sub(rv).mul(t));
    SDVariable scale = gamma.mul(sd.math().rsqrt(var.add(EPS)));
    SDVariable shift = beta.sub(mean.mul(scale));
    return x.mul(scale.reshape(1, channels, 1, 1)).add(shift.reshape(1, channels, 1, 1));
  }
}

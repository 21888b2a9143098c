package dev.clce.models.ops;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * BatchNorm over an NCHW tensor on ND4J's native {@code batchnorm} kernel, differentiable in
 * SameDiff M2.1 (ND4J's own {@code BatchNorm} is not: see the package documentation).
 *
 * <p>Inputs: {@code x} [N, C, H, W], {@code mean} [C], {@code variance} [C], {@code gamma} [C],
 * {@code beta} [C]; output {@code gamma * (x - mean) / sqrt(variance + eps) + beta}, channels on
 * axis 1.
 *
 * <p>Which statistics. The op knows two pairs: the batch's own statistics of {@code x} (mean and
 * biased variance, passed through {@link ClceOps#stopGradient}) and the running statistics
 * (constants). Its {@code mean} and {@code variance} inputs are wired to one pair:
 * {@link #useBatchStatistics(SameDiff, boolean)} rewires every such op of a graph (the model's
 * training switch calls it). The switch is the graph's wiring rather than a value mixed in by
 * arithmetic because a value switch costs about twenty small ops per layer and step (mixing both
 * pairs by a 0/1 scalar forward and backward), the majority of a ResNet step's op executions;
 * wired, a training step runs {@code moments}, the two bit casts of each statistic, this op and its
 * gradient, and an inference pass does not even compute the batch statistics.
 *
 * <p>Gradient, decided by the wiring when SameDiff builds the gradient graph (rewiring drops the
 * gradient graph, see {@link #useBatchStatistics}). Batch statistics: the native
 * {@code batchnorm_bp} kernel ({@link FusedBatchNormBp}) returns the full gradient with respect to
 * {@code x}, the paths through the batch statistics included, and zeros for the statistics (which
 * is why they reach this op through {@link ClceOps#stopGradient}: SameDiff then does not
 * differentiate them a second time). Running statistics, which are constants: the gradient with
 * respect to {@code x} is {@code g * gamma / sqrt(variance + eps)}. The gradients of {@code gamma} and
 * {@code beta} are the kernel's in both cases.
 *
 * <p>Graphs saved before this wiring (their op names a training-flag variable and is fed the mixed
 * statistics) keep their behaviour: their gradient mixes both forms by that flag.
 */
public final class FusedBatchNorm extends BatchNormKernelOp {

  /** This op's name in graphs. */
  public static final String OP_NAME = "clce_batch_norm";
  private static final String PROP_FLAG = "trainingFlag";
  private static final String PROP_BATCH_MEAN = "batchMean";
  private static final String PROP_BATCH_VAR = "batchVar";
  private static final String PROP_RUNNING_MEAN = "runningMean";
  private static final String PROP_RUNNING_VAR = "runningVar";
  /** Where the gradient graph built for the other wiring is kept while unused (see {@link #useBatchStatistics}). */
  private static final String STASH_BATCH = "clce.grad.batch_statistics";
  private static final String STASH_RUNNING = "clce.grad.running_statistics";
  private static final String GRAD_FN = "grad";

  static {
    ClceOps.register();
  }

  /** Graphs saved before the wiring: the flag variable's name; null otherwise. */
  private String trainingFlag;
  private String batchMean;
  private String batchVar;
  private String runningMean;
  private String runningVar;

  /** For SameDiff's rebuilding by name. */
  public FusedBatchNorm() {
    super();
  }

  /**
   * @param sd the graph
   * @param x input [N, C, H, W]
   * @param batchMean the batch mean of {@code x} [C], through {@link ClceOps#stopGradient}
   * @param batchVar the biased batch variance of {@code x} [C], through {@link ClceOps#stopGradient}
   * @param runningMean the running mean [C], a constant
   * @param runningVar the running variance [C], a constant
   * @param gamma scale [C]
   * @param beta shift [C]
   * @param eps added to the variance, finite and &gt; 0
   * @param useBatchStatistics whether the op starts wired to the batch statistics (training) or
   *     the running ones (inference)
   */
  public FusedBatchNorm(SameDiff sd, SDVariable x, SDVariable batchMean, SDVariable batchVar, SDVariable runningMean,
      SDVariable runningVar, SDVariable gamma, SDVariable beta, double eps, boolean useBatchStatistics) {
    super(sd, new SDVariable[] {x, useBatchStatistics ? nonNull(batchMean, "batchMean") : nonNull(runningMean, "runningMean"),
        useBatchStatistics ? nonNull(batchVar, "batchVar") : nonNull(runningVar, "runningVar"), gamma, beta},
        positiveEps(eps), true, 1);
    this.batchMean = nonNull(batchMean, "batchMean").name();
    this.batchVar = nonNull(batchVar, "batchVar").name();
    this.runningMean = nonNull(runningMean, "runningMean").name();
    this.runningVar = nonNull(runningVar, "runningVar").name();
  }

  private static SDVariable nonNull(SDVariable v, String name) {
    if (v == null) {
      throw new IllegalArgumentException(name + ": must not be null");
    }
    return v;
  }

  /**
   * Wires every {@link FusedBatchNorm} of a graph to the batch statistics (training) or to the
   * running statistics (inference). When the wiring changes, the graph's gradient function is set
   * aside (SameDiff builds its gradient graph as a copy of the forward graph, so it follows the
   * wiring it was built with) and the one built earlier for the new wiring, if any, takes its place;
   * otherwise the next training step builds one. Graphs saved before the wiring existed are left
   * alone (their ops switch by the training-flag value).
   *
   * @param sd the graph
   * @param batchStatistics true for the batch statistics, false for the running ones
   * @return the number of ops rewired (0 when the graph was already wired so)
   */
  public static int useBatchStatistics(SameDiff sd, boolean batchStatistics) {
    if (sd == null) {
      throw new IllegalArgumentException("sd: must not be null");
    }
    int changed = 0;
    for (SameDiffOp o : List.copyOf(sd.getOps().values())) {
      if (o.getOp() instanceof FusedBatchNorm f && f.trainingFlag == null && f.batchMean != null) {
        String mean = batchStatistics ? f.batchMean : f.runningMean;
        String var = batchStatistics ? f.batchVar : f.runningVar;
        List<String> in = o.getInputsToOp();
        if (!in.get(1).equals(mean) || !in.get(2).equals(var)) {
          sd.replaceArgFor(1, requireVariable(sd, mean), f);
          sd.replaceArgFor(2, requireVariable(sd, var), f);
          changed++;
        }
      }
    }
    if (changed > 0) {
      swapGradientFunction(sd, batchStatistics);
    }
    return changed;
  }

  private static SDVariable requireVariable(SameDiff sd, String name) {
    SDVariable v = sd.getVariable(name);
    if (v == null) {
      throw new IllegalStateException(OP_NAME + ": the graph has no variable " + name);
    }
    return v;
  }

  /**
   * Sets the current gradient function aside for the old wiring, and brings back the one built for
   * the new wiring, if any. A kept function is keyed by the wiring, the loss variables and the
   * number of ops, so that one built for another loss or another graph is never brought back.
   */
  private static void swapGradientFunction(SameDiff sd, boolean batchStatistics) {
    SameDiff current = sd.getFunction(GRAD_FN);
    String key = "|" + String.join(",", sd.getLossVariables()) + "|" + sd.getOps().size();
    String oldStash = (batchStatistics ? STASH_RUNNING : STASH_BATCH) + key;
    String newStash = (batchStatistics ? STASH_BATCH : STASH_RUNNING) + key;
    if (current != null && sd.getFunction(oldStash) == null) {
      sd.putSubFunction(oldStash, current);
    }
    // The public way to drop SameDiff's gradient function: setting the loss variables again.
    sd.setLossVariables(sd.getLossVariables().toArray(new String[0]));
    SameDiff kept = sd.getFunction(newStash);
    if (kept != null) {
      sd.putSubFunction(GRAD_FN, kept);
    }
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public Map<String, Object> propertiesForFunction() {
    Map<String, Object> m = super.propertiesForFunction();
    if (trainingFlag != null) {
      m.put(PROP_FLAG, trainingFlag);
    }
    if (batchMean != null) {
      m.put(PROP_BATCH_MEAN, batchMean);
      m.put(PROP_BATCH_VAR, batchVar);
      m.put(PROP_RUNNING_MEAN, runningMean);
      m.put(PROP_RUNNING_VAR, runningVar);
    }
    return m;
  }

  @Override
  public void setPropertiesForFunction(Map<String, Object> properties) {
    super.setPropertiesForFunction(properties);
    trainingFlag = (String) properties.get(PROP_FLAG);
    batchMean = (String) properties.get(PROP_BATCH_MEAN);
    batchVar = (String) properties.get(PROP_BATCH_VAR);
    runningMean = (String) properties.get(PROP_RUNNING_MEAN);
    runningVar = (String) properties.get(PROP_RUNNING_VAR);
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradients) {
    SDVariable[] a = args();
    SDVariable g = gradients.get(0);
    SDVariable[] bp = new FusedBatchNormBp(sameDiff, a[0], a[1], a[2], a[3], a[4], g, eps(), 1).outputVariables();
    if (trainingFlag != null) {
      return legacyDiff(a, g, bp);
    }
    if (a[1].name().equals(batchMean)) {
      return List.of(bp[0], bp[1], bp[2], bp[3], bp[4]);
    }
    SDVariable scale = a[3].mul(sameDiff.math().rsqrt(a[2].add(eps()))).reshape(1, -1, 1, 1);
    return List.of(g.mul(scale), bp[1], bp[2], bp[3], bp[4]);
  }

  /** Graphs saved before the wiring: both gradients, mixed by the training flag {@code t}. */
  private List<SDVariable> legacyDiff(SDVariable[] a, SDVariable g, SDVariable[] bp) {
    SDVariable t = sameDiff.getVariable(trainingFlag);
    if (t == null) {
      throw new IllegalStateException(OP_NAME + ": the graph has no training flag named " + trainingFlag);
    }
    SDVariable inferenceScale = a[3].mul(sameDiff.math().rsqrt(a[2].add(eps()))).mul(t.rsub(1.0)).reshape(1, -1, 1, 1);
    SDVariable dx = bp[0].mul(t).add(g.mul(inferenceScale));
    return List.of(dx, bp[1], bp[2], bp[3], bp[4]);
  }
}

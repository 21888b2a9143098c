package dev.clce.core.dl4j;

import dev.clce.core.loss.EagerLoss;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.LossResult;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The cross-entropy term of CLCE, CE+SupCon and CE+CL (or CE alone) for a DL4J logits output,
 * multiplied by a weight ({@code 1 - lambda}, or 1 for CE).
 *
 * <p>Why not DL4J's {@code LossMCXENT}: it reads the softmax output and clips probabilities at
 * 1e-10, so its score stops at {@code -log 1e-10} (about 23) per example where the true
 * cross-entropy goes on; this loss reads the pre-softmax logits ({@code preOutput}) and computes
 * {@code -log softmax(o_i)[y_i]} from them (the eager form, {@link EagerLoss}), exact for any
 * logits. The layer's activation must be softmax (its output are then class probabilities, as
 * usual) or the identity (its output are the logits); either way the loss is a function of the
 * pre-output logits.
 *
 * <p>Labels: one-hot rows [M, C] or class indices [M, 1] (a single column is read as indices), each
 * class in [0, C). Bad input (a label outside, a row that is not one-hot, NaN or infinite logits,
 * row counts that differ, M &lt; 2) is
 * refused with an {@link IllegalArgumentException} naming the argument and the value, before DL4J
 * applies any update. Masks are not supported (a mask that is not all ones is refused).
 *
 * <p>Scores: {@link #computeScoreArray} gives each example its own {@code weight * CE_i}; DL4J
 * sums them and divides by M, so the network's score is {@code weight * mean_i CE_i}.
 */
public final class LossCrossEntropy implements ILossFunction {
  private static final long serialVersionUID = 1L;

  /** The name DL4J prints for this loss. */
  public static final String NAME = "clce-cross-entropy";

  private static final LossConfig CE = LossConfig.builder(LossKind.CE).build();

  /** Factor applied to the loss. */
  @JsonProperty("weight")
  private final double weight;

  /**
   * Creates the loss (also the JSON constructor DL4J uses to read a saved configuration).
   *
   * @param weight the factor applied to the cross-entropy, finite and &gt;= 0
   * @throws IllegalArgumentException naming the argument and value
   */
  @JsonCreator
  public LossCrossEntropy(@JsonProperty("weight") double weight) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("weight: must be finite and >= 0, got " + weight);
    }
    this.weight = weight;
  }

  /** @return the factor applied to the loss */
  public double weight() {
    return weight;
  }

  @Override
  public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
      boolean average) {
    double[] rows = perExample(labels, preOutput, activationFn, mask);
    double sum = 0;
    for (double v : rows) {
      sum += v;
    }
    return average ? sum / rows.length : sum;
  }

  @Override
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    double[] rows = perExample(labels, preOutput, activationFn, mask);
    return Nd4j.create(rows, new long[] {rows.length, 1}, 'c').castTo(preOutput.dataType());
  }

  @Override
  public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    return computeGradientAndScore(labels, preOutput, activationFn, mask, false).getSecond();
  }

  @Override
  @SuppressWarnings("try")
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask, boolean average) {
    long[] y = checkedLabels(labels, preOutput, activationFn, mask);
    long m = preOutput.size(0);
    LossResult r;
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      r = EagerLoss.compute(CE, null, Nd4j.createFromArray(y), preOutput.dup());
    }
    // d(sum_i weight CE_i)/d logits = M weight dCE/do; the logits are the pre-output.
    INDArray grad = preOutput.ulike().assign(r.gradLogits().castTo(preOutput.dataType())).muli(weight * m);
    double score = weight * r.value();
    return new Pair<>(average ? score : score * m, grad);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** @return {@code weight * CE_i} for every example */
  @SuppressWarnings("try")
  private double[] perExample(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    long[] y = checkedLabels(labels, preOutput, activationFn, mask);
    double[] rows;
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      rows = EagerLoss.perExample(CE, null, Nd4j.createFromArray(y), preOutput.dup());
    }
    for (int i = 0; i < rows.length; i++) {
      rows[i] *= weight;
    }
    return rows;
  }

  /** Checks what EagerLoss does not see (activation, label layout, mask) and reads the class indices. */
  private static long[] checkedLabels(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    if (!(activationFn instanceof ActivationSoftmax) && !(activationFn instanceof ActivationIdentity)) {
      throw new IllegalArgumentException("activationFn: " + NAME + " needs softmax or identity, got " + activationFn);
    }
    if (preOutput == null || preOutput.rank() != 2) {
      throw new IllegalArgumentException("preOutput: must be [M, C] logits, got shape "
          + (preOutput == null ? null : Arrays.toString(preOutput.shape())));
    }
    if (labels == null || labels.rank() != 2 || labels.size(0) != preOutput.size(0)
        || (labels.size(1) != 1 && labels.size(1) != preOutput.size(1))) {
      throw new IllegalArgumentException("labels: must be [M, C] one-hot or [M, 1] indices with M = "
          + preOutput.size(0) + ", C = " + preOutput.size(1) + ", got shape "
          + (labels == null ? null : Arrays.toString(labels.shape())));
    }
    if (mask != null && mask.minNumber().doubleValue() != 1.0) {
      throw new IllegalArgumentException("mask: masking is not supported by " + NAME
          + " (drop the masked rows from the minibatch instead)");
    }
    return LossContrastive.classIndices(labels);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LossCrossEntropy c && Double.compare(weight, c.weight) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(NAME, weight);
  }

  @Override
  public String toString() {
    return NAME + "(" + weight + " * ce)";
  }
}

package dev.clce.core.dl4j;

import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.EagerLoss;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.LossParts;
import dev.clce.core.loss.LossResult;
import dev.clce.core.loss.SDClceLoss;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A DL4J loss function ({@link ILossFunction}) for an <em>embedding</em> output: one of the
 * contrastive losses of this library ({@link LossKind#LACLN}, {@link LossKind#CL}, {@link
 * LossKind#SUPCON}, {@link LossKind#HSCL}), multiplied by a weight. With {@link
 * #forEmbeddings(LossConfig)} on a {@link LossKind#CLCE} configuration it is {@code lambda *
 * LACLN} ({@code lambda * SupCon} for {@link LossKind#CE_SUPCON}, {@code lambda * CL} for {@link
 * LossKind#CE_CL}); put {@link Dl4jClce#logitsLoss(LossConfig, int)} ({@code (1 - lambda) * CE}) on
 * the logits output of the same {@code ComputationGraph} and the graph's score is the combined loss.
 * {@link Dl4jClce} has the recipe.
 *
 * <h2>Inputs</h2>
 * The output layer's activations (its activation function applied to its pre-output, normally the
 * identity) are the raw embeddings {@code z} [M, d]; the L2 normalisation is part of the loss. The
 * labels of this output are either one-hot [M, C] (the same array as the logits output's labels)
 * or class indices [M, 1]. A label array with one column is always read as indices.
 *
 * <h2>Batch coupling: read this before training</h2>
 * The loss of one example depends on every other example of the minibatch (its positives and
 * negatives are the other rows). Therefore:
 * <ul>
 *   <li>the views of one image must be in the same minibatch, with the same label (stack the two
 *       views of N images into one batch of M = 2N rows, see {@link Dl4jClce#twoViewBatch});
 *   <li>gradient accumulation over several small minibatches, or splitting one minibatch across
 *       workers (parameter averaging, gradient sharing, {@code ParallelWrapper}), computes a
 *       <em>different</em> loss, with fewer negatives and positives per anchor, than the same
 *       examples in one minibatch;
 *   <li>the per-example scores of {@link #computeScoreArray} split the batch's loss over its
 *       examples ({@link EagerLoss#perExample}: an anchor's term times M over the number of
 *       anchors, 0 for a row without a positive), so that their mean is the loss; each still
 *       depends on the whole minibatch, so they are not the losses of independent examples.
 * </ul>
 *
 * <h2>How the numbers line up with DL4J</h2>
 * DL4J sums per-example scores and divides by the minibatch size M. This function returns {@code M
 * * weight * loss} from {@code computeScore(..., average = false)} (and {@code weight * loss} when
 * {@code average} is true), and the gradient of {@code M * weight * loss} from {@link
 * #computeGradient}, which DL4J divides by M in its updater; so the network's score and gradient
 * are those of {@code weight * loss}.
 *
 * <h2>Computation</h2>
 * Score and gradient come from {@link EagerLoss} (the closed-form gradients that docs/LOSSES.md
 * derives, the function of {@link SDClceLoss}), run outside any DL4J workspace; the gradient is
 * copied back into the caller's workspace. Masks are not supported (a mask that is not all ones
 * is refused). DL4J asks for the gradient and then the score of a training step separately; the
 * score reuses the value computed with the gradient when the embeddings and labels are exactly the
 * same, so a step runs the loss forward and backward once.
 */
public final class LossContrastive implements ILossFunction {
  private static final long serialVersionUID = 1L;

  /** The name DL4J prints for this loss. */
  public static final String NAME = "clce-contrastive";

  /** The contrastive loss. */
  @JsonProperty("kind")
  private final LossKind kind;
  /** Temperature. */
  @JsonProperty("tau")
  private final double tau;
  /** H-SCL's concentration. */
  @JsonProperty("beta")
  private final double beta;
  /** LACLN/CL aggregation. */
  @JsonProperty("aggregation")
  private final Aggregation aggregation;
  /** Whether hard-negative weights are constants in backward. */
  @JsonProperty("detachWeights")
  private final boolean detachWeights;
  /** Factor applied to the loss. */
  @JsonProperty("weight")
  private final double weight;

  @JsonIgnore
  private transient volatile LossConfig config;

  /*
   * DL4J asks for the gradient of a training step and then for its score, on the same outputs: the
   * value computed with the last gradient is reused when the embeddings and labels are exactly the
   * same (the loss is a deterministic function of them).
   */
  @JsonIgnore
  private transient INDArray lastEmbeddings;
  @JsonIgnore
  private transient long[] lastClasses;
  @JsonIgnore
  private transient double lastValue;

  /**
   * Creates the loss (also the JSON constructor DL4J uses to read a saved configuration).
   *
   * @param kind a contrastive loss: LACLN, CL, SUPCON or HSCL
   * @param tau temperature, finite and &gt; 0
   * @param beta H-SCL's concentration, finite and &gt;= 0 (ignored by the others)
   * @param aggregation LACLN/CL aggregation, not null
   * @param detachWeights whether LACLN's hard-negative weights are constants in backward
   * @param weight the factor applied to the loss, finite and &gt;= 0 ({@code lambda} for CLCE)
   * @throws IllegalArgumentException naming the argument and value
   */
  @JsonCreator
  public LossContrastive(
      @JsonProperty("kind") LossKind kind,
      @JsonProperty("tau") double tau,
      @JsonProperty("beta") double beta,
      @JsonProperty("aggregation") Aggregation aggregation,
      @JsonProperty("detachWeights") boolean detachWeights,
      @JsonProperty("weight") double weight) {
    if (kind == null || !kind.isContrastiveOnly()) {
      throw new IllegalArgumentException(
          "kind: must be a contrastive loss (lacln, cl, supcon, hscl), got " + (kind == null ? null : kind.cliName()));
    }
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("weight: must be finite and >= 0, got " + weight);
    }
    this.kind = kind;
    this.tau = tau;
    this.beta = beta;
    this.aggregation = aggregation;
    this.detachWeights = detachWeights;
    this.weight = weight;
    this.config = buildConfig(); // validates tau, beta, aggregation
  }

  /**
   * The embedding-output loss for a configuration: for {@link LossKind#CLCE}, {@code lambda} times
   * LACLN (same tau, aggregation, detachWeights); for {@link LossKind#CE_SUPCON}, {@code lambda}
   * times SupCon; for {@link LossKind#CE_CL}, {@code lambda} times CL (same tau, aggregation); for a
   * contrastive loss, that loss with weight 1.
   *
   * @param config the loss configuration
   * @return the DL4J loss function
   * @throws IllegalArgumentException when the configuration is null or {@link LossKind#CE} (no
   *     embedding term)
   */
  public static LossContrastive forEmbeddings(LossConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config: must not be null");
    }
    LossParts parts = config.parts();
    if (!parts.contrastive()) {
      throw new IllegalArgumentException(
          "config: loss " + config.kind().cliName() + " has no embedding term; use Dl4jClce.logitsLoss alone");
    }
    return new LossContrastive(parts.contrastiveTerm(), config.tau(), config.beta(),
        config.aggregation(), config.detachWeights(), parts.contrastiveWeight());
  }

  /** @return the contrastive loss this function computes (before the weight) */
  public LossConfig lossConfig() {
    LossConfig c = config;
    if (c == null) {
      c = buildConfig();
      config = c;
    }
    return c;
  }

  /** @return the factor applied to the loss */
  public double weight() {
    return weight;
  }

  private LossConfig buildConfig() {
    return LossConfig.builder(kind)
        .optTau(tau)
        .optBeta(beta)
        .optAggregation(aggregation)
        .optDetachWeights(detachWeights)
        .build();
  }

  @Override
  public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
      boolean average) {
    double loss = weight * evaluate(labels, preOutput, activationFn, mask, false).value();
    return average ? loss : loss * preOutput.size(0);
  }

  @Override
  @SuppressWarnings("try")
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    checkShapes(labels, preOutput, mask);
    long[] classes = classIndices(labels);
    INDArray z = activationFn.getActivation(preOutput.dup(), false);
    double[] rows;
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      rows = EagerLoss.perExample(lossConfig(), z.dup(), Nd4j.createFromArray(classes), null);
    }
    for (int i = 0; i < rows.length; i++) {
      rows[i] *= weight;
    }
    return Nd4j.create(rows, new long[] {rows.length, 1}, 'c').castTo(preOutput.dataType());
  }

  @Override
  public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    return gradient(preOutput, activationFn, evaluate(labels, preOutput, activationFn, mask, true));
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask, boolean average) {
    Evaluated e = evaluate(labels, preOutput, activationFn, mask, true);
    double loss = weight * e.value();
    return new Pair<>(average ? loss : loss * preOutput.size(0), gradient(preOutput, activationFn, e));
  }

  @Override
  public String name() {
    return NAME;
  }

  /** d(M * weight * loss)/d(preOutput), in the caller's workspace and data type. */
  private INDArray gradient(INDArray preOutput, IActivation activationFn, Evaluated e) {
    long m = preOutput.size(0);
    INDArray dLdz = preOutput.ulike().assign(e.gradEmbeddings().castTo(preOutput.dataType())).muli(weight * m);
    return activationFn.backprop(preOutput.dup(), dLdz).getFirst();
  }

  private record Evaluated(double value, INDArray gradEmbeddings) {}

  @SuppressWarnings("try")
  private Evaluated evaluate(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
      boolean needGradient) {
    checkShapes(labels, preOutput, mask);
    long[] classes = classIndices(labels);
    INDArray z = activationFn.getActivation(preOutput.dup(), true);
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      INDArray zDetached = z.dup();
      INDArray y = Nd4j.createFromArray(classes);
      if (needGradient) {
        LossResult r = EagerLoss.compute(lossConfig(), zDetached, y, null);
        synchronized (this) {
          lastEmbeddings = zDetached;
          lastClasses = classes;
          lastValue = r.value();
        }
        return new Evaluated(r.value(), r.gradEmbeddings());
      }
      synchronized (this) {
        if (lastEmbeddings != null && Arrays.equals(lastClasses, classes)
            && lastEmbeddings.dataType() == zDetached.dataType()
            && Arrays.equals(lastEmbeddings.shape(), zDetached.shape())
            && zDetached.sub(lastEmbeddings).amaxNumber().doubleValue() == 0.0) {
          return new Evaluated(lastValue, null);
        }
      }
      return new Evaluated(forwardValue(zDetached, y), null);
    }
  }

  private static void checkShapes(INDArray labels, INDArray preOutput, INDArray mask) {
    if (preOutput == null || preOutput.rank() != 2) {
      throw new IllegalArgumentException("preOutput: must be [M, d], got shape "
          + (preOutput == null ? null : Arrays.toString(preOutput.shape())));
    }
    if (labels == null || labels.rank() != 2 || labels.size(0) != preOutput.size(0)) {
      throw new IllegalArgumentException("labels: must be [M, C] one-hot or [M, 1] indices with M = "
          + preOutput.size(0) + ", got shape " + (labels == null ? null : Arrays.toString(labels.shape())));
    }
    if (mask != null && mask.minNumber().doubleValue() != 1.0) {
      throw new IllegalArgumentException("mask: masking is not supported by " + NAME
          + " (drop the masked rows from the minibatch instead)");
    }
  }

  /** The loss alone (inputs validated by {@link EagerLoss}). */
  private double forwardValue(INDArray z, INDArray y) {
    return EagerLoss.compute(lossConfig(), z, y, null).value();
  }

  /**
   * Reads class indices from [M, 1] indices or [M, C] one-hot rows.
   *
   * @throws IllegalArgumentException naming the row when a label is not a non-negative integer or
   *     a row is not one-hot
   */
  static long[] classIndices(INDArray labels) {
    int m = (int) labels.size(0);
    long[] out = new long[m];
    double[][] l = labels.castTo(DataType.DOUBLE).reshape(labels.size(0), labels.size(1)).toDoubleMatrix();
    for (int i = 0; i < m; i++) {
      if (l[i].length == 1) {
        double v = l[i][0];
        if (!(v >= 0) || v != Math.rint(v)) {
          throw new IllegalArgumentException(
              "labels: row " + i + " must be a non-negative integer class index, got " + v);
        }
        out[i] = (long) v;
      } else {
        int hot = -1;
        for (int c = 0; c < l[i].length; c++) {
          double v = l[i][c];
          if (v == 1.0 && hot < 0) {
            hot = c;
          } else if (v != 0.0) {
            hot = -2;
            break;
          }
        }
        if (hot < 0) {
          throw new IllegalArgumentException("labels: row " + i + " must be one-hot, got " + Arrays.toString(l[i]));
        }
        out[i] = hot;
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LossContrastive)) {
      return false;
    }
    LossContrastive c = (LossContrastive) o;
    return kind == c.kind
        && Double.compare(tau, c.tau) == 0
        && Double.compare(beta, c.beta) == 0
        && aggregation == c.aggregation
        && detachWeights == c.detachWeights
        && Double.compare(weight, c.weight) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, tau, beta, aggregation, detachWeights, weight);
  }

  @Override
  public String toString() {
    return NAME + "(" + weight + " * " + lossConfig() + ")";
  }
}

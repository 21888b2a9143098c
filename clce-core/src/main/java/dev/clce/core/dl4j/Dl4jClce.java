package dev.clce.core.dl4j;

import dev.clce.core.loss.EagerLoss;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.LossParts;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Training a DL4J {@code ComputationGraph} with CLCE: the recipe and its pieces.
 *
 * <p>CLCE is {@code (1 - lambda) * CE(logits) + lambda * LACLN(embeddings)}. A DL4J graph's score is
 * the sum of its output layers' scores, so give the graph two outputs fed by the same encoder:
 * <ul>
 *   <li>an <b>embedding</b> output whose loss is {@link #embeddingLoss} ({@code lambda * LACLN},
 *       a {@link LossContrastive}), with the identity activation: {@link #embeddingOutput};
 *   <li>a <b>logits</b> output with softmax and {@link #logitsLoss} ({@code (1 - lambda) * CE}, a
 *       {@link LossCrossEntropy} computed from the pre-softmax logits): {@link #logitsOutput}.
 * </ul>
 * Feed both views of each image in the same minibatch, with the same one-hot labels for both
 * outputs ({@link #twoViewBatch}). The graph's score is then CLCE on the minibatch (plus any
 * regularisation you configure), for any logits (no probability is clipped), and its gradient is
 * CLCE's; {@code scoreExamples} gives per-example terms whose mean is that score (see {@link
 * EagerLoss#perExample}). The same recipe with a {@link
 * LossKind#CE_SUPCON} or {@link LossKind#CE_CL} configuration scores {@code (1 - lambda) CE + lambda
 * SupCon} or {@code (1 - lambda) CE + lambda CL}.
 *
 * <pre>{@code
 * LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
 * ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
 *     .seed(42).updater(new Adam(1e-3))
 *     .graphBuilder()
 *     .addInputs("in")
 *     .addLayer("enc", new DenseLayer.Builder().nIn(784).nOut(256).activation(Activation.RELU).build(), "in")
 *     .addLayer("emb", Dl4jClce.embeddingOutput(256, 128, cfg), "enc")
 *     .addLayer("logits", Dl4jClce.logitsOutput(256, 10, cfg), "enc")
 *     .setOutputs("emb", "logits")
 *     .build();
 * ComputationGraph net = new ComputationGraph(conf);
 * net.init();
 * net.fit(Dl4jClce.twoViewBatch(view1, view2, oneHotLabels));   // score = CLCE
 * }</pre>
 *
 * <p>The batch coupling ({@link LossContrastive} explains it): the loss of one example depends on
 * the whole minibatch, so the two views of an image must be in the same minibatch, and gradient
 * accumulation or splitting a minibatch across workers changes the loss.
 */
public final class Dl4jClce {
  private Dl4jClce() {}

  /**
   * The loss of the embedding output: {@code lambda * LACLN} for CLCE ({@code lambda * SupCon} for
   * CE+SupCon, {@code lambda * CL} for CE+CL), the loss itself for a contrastive loss. See {@link LossContrastive#forEmbeddings(LossConfig)}.
   *
   * @param config the loss configuration
   * @return the DL4J loss function
   * @throws IllegalArgumentException when {@code config} is null or CE
   */
  public static LossContrastive embeddingLoss(LossConfig config) {
    return LossContrastive.forEmbeddings(config);
  }

  /**
   * The loss of the logits output: cross-entropy from the pre-softmax logits, weighted {@code 1 -
   * lambda} for CLCE, CE+SupCon and CE+CL, unweighted for CE ({@link LossCrossEntropy}: exact for
   * any logits, unlike DL4J's {@link LossMCXENT}, which clips probabilities at 1e-10). Use it with
   * the softmax activation (or the identity).
   *
   * @param config a CLCE, CE+SupCon, CE+CL or CE configuration
   * @param numClasses the number of classes C, &gt;= 1
   * @return the DL4J loss function
   * @throws IllegalArgumentException when {@code config} is null or a purely contrastive loss, or
   *     {@code numClasses} &lt; 1
   */
  public static LossCrossEntropy logitsLoss(LossConfig config, int numClasses) {
    if (config == null) {
      throw new IllegalArgumentException("config: must not be null");
    }
    LossParts parts = config.parts();
    if (!parts.crossEntropy()) {
      throw new IllegalArgumentException(
          "config: loss " + config.kind().cliName() + " has no cross-entropy term; the graph needs no logits output");
    }
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses: must be >= 1, got " + numClasses);
    }
    return new LossCrossEntropy(parts.ceWeight());
  }

  /**
   * A dense output layer that produces the embeddings (identity activation) and carries {@link
   * #embeddingLoss}.
   *
   * @param nIn its input width
   * @param embeddingDim the embedding width d
   * @param config the loss configuration
   * @return the layer configuration
   * @throws IllegalArgumentException for a width &lt; 1 or a configuration {@link #embeddingLoss}
   *     refuses
   */
  public static OutputLayer embeddingOutput(int nIn, int embeddingDim, LossConfig config) {
    requirePositive("nIn", nIn);
    requirePositive("embeddingDim", embeddingDim);
    return new OutputLayer.Builder(embeddingLoss(config))
        .nIn(nIn)
        .nOut(embeddingDim)
        .activation(Activation.IDENTITY)
        .build();
  }

  /**
   * A dense softmax output layer over the classes, carrying {@link #logitsLoss}.
   *
   * @param nIn its input width
   * @param numClasses the number of classes C
   * @param config the loss configuration
   * @return the layer configuration
   * @throws IllegalArgumentException for a width &lt; 1 or a configuration {@link #logitsLoss}
   *     refuses
   */
  public static OutputLayer logitsOutput(int nIn, int numClasses, LossConfig config) {
    requirePositive("nIn", nIn);
    return new OutputLayer.Builder(logitsLoss(config, numClasses))
        .nIn(nIn)
        .nOut(numClasses)
        .activation(Activation.SOFTMAX)
        .build();
  }

  /**
   * One minibatch holding both views of N images: features {@code [view1; view2]} (2N rows), and
   * the labels {@code [labels; labels]} twice, once per output (the embedding and the logits output
   * take the same one-hot labels, so their order in {@code setOutputs} does not matter). For a
   * graph with one input.
   *
   * @param view1 the first view of each image, [N, ...]
   * @param view2 the second view, same shape, row i the same image as row i of {@code view1}
   * @param labels one-hot labels [N, C] (or class indices [N, 1] if only the embedding output is used)
   * @return the minibatch
   * @throws IllegalArgumentException when the shapes disagree
   */
  public static MultiDataSet twoViewBatch(INDArray view1, INDArray view2, INDArray labels) {
    if (view1 == null || view2 == null || !Arrays.equals(view1.shape(), view2.shape()) || view1.rank() < 1) {
      throw new IllegalArgumentException("view2: must have the shape of view1 "
          + (view1 == null ? null : Arrays.toString(view1.shape())) + ", got "
          + (view2 == null ? null : Arrays.toString(view2.shape())));
    }
    if (labels == null || labels.rank() != 2 || labels.size(0) != view1.size(0)) {
      throw new IllegalArgumentException("labels: must be [N, C] with N = " + view1.size(0) + ", got "
          + (labels == null ? null : Arrays.toString(labels.shape())));
    }
    INDArray features = Nd4j.concat(0, view1, view2);
    INDArray both = Nd4j.concat(0, labels, labels);
    return new MultiDataSet(new INDArray[] {features}, new INDArray[] {both, both.dup()});
  }

  private static void requirePositive(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + ": must be >= 1, got " + v);
    }
  }
}

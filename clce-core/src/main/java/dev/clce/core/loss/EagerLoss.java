package dev.clce.core.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The losses computed directly from INDArrays, with their gradients, for users who are not building
 * a graph.
 */
public final class EagerLoss {
  private EagerLoss() {}

  /**
   * Computes the loss and its gradients.
   *
   * @param config the loss
   * @param embeddings [M, d] raw embeddings (null for CE)
   * @param labels [M] integer labels
   * @param logits [M, C] logits (null for purely contrastive losses)
   * @return value and gradients, in the data type of the inputs
   */
  public static LossResult compute(LossConfig config, INDArray embeddings, INDArray labels, INDArray logits) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}

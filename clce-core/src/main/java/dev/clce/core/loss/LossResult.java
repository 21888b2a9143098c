package dev.clce.core.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss value with its gradients.
 *
 * @param value the scalar loss
 * @param gradEmbeddings d loss / d embeddings, [M, d], or null when the loss does not read them
 * @param gradLogits d loss / d logits, [M, C], or null when the loss does not read them
 */
public record LossResult(double value, INDArray gradEmbeddings, INDArray gradLogits) {}

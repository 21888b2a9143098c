package dev.clce.core.chunk;

import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link Dl4jChunkedGradients#compute} returns for one batch.
 *
 * @param loss the loss of the whole batch
 * @param gradient the exact gradient of the whole batch: {@link Gradient#gradient()} has the layout
 *     of {@code net.params()}, {@link Gradient#gradientForVariable()} holds views of it by DL4J's
 *     parameter keys ({@code layer_param}); already a mean over the batch (see
 *     {@link Dl4jChunkedGradients} on applying it)
 * @param embeddings the batch's embeddings [B, d], or null when the loss does not read them
 * @param logits the batch's logits [B, C], or null when the loss does not read them
 */
public record Dl4jChunkedResult(double loss, Gradient gradient, INDArray embeddings, INDArray logits) {}

package dev.clce.core.chunk;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link ChunkedGradients#compute} returns for one batch.
 *
 * @param loss the loss of the whole batch
 * @param gradients d loss / d parameter for the whole batch, by parameter name, in the order of
 *     {@link ChunkedGradients#parameters()}; a parameter the loss does not reach has no entry (as
 *     with {@code SameDiff.calculateGradients}). Ready for one optimiser step.
 * @param embeddings the batch's embeddings [B, d] from the first pass, or null when the loss does
 *     not read them
 * @param logits the batch's logits [B, C] from the first pass, or null when the loss does not read
 *     them
 * @param chunks one entry per chunk, in row order: its rows and the variables of
 *     {@link ChunkedGradients#outputs()} from its second (gradient) pass
 */
public record ChunkedResult(double loss, Map<String, INDArray> gradients, INDArray embeddings, INDArray logits,
    List<ChunkOutputs> chunks) {}

package dev.clce.core.chunk;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The requested outputs of one chunk's second (gradient) pass.
 *
 * @param from first row of the chunk in the batch (inclusive)
 * @param to end of the chunk (exclusive); {@code to - from} is the chunk's size
 * @param outputs the variables of {@link ChunkedGradients#outputs()}, by name (empty when none were
 *     requested); the arrays belong to the caller
 */
public record ChunkOutputs(int from, int to, Map<String, INDArray> outputs) {

  /** @return the number of rows in the chunk */
  public int size() {
    return to - from;
  }
}

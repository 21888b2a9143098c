package dev.clce.bench.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training batch of {@code B} images as {@code 2B} augmented views.
 *
 * @param features {@code [2B, C, H, W]} float32, normalised; row {@code i} is the first view of image
 *     {@code indices[i]}, row {@code B + i} its second view
 * @param labels {@code [2B]} int32, in the same layout
 * @param indices the {@code B} dataset indices
 * @param step the global step the views were drawn for
 */
public record TwoViewBatch(INDArray features, INDArray labels, int[] indices, long step) {

  /**
   * The number of images (half the number of rows).
   *
   * @return B
   */
  public int images() {
    return indices.length;
  }
}

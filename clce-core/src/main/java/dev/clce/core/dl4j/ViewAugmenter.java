package dev.clce.core.dl4j;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes one augmented view of a minibatch, for {@link TwoViewIterator}: called twice per minibatch,
 * once per view, with the iterator's random generator.
 *
 * <p>Contract: return a new array of the same shape and data type whose row {@code i} is a view of
 * row {@code i} of the input; never modify the input; draw all randomness from {@code rng} (so that a
 * seeded iterator repeats its views). Plug in your own: a lambda that runs a DataVec
 * {@code ImageTransform}, a DL4J preprocessing step, or anything else that keeps the row order.
 */
@FunctionalInterface
public interface ViewAugmenter {

  /**
   * One view of every row of a minibatch.
   *
   * @param batch the minibatch's features, [N, ...]
   * @param rng the only source of randomness
   * @return a new array, same shape and type, row i from row i of {@code batch}
   */
  INDArray augment(INDArray batch, Random rng);

  /**
   * No augmentation: both views are the image itself. Each row still has its positive (the other
   * view), but CLCE then learns nothing from invariance to augmentations.
   *
   * @return the augmenter
   */
  static ViewAugmenter identity() {
    return (batch, rng) -> batch.dup();
  }

  /**
   * Adds independent Gaussian noise with standard deviation {@code sigma} to every value (for
   * feature vectors that are not images).
   *
   * @param sigma the noise's standard deviation, finite and &gt;= 0
   * @return the augmenter
   * @throws IllegalArgumentException for a negative or non-finite sigma
   */
  static ViewAugmenter gaussianNoise(double sigma) {
    if (!(sigma >= 0) || !Double.isFinite(sigma)) {
      throw new IllegalArgumentException("sigma: must be finite and >= 0, got " + sigma);
    }
    return (batch, rng) -> {
      DataType t = batch.dataType();
      INDArray noise = Nd4j.randn(rng.nextLong(), batch.shape()).castTo(t);
      return batch.add(noise.muli(sigma));
    };
  }

  /**
   * The standard augmentation for small images: a random translation by up to {@code maxShift}
   * pixels in each direction with zeros shifted in (the same as zero padding by {@code maxShift}
   * and a random crop of the original size), then a horizontal flip with probability 1/2 when
   * {@code flip} is set. Works on images as rows of [N, C*H*W] (how DL4J's MNIST-style iterators
   * deliver them, channel-major) or as [N, C, H, W].
   *
   * <p>Draws per row, in this order: {@code dy = rng.nextInt(2 maxShift + 1) - maxShift}, {@code dx}
   * the same way, then {@code rng.nextBoolean()} for the flip when {@code flip} is set. The output
   * pixel {@code (y, x)} is the input pixel {@code (y + dy, x' + dx)}, where {@code x' = W - 1 - x}
   * when flipped and {@code x} otherwise, or 0 outside the image.
   *
   * @param channels C, &gt;= 1
   * @param height H, &gt;= 1
   * @param width W, &gt;= 1
   * @param maxShift the largest shift in pixels, in [0, min(H, W))
   * @param flip whether to flip horizontally half of the time
   * @return the augmenter
   * @throws IllegalArgumentException for a size or shift out of range, and (when applied) for a
   *     batch whose rows do not hold C*H*W values
   */
  static ViewAugmenter randomShiftFlip(int channels, int height, int width, int maxShift, boolean flip) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("channels, height, width: must be >= 1, got " + channels + ", " + height
          + ", " + width);
    }
    if (maxShift < 0 || maxShift >= Math.min(height, width)) {
      throw new IllegalArgumentException("maxShift: must be in [0, " + Math.min(height, width) + "), got " + maxShift);
    }
    final int plane = height * width;
    final int rowLength = channels * plane;
    return (batch, rng) -> {
      if (batch.rank() < 2 || batch.length() != batch.size(0) * (long) rowLength) {
        throw new IllegalArgumentException("batch: rows must hold " + channels + "x" + height + "x" + width + " = "
            + rowLength + " values, got shape " + Arrays.toString(batch.shape()));
      }
      int n = Math.toIntExact(batch.size(0));
      double[] in = batch.dup('c').data().asDouble();
      double[] out = new double[in.length];
      for (int i = 0; i < n; i++) {
        int dy = rng.nextInt(2 * maxShift + 1) - maxShift;
        int dx = rng.nextInt(2 * maxShift + 1) - maxShift;
        boolean flipped = flip && rng.nextBoolean();
        int base = i * rowLength;
        for (int c = 0; c < channels; c++) {
          int p = base + c * plane;
          for (int y = 0; y < height; y++) {
            int sy = y + dy;
            if (sy < 0 || sy >= height) {
              continue;
            }
            for (int x = 0; x < width; x++) {
              int sx = (flipped ? width - 1 - x : x) + dx;
              if (sx >= 0 && sx < width) {
                out[p + y * width + x] = in[p + sy * width + sx];
              }
            }
          }
        }
      }
      return Nd4j.createFromArray(out).reshape('c', batch.shape()).castTo(batch.dataType());
    };
  }
}

package dev.clce.bench.train;

/**
 * How much a run trains: images per batch, a length in steps or in epochs (exactly one of the two is
 * &gt; 0), and how a batch is taken through the encoder: all at once, or in chunks of images whose
 * activations are alive one chunk at a time ({@link dev.clce.core.chunk.ChunkedGradients}). A
 * chunked step gives the gradient of the whole batch's loss, so the batch, not the chunk, is what the
 * loss sees; only BatchNorm in training mode differs, normalising each chunk with its own statistics.
 *
 * @param batch images per batch (the loss sees two views of each), &gt;= 2
 * @param steps training steps, 0 when the length is in epochs
 * @param epochs training epochs, 0 when the length is in steps
 * @param chunk images per chunk (both views of each image go into the same chunk), in
 *     {@code [1, batch]}; 0 = the whole batch in one pass, without chunking
 */
public record Budget(int batch, long steps, int epochs, int chunk) {
  /** Default images per batch. */
  public static final int DEFAULT_BATCH = 64;

  /** Checks every field. */
  public Budget {
    if (batch < 2) {
      throw new IllegalArgumentException("batch: must be >= 2, got " + batch);
    }
    if (steps < 0 || epochs < 0 || (steps > 0) == (epochs > 0)) {
      throw new IllegalArgumentException("steps: give exactly one of --steps S or --epochs E (> 0), got steps="
          + steps + ", epochs=" + epochs);
    }
    if (chunk < 0 || chunk > batch) {
      throw new IllegalArgumentException("chunk: must be in [1, batch = " + batch + "] images (0 = no chunks), got "
          + chunk);
    }
  }

  /**
   * @param batch images per batch
   * @param steps training steps
   * @return the budget
   */
  public static Budget ofSteps(int batch, long steps) {
    return new Budget(batch, steps, 0, 0);
  }

  /**
   * @param batch images per batch
   * @param epochs training epochs
   * @return the budget
   */
  public static Budget ofEpochs(int batch, int epochs) {
    return new Budget(batch, 0, epochs, 0);
  }

  /**
   * @param images images per chunk, in [1, batch]; 0 = no chunks
   * @return a copy with it
   */
  public Budget withChunk(int images) {
    return new Budget(batch, steps, epochs, images);
  }

  /** @return whether a step runs in chunks */
  public boolean chunked() {
    return chunk > 0;
  }

  /**
   * The total number of steps.
   *
   * @param stepsPerEpoch batches per epoch of the sampler
   * @return {@link #steps()} if set, else {@code epochs * stepsPerEpoch}
   */
  public long totalSteps(int stepsPerEpoch) {
    return steps > 0 ? steps : (long) epochs * stepsPerEpoch;
  }
}

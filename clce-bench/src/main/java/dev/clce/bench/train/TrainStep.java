package dev.clce.bench.train;

import dev.clce.bench.data.TwoViewBatch;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.SDClceLoss;
import dev.clce.models.EncoderModel;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One optimisation step on a batch of views: forward, loss, gradients, BatchNorm statistics and the
 * parameter update. The {@link Trainer} loop calls it and nothing else per step, so a step that
 * computes the same gradients another way (in chunks, say) replaces it without touching the loop.
 */
@FunctionalInterface
public interface TrainStep {

  /**
   * The step {@code clce train} takes: adds the labels placeholder {@link TrainNames#LABELS} (INT32)
   * and the loss {@link TrainNames#LOSS} to the model's graph, then returns the plain step (one
   * SameDiff pass over the batch) or, with {@code chunkImages > 0}, the chunked step (the same
   * gradient of the whole batch's loss, {@code chunkImages} images at a time). The trainer and
   * {@code clce perf} build their steps here, so that what perf times is what training runs.
   *
   * @param model a freshly built model (its graph gets the placeholder and the loss)
   * @param loss the loss
   * @param optimizer the optimiser of the model's parameters
   * @param chunkImages images per chunk, &gt;= 1; 0 for the plain step
   * @return the step
   */
  static TrainStep addTo(EncoderModel model, LossConfig loss, Optimizer optimizer, int chunkImages) {
    if (chunkImages < 0) {
      throw new IllegalArgumentException("chunk: must be >= 1 images (0 = no chunks), got " + chunkImages);
    }
    SameDiff sd = model.sameDiff();
    LossKind kind = loss.kind();
    SDClceLoss.of(sd).loss(TrainNames.LOSS, loss, kind.usesEmbeddings() ? model.contrastiveEmbedding() : null,
        sd.placeHolder(TrainNames.LABELS, DataType.INT32, -1), kind.usesLogits() ? model.logits() : null).markAsLoss();
    return chunkImages > 0 ? new ChunkedStep(model, loss, optimizer, chunkImages) : new FullBatchStep(model, optimizer);
  }

  /**
   * Runs one step and closes the batch's arrays.
   *
   * @param batch the views and their labels
   * @param globalStep steps completed before this one
   * @param epoch the epoch of this step (from 0)
   * @return the loss (finite)
   * @throws NonFiniteException when the loss or a gradient is not finite ({@link FiniteCheck}); the
   *     parameters and BatchNorm statistics are then unchanged
   */
  double run(TwoViewBatch batch, long globalStep, int epoch);
}

package dev.clce.bench.train;

import dev.clce.bench.data.TwoViewBatch;
import dev.clce.core.chunk.ChunkOutputs;
import dev.clce.core.chunk.ChunkedGradients;
import dev.clce.core.chunk.ChunkedResult;
import dev.clce.core.loss.LossConfig;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The chunked step: the gradient of the whole batch's loss, computed a chunk of images at a time by
 * clce-core's {@link ChunkedGradients}, so that only one chunk's activations are alive at once; then
 * one optimiser step, as {@link FullBatchStep} takes.
 *
 * <p>Both views of an image go into the same chunk: the rows are reordered so that chunk {@code c}
 * holds the first and then the second views of its images (the loss does not depend on the order of
 * rows: positives are found by label). A chunk is thus what one device would see in data-parallel
 * training of the same batch.
 *
 * <p>BatchNorm in training mode normalises each chunk with the chunk's own statistics; the running
 * statistics are updated once per step from the statistics pooled over all chunks
 * ({@link dev.clce.models.BatchNormStatistics#updatePooled}), from the gradient pass of each chunk,
 * which sees the same views (and random state) as its first pass.
 *
 * <p>The garbage collector runs after every pass over a chunk (a {@link NativeMemoryGuard} without
 * a time bound): the arrays SameDiff creates inside a pass are freed by the collector, and without
 * it a step's peak memory grew with the number of chunks; with the guard's default 10% bound it still
 * reached 1.8x a plain step's (docs/PERFORMANCE.md, "Gradient caching").
 */
final class ChunkedStep implements TrainStep {
  private final EncoderModel model;
  private final Optimizer optimizer;
  private final ChunkedGradients chunked;
  private final int chunkImages;

  /**
   * @param model the model (the loss variable of the graph is not used: the loss comes from
   *     clce-core's eager form)
   * @param loss the loss
   * @param optimizer the optimiser of its parameters
   * @param chunkImages images per chunk, &gt;= 1
   */
  ChunkedStep(EncoderModel model, LossConfig loss, Optimizer optimizer, int chunkImages) {
    if (chunkImages < 1) {
      throw new IllegalArgumentException("chunk: must be >= 1 images, got " + chunkImages);
    }
    this.model = model;
    this.optimizer = optimizer;
    this.chunkImages = chunkImages;
    this.chunked = ChunkedGradients.builder(model.sameDiff(), loss)
        .optEmbeddings(loss.kind().usesEmbeddings() ? model.contrastiveEmbedding().name() : null)
        .optLogits(loss.kind().usesLogits() ? model.logitsName() : null)
        .optParameters(model.parameterNames())
        .optOutputs(model.batchNormStatistics().outputNames())
        .optAfterChunk(new NativeMemoryGuard(1.0)::afterStep)
        .build();
  }

  @Override
  public double run(TwoViewBatch batch, long globalStep, int epoch) {
    int images = batch.images();
    if (chunkImages > images) {
      throw new IllegalArgumentException("chunk: must be at most the batch of " + images + " images, got " + chunkImages);
    }
    int[] order = chunkOrder(images, chunkImages);
    INDArray features = rows(batch.features(), order);
    INDArray labels = rows(batch.labels(), order);
    batch.features().close();
    batch.labels().close();
    ChunkedResult r = chunked.compute(Map.of(ModelNames.INPUT, features), labels, 2 * chunkImages);
    features.close();
    labels.close();
    try {
      FiniteCheck.check(globalStep + 1, r.loss(), r.gradients(), model.parameterNames());
    } catch (NonFiniteException e) {
      closeAll(r);
      throw e;
    }
    List<Map<String, INDArray>> stats = new ArrayList<>(r.chunks().size());
    List<Long> sizes = new ArrayList<>(r.chunks().size());
    for (ChunkOutputs c : r.chunks()) {
      stats.add(c.outputs());
      sizes.add((long) c.size());
    }
    if (!model.batchNormStatistics().layers().isEmpty()) {
      model.batchNormStatistics().updatePooled(stats, sizes);
    }
    optimizer.step(model.sameDiff(), r.gradients(), globalStep, epoch);
    closeAll(r);
    return r.loss();
  }

  /**
   * The row order that puts both views of each image into the same chunk: for chunk {@code c} of
   * images {@code [a, b)}, the first views {@code a..b-1} and then the second views
   * {@code B+a..B+b-1}.
   *
   * @param images B
   * @param chunkImages images per chunk
   * @return the batch's rows in chunk order
   */
  static int[] chunkOrder(int images, int chunkImages) {
    int[] order = new int[2 * images];
    int k = 0;
    for (int a = 0; a < images; a += chunkImages) {
      int b = Math.min(images, a + chunkImages);
      for (int i = a; i < b; i++) {
        order[k++] = i;
      }
      for (int i = a; i < b; i++) {
        order[k++] = images + i;
      }
    }
    return order;
  }

  /** {@code a[order]} along the first dimension, in a new array. */
  private static INDArray rows(INDArray a, int[] order) {
    long[] shape = a.shape().clone();
    shape[0] = order.length;
    INDArray out = Nd4j.create(a.dataType(), shape);
    try (INDArray idx = Nd4j.createFromArray(order)) {
      Nd4j.exec(DynamicCustomOp.builder("gather").addInputs(a, idx).addOutputs(out).addIntegerArguments(0).build());
    }
    return out;
  }

  private static void closeAll(ChunkedResult r) {
    FullBatchStep.closeAll(r.gradients());
    for (ChunkOutputs c : r.chunks()) {
      FullBatchStep.closeAll(c.outputs());
    }
    for (INDArray a : new INDArray[] {r.embeddings(), r.logits()}) {
      if (a != null && !a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
  }
}

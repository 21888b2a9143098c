package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.chunk.ChunkOutputs;
import dev.clce.core.chunk.ChunkedGradients;
import dev.clce.core.chunk.ChunkedResult;
import dev.clce.core.chunk.GradientAssertions;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.SDClceLoss;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Issue 11's exactness rule on real encoders: for a model without batch-coupled layers (a tiny ViT,
 * whose LayerNorm normalises each example; a tiny ResNet with BatchNorm in inference mode), in double,
 * the chunked gradient equals SameDiff's full-batch gradient of the same loss (built by
 * {@link SDClceLoss}) to 1e-10 relative per parameter, for every loss, with an uneven last chunk
 * (batch 10, chunk 4). And what BatchNorm in training mode does: per-chunk statistics, returned
 * per chunk, running statistics untouched.
 */
class ChunkedGradientsModelTest {
  private static final int BATCH = 10;
  private static final int CHUNK = 4;
  private static final String HEAD_WEIGHT = "heads.head.weight";

  static EncoderModel tinyVit() {
    ModelOptions o = ModelOptions.builder().optClasses(TinyModels.CLASSES).optImageSize(16).optDataType(DataType.DOUBLE).build();
    EncoderModel m = ViTBuilder.custom("chunk_vit", 8, 2, 8, 2, 2.0, o).build();
    // torchvision starts the classifier at 0; give it values so that every loss reaches the encoder
    INDArray head = m.sameDiff().getArrForVarName(HEAD_WEIGHT);
    head.assign(Nd4j.randn(9L, head.shape()).castTo(head.dataType()).mul(0.3));
    return m;
  }

  static EncoderModel tinyResNet() {
    ModelOptions o = ModelOptions.builder().optClasses(TinyModels.CLASSES).optImageSize(16).optStem(Stem.SMALL).optWidth(1.0 / 32)
        .optDataType(DataType.DOUBLE).build();
    return ResNetBuilder.basic("chunk_resnet", new int[] {1, 1, 1, 1}, o).build();
  }

  @ParameterizedTest(name = "ViT {0}")
  @EnumSource(LossKind.class)
  void vitChunkedGradientEqualsFullBatch(LossKind kind) {
    assertExact(tinyVit(), kind);
  }

  @ParameterizedTest(name = "ResNet, BatchNorm in inference mode, {0}")
  @EnumSource(LossKind.class)
  void resnetInInferenceModeChunkedGradientEqualsFullBatch(LossKind kind) {
    EncoderModel m = tinyResNet();
    m.setTraining(false);
    assertExact(m, kind);
  }

  private static void assertExact(EncoderModel m, LossKind kind) {
    SameDiff sd = m.sameDiff();
    LossConfig cfg = LossConfig.builder(kind).build();
    SDVariable labels = sd.placeHolder(TinyModels.LABELS, DataType.INT32, -1);
    SDClceLoss.of(sd).loss(TinyModels.LOSS, cfg, kind.usesEmbeddings() ? m.contrastiveEmbedding() : null, labels,
        kind.usesLogits() ? m.logits() : null).markAsLoss();
    INDArray x = TinyModels.input(m.spec().options(), BATCH, 17);
    INDArray y = TinyModels.labels(BATCH);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(ModelNames.INPUT, x);
    ph.put(TinyModels.LABELS, y);
    Map<String, INDArray> ref = sd.calculateGradients(ph, m.parameterNames());
    double refLoss = sd.output(ph, TinyModels.LOSS).get(TinyModels.LOSS).getDouble(0);

    ChunkedGradients cg = ChunkedGradients.builder(sd, cfg).optEmbeddings(m.contrastiveEmbedding().name()).optLogits(m.logitsName())
        .optParameters(m.parameterNames()).build();
    assertEquals(List.of(ModelNames.INPUT), cg.inputs());
    ChunkedResult r = cg.compute(x, y, CHUNK);
    String what = m.spec().name() + " " + kind.cliName();
    assertEquals(refLoss, r.loss(), 1e-12 * Math.max(1, Math.abs(refLoss)), what + ": loss");
    assertEquals(List.of(4, 4, 2), r.chunks().stream().map(ChunkOutputs::size).toList(), what + ": chunks");
    assertTrue(ref.size() >= 4, what + ": the reference reaches only " + ref.size() + " parameters");
    GradientAssertions.assertSameGradients(ref, r.gradients(), GradientAssertions.TOLERANCE, what);
  }

  /**
   * BatchNorm in training mode normalises each chunk with that chunk's statistics: with one chunk the
   * gradient is the full batch's; each chunk's batch statistics come back from the second pass and
   * equal those of a plain forward pass over the chunk's rows; the running statistics are left to
   * the caller.
   */
  @Test
  void resnetInTrainingModeUsesPerChunkStatistics() {
    EncoderModel m = tinyResNet();
    SameDiff sd = m.sameDiff();
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).build();
    SDVariable labels = sd.placeHolder(TinyModels.LABELS, DataType.INT32, -1);
    SDClceLoss.of(sd).loss(TinyModels.LOSS, cfg, m.contrastiveEmbedding(), labels, m.logits()).markAsLoss();
    INDArray x = TinyModels.input(m.spec().options(), BATCH, 23);
    INDArray y = TinyModels.labels(BATCH);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(ModelNames.INPUT, x);
    ph.put(TinyModels.LABELS, y);
    Map<String, INDArray> ref = sd.calculateGradients(ph, m.parameterNames());
    BatchNormStatistics bn = m.batchNormStatistics();
    String runningMean = bn.layers().get(0).runningMeanName();
    INDArray before = sd.getArrForVarName(runningMean).dup();

    ChunkedGradients cg = ChunkedGradients.builder(sd, cfg).optEmbeddings(m.embeddingName()).optLogits(m.logitsName())
        .optParameters(m.parameterNames()).optOutputs(bn.outputNames()).build();
    ChunkedResult whole = cg.compute(x, y, BATCH);
    GradientAssertions.assertSameGradients(ref, whole.gradients(), GradientAssertions.TOLERANCE, "one chunk, training mode");

    ChunkedResult r = cg.compute(x, y, CHUNK);
    assertEquals(before, sd.getArrForVarName(runningMean), "compute leaves running statistics to the caller");
    String mean = bn.layers().get(0).batchMeanName();
    for (ChunkOutputs c : r.chunks()) {
      INDArray rows = x.get(NDArrayIndex.interval(c.from(), c.to()), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
      INDArray plain = sd.output(Map.of(ModelNames.INPUT, rows.dup()), mean).get(mean);
      assertEquals(plain, c.outputs().get(mean), "chunk " + c.from() + ": batch mean of the chunk's rows");
    }
    // per-chunk statistics make a different (not wrong) gradient: the difference is real, not rounding
    double diff = 0;
    for (String p : ref.keySet()) {
      diff = Math.max(diff, ref.get(p).sub(r.gradients().get(p)).norm2Number().doubleValue() / ref.get(p).norm2Number().doubleValue());
    }
    assertTrue(diff > 1e-6, "per-chunk BatchNorm statistics should change the gradient, max relative difference " + diff);
    // the caller applies the statistics once per chunk, from the second pass only
    String tracked = bn.layers().get(0).numBatchesTrackedName();
    long count = sd.getArrForVarName(tracked).getLong(0);
    for (ChunkOutputs c : r.chunks()) {
      bn.update(c.outputs(), c.size());
    }
    assertEquals(count + r.chunks().size(), sd.getArrForVarName(tracked).getLong(0), "one update per chunk");
  }
}

package dev.clce.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clce.core.reference.ReferenceLosses;
import dev.clce.core.reference.TestBatches;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The README's Java examples, as written there, produce the reference values. */
class ReadmeExamplesTest {

  private static final TestBatches.Batch BATCH = TestBatches.twoViews(8, 4, 3, 7);

  @Test
  void sameDiffExample() {
    SameDiff sd = SameDiff.create();
    SDVariable z = sd.var("z", Nd4j.createFromArray(BATCH.z()));
    SDVariable o = sd.var("o", Nd4j.createFromArray(BATCH.o()));
    SDVariable y = sd.placeHolder("labels", DataType.INT32, -1);
    SDVariable loss = SDClceLoss.of(sd).clce("loss", z, y, o, 0.5, 0.9);
    loss.markAsLoss();
    LossConfig cfg = LossConfig.builder(LossKind.LACLN).optTau(0.1)
        .optAggregation(Aggregation.MEAN_OF_LOG).optDetachWeights(true).build();
    SDVariable lacln = SDClceLoss.of(sd).loss("lacln", cfg, z, y, null);

    Map<String, INDArray> out = sd.output(Map.of("labels", Nd4j.createFromArray(BATCH.y())), "loss", "lacln");
    LossConfig clce = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    assertEquals(ReferenceLosses.compute(clce, BATCH.z(), BATCH.y(), BATCH.o()).value(),
        out.get(loss.name()).getDouble(0), 1e-12);
    assertEquals(ReferenceLosses.compute(cfg, BATCH.z(), BATCH.y(), null).value(),
        out.get(lacln.name()).getDouble(0), 1e-12);
  }

  @Test
  void eagerExample() {
    INDArray embeddings = Nd4j.createFromArray(BATCH.z());
    INDArray labels = Nd4j.createFromArray(BATCH.y());
    INDArray logits = Nd4j.createFromArray(BATCH.o());
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    LossResult r = EagerLoss.compute(cfg, embeddings, labels, logits);
    ReferenceLosses.Result ref = ReferenceLosses.compute(cfg, BATCH.z(), BATCH.y(), BATCH.o());
    assertEquals(ref.value(), r.value(), 1e-12);
    assertEquals(ref.gradEmbeddings()[3][1], r.gradEmbeddings().getDouble(3, 1), 1e-12);
    assertEquals(ref.gradLogits()[5][2], r.gradLogits().getDouble(5, 2), 1e-12);
  }
}

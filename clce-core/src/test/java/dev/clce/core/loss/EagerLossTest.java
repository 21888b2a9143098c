package dev.clce.core.loss;

import static dev.clce.core.loss.LossTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.reference.ReferenceLosses;
import dev.clce.core.reference.TestBatches;
import dev.clce.core.reference.TestBatches.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Behaviour of the eager form beyond its numbers: copies, threads, strided inputs, input checking. */
class EagerLossTest {

  @Test
  void concurrentCallsOnOneCachedGraphGiveTheReferenceResults() throws Exception {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.3).build();
    List<Batch> batches = List.of(TestBatches.twoViews(8, 4, 3, 71), TestBatches.twoViews(12, 4, 3, 72),
        TestBatches.withSingletons(10, 4, 3, 73));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Double>> errors = new ArrayList<>();
      for (int rep = 0; rep < 4; rep++) {
        for (Batch b : batches) {
          errors.add(pool.submit(() -> {
            LossResult r = EagerLoss.compute(cfg, array(b.z(), DataType.DOUBLE), labels(b.y()), array(b.o(), DataType.DOUBLE));
            ReferenceLosses.Result ref = reference(cfg, b);
            return Math.max(relErr(r.value(), ref.value()),
                Math.max(relErr(r.gradEmbeddings(), ref.gradEmbeddings()), relErr(r.gradLogits(), ref.gradLogits())));
          }));
        }
      }
      for (Future<Double> e : errors) {
        assertTrue(e.get() < DOUBLE_TOL, "relative error " + e.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void gradientsAreFreshCopiesInTheInputType() {
    LossConfig cfg = LossConfig.builder(LossKind.LACLN).optTau(0.4).build();
    Batch b = TestBatches.twoViews(6, 3, 2, 74);
    INDArray z = array(b.z(), DataType.FLOAT);
    LossResult first = EagerLoss.compute(cfg, z, labels(b.y()), null);
    INDArray kept = first.gradEmbeddings().dup();
    LossResult second = EagerLoss.compute(cfg, z.mul(2.5), labels(b.y()), null);
    assertNotSame(first.gradEmbeddings(), second.gradEmbeddings());
    assertEquals(kept, first.gradEmbeddings(), "a later call must not overwrite an earlier result");
    assertEquals(DataType.FLOAT, first.gradEmbeddings().dataType());
  }

  @Test
  void turningInputCheckingOffChangesNoResult() {
    LossConfig checked = LossConfig.builder(LossKind.SUPCON).optTau(0.37).build();
    LossConfig unchecked = checked.toBuilder().optCheckInputs(false).build();
    Batch b = TestBatches.twoViews(6, 3, 2, 75);
    LossResult r = EagerLoss.compute(unchecked, array(b.z(), DataType.DOUBLE), labels(b.y()), null);
    assertTrue(relErr(r.value(), reference(checked, b).value()) < DOUBLE_TOL);
    assertTrue(relErr(r.gradEmbeddings(), reference(checked, b).gradEmbeddings()) < DOUBLE_TOL);
  }

  @Test
  void stridedViewsAreReadCorrectly() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.3).build();
    Batch b = TestBatches.twoViews(6, 3, 3, 76);
    // Embeddings as a column slice of a wider array and logits in Fortran order.
    INDArray wide = Nd4j.concat(1, array(b.z(), DataType.DOUBLE), Nd4j.ones(DataType.DOUBLE, 6, 2));
    INDArray z = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3));
    INDArray o = array(b.o(), DataType.DOUBLE).dup('f');
    LossResult r = EagerLoss.compute(cfg, z, labels(b.y()), o);
    ReferenceLosses.Result ref = reference(cfg, b);
    assertTrue(relErr(r.value(), ref.value()) < DOUBLE_TOL);
    assertTrue(relErr(r.gradEmbeddings(), ref.gradEmbeddings()) < DOUBLE_TOL);
    assertTrue(relErr(r.gradLogits(), ref.gradLogits()) < DOUBLE_TOL);
  }

  /** perExample splits the value: its mean is the loss, and a row without a positive adds nothing. */
  @org.junit.jupiter.api.Test
  void perExampleTermsAverageToTheLoss() {
    dev.clce.core.reference.TestBatches.Batch b = dev.clce.core.reference.TestBatches.withSingletons(9, 5, 4, 15);
    for (LossConfig cfg : variants()) {
      INDArray z = array(b.z(), org.nd4j.linalg.api.buffer.DataType.DOUBLE);
      INDArray o = array(b.o(), org.nd4j.linalg.api.buffer.DataType.DOUBLE);
      double[] rows = EagerLoss.perExample(cfg, z, labels(b.y()), o);
      double mean = java.util.Arrays.stream(rows).average().orElseThrow();
      double ref = reference(cfg, b).value();
      assertTrue(relErr(mean, ref) < DOUBLE_TOL, () -> describe(cfg) + ": mean " + mean + " vs reference " + ref);
      if (!cfg.kind().usesLogits()) {
        assertTrue(rows[0] == 0.0, () -> describe(cfg) + ": the singleton row 0 has term " + rows[0]);
      }
    }
  }
}

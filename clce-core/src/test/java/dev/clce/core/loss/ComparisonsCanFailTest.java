package dev.clce.core.loss;

import static dev.clce.core.loss.LossTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.reference.ReferenceLosses;
import dev.clce.core.reference.TestBatches;
import dev.clce.core.reference.TestBatches.Batch;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The comparisons the loss tests use must see an error in any one row: flipping the sign of every
 * other row of a gradient whose all-zero embedding row is about 1e12 times larger than the others
 * (the {@code zero_row} fixture), or of a gradient of about 1e-37 (separated classes at a small tau),
 * must fail them.
 */
class ComparisonsCanFailTest {

  /** @return a copy of {@code g} with rows 0, 2, 4, ... negated */
  private static INDArray flipEveryOtherRow(INDArray g) {
    INDArray f = g.castTo(DataType.DOUBLE).dup();
    for (int i = 0; i < f.rows(); i += 2) {
      f.getRow(i).negi();
    }
    return f;
  }

  @Test
  void flippedRowsOfTheZeroRowFixtureFail() {
    List<LossFixtures.Case> cases = LossFixtures.load().cases().stream()
        .filter(c -> c.inputs().name().equals("zero_row") && c.gradEmbeddingsFile() != null)
        .toList();
    assertFalse(cases.isEmpty(), "no zero_row fixture with an embedding gradient");
    for (LossFixtures.Case c : cases) {
      INDArray expected = c.gradEmbeddings();
      INDArray flipped = flipEveryOtherRow(expected);
      double[][] e = expected.toDoubleMatrix();
      assertTrue(relErr(expected, e) == 0.0, c.id());
      double support = relErr(flipped, e);
      assertTrue(support > 1.0, () -> c.id() + ": LossTestSupport.relErr of flipped rows " + support);
      double fixture = LossFixtures.gradEmbeddingsError(flipped, expected, c.inputs().z(), c.config().tau());
      assertTrue(fixture > 1e-3, () -> c.id() + ": LossFixtures.gradEmbeddingsError of flipped rows " + fixture);
      // What the whole-array scale (the largest entry of the array) made of the same flip.
      double wholeArray = flipped.sub(expected).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
      System.out.printf("%s: flipped every other row: per-row error %.3g, fixture error %.3g, whole-array scale %.3g%n",
          c.id(), support, fixture, wholeArray);
    }
  }

  @Test
  void flippedRowsOfTinyGradientsFail() {
    Batch b = TestBatches.separated(24, 16, 4, 0.05, 41);
    LossConfig cfg = LossConfig.builder(LossKind.LACLN).optTau(0.01).build();
    ReferenceLosses.Result ref = ReferenceLosses.compute(cfg, b.z(), b.y(), null);
    INDArray exact = array(ref.gradEmbeddings(), DataType.DOUBLE);
    double largest = exact.amaxNumber().doubleValue();
    assertTrue(largest < 1e-20, "the gradient is tiny at tau 0.01: " + largest);
    assertTrue(gradEmbeddingsErr(exact, ref, b.z()) == 0.0);
    double e = gradEmbeddingsErr(flipEveryOtherRow(exact), ref, b.z());
    assertTrue(e > 1.0, () -> "flipped rows of a tiny gradient: error " + e);
    double r = relErr(flipEveryOtherRow(exact), ref.gradEmbeddings());
    assertTrue(r > 1.0, () -> "relErr of flipped rows of a tiny gradient: " + r);
  }
}

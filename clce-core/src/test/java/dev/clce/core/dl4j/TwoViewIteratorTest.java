package dev.clce.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;

/** TwoViewIterator's minibatch layout, the shift/flip augmenter, and training through it on Fashion-MNIST. */
class TwoViewIteratorTest {

  /** 3 images of 4 features each, labels 2, 0, 1 of 3 classes. */
  private static DataSet tiny() {
    INDArray f = Nd4j.createFromArray(new float[][] {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}});
    INDArray y = Nd4j.createFromArray(new float[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}});
    return new DataSet(f, y);
  }

  /** An augmenter that adds 100 to the first view and 200 to the second (counts its calls). */
  private static ViewAugmenter marking() {
    int[] calls = {0};
    return (batch, rng) -> batch.add(100.0 * ++calls[0]);
  }

  @Test
  void bothViewsOfEveryImageInOneMinibatchWithItsLabelsPerOutput() {
    TwoViewIterator it = TwoViewIterator.builder(new ViewIterator(tiny(), 2)).optAugmenter(marking()).build();
    assertTrue(it.hasNext());
    MultiDataSet m = it.next();
    // First source minibatch: images 0 and 1. Rows 0-1 the first view, rows 2-3 the second.
    float[][] expected = {{101, 102, 103, 104}, {105, 106, 107, 108}, {201, 202, 203, 204}, {205, 206, 207, 208}};
    assertArrayEquals(expected, m.getFeatures(0).toFloatMatrix());
    assertEquals(2, m.getLabels().length);
    float[][] labels = {{0, 0, 1}, {1, 0, 0}, {0, 0, 1}, {1, 0, 0}};
    assertArrayEquals(labels, m.getLabels(0).toFloatMatrix());
    assertArrayEquals(labels, m.getLabels(1).toFloatMatrix());
    MultiDataSet last = it.next();
    assertEquals(2, last.getFeatures(0).rows());   // image 2, two views
    assertFalse(it.hasNext());
    it.reset();
    assertTrue(it.hasNext());
  }

  @Test
  void classIndicesForASameDiffLabelsPlaceholder() {
    MultiDataSet m = TwoViewIterator.builder(new ViewIterator(tiny(), 3))
        .optLabelFormat(TwoViewIterator.LabelFormat.CLASS_INDEX).optOutputs(1).build().next();
    assertEquals(1, m.getLabels().length);
    assertEquals(DataType.INT32, m.getLabels(0).dataType());
    assertArrayEquals(new int[] {2, 0, 1, 2, 0, 1}, m.getLabels(0).toIntVector());
  }

  @Test
  void refusesBadSettingsAndMasks() {
    assertThrows(IllegalArgumentException.class, () -> TwoViewIterator.builder(null));
    TwoViewIterator.Builder b = TwoViewIterator.builder(new ViewIterator(tiny(), 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.optOutputs(0));
    assertTrue(e.getMessage().startsWith("outputs:"), e.getMessage());
    DataSet masked = tiny();
    masked.setFeaturesMaskArray(Nd4j.ones(3, 4));
    TwoViewIterator it = TwoViewIterator.builder(new ViewIterator(masked, 3)).build();
    assertThrows(IllegalArgumentException.class, it::next);
    e = assertThrows(IllegalArgumentException.class, () -> ViewAugmenter.randomShiftFlip(1, 3, 4, 3, true));
    assertTrue(e.getMessage().startsWith("maxShift:"), e.getMessage());
  }

  /** The shift/flip augmenter against its documented definition, with plain loops over a 2x3x4 image. */
  @Test
  void shiftFlipFollowsItsDefinition() {
    int c = 2, h = 3, w = 4, shift = 1;
    double[] image = new double[c * h * w];
    for (int i = 0; i < image.length; i++) {
      image[i] = i + 1;
    }
    INDArray batch = Nd4j.createFromArray(new double[][] {image, image, image, image, image, image});
    INDArray out = ViewAugmenter.randomShiftFlip(c, h, w, shift, true).augment(batch, new Random(11));
    Random rng = new Random(11);
    boolean sawShift = false;
    boolean sawFlip = false;
    for (int r = 0; r < 6; r++) {
      int dy = rng.nextInt(2 * shift + 1) - shift;
      int dx = rng.nextInt(2 * shift + 1) - shift;
      boolean flip = rng.nextBoolean();
      sawShift |= dy != 0 || dx != 0;
      sawFlip |= flip;
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int sy = y + dy;
            int sx = (flip ? w - 1 - x : x) + dx;
            double want = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0 : image[ch * h * w + sy * w + sx];
            assertEquals(want, out.getDouble(r, ch * h * w + y * w + x), 0.0, "row " + r + " c" + ch + " y" + y + " x" + x);
          }
        }
      }
    }
    assertTrue(sawShift && sawFlip, "seed 11 should exercise a shift and a flip");
  }

  /** Top-1 accuracy of predicted logits against one-hot labels. */
  private static double accuracy(INDArray logits, INDArray oneHot) {
    INDArray pred = logits.argMax(1);
    INDArray truth = oneHot.argMax(1);
    return pred.eq(truth).castTo(DataType.DOUBLE).meanNumber().doubleValue();
  }

  @Test
  void aGraphTrainsOnFashionMnistThroughTheIterator() {
    FashionMnistSubset.assumePresent();
    DataSet train = FashionMnistSubset.load("train", 1024);
    DataSet test = FashionMnistSubset.load("t10k", 500);
    ComputationGraph net = IteratorExamples.trainGraph(new ViewIterator(train, 64), 2);
    assertEquals(2 * 1024 / 64, net.getIterationCount());
    assertEquals(2, net.getEpochCount());
    double acc = accuracy(net.output(test.getFeatures())[1], test.getLabels());
    // Chance is 10%; an MLP after 32 steps on 1,024 images reaches about 70%.
    assertTrue(acc > 0.55, "test accuracy " + acc);
  }

  @Test
  void sameDiffFitTakesTheIteratorWithClassIndices() {
    FashionMnistSubset.assumePresent();
    Nd4j.getRandom().setSeed(42);
    DataSet train = FashionMnistSubset.load("train", 1024);
    DataSet test = FashionMnistSubset.load("t10k", 500);
    SameDiff sd = SameDiffFitExample.trainSameDiff(new ViewIterator(train, 64), 2);
    INDArray logits = sd.output(Map.of("x", test.getFeatures()), "logits").get("logits");
    double acc = accuracy(logits, test.getLabels());
    assertTrue(acc > 0.55, "test accuracy " + acc);
  }
}

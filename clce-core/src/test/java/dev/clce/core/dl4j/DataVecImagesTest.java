package dev.clce.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.datavec.image.transform.FlipImageTransform;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The DataVec path of docs/DL4J.md: Fashion-MNIST images written as PNG files in class folders, read
 * by an {@code ImageRecordReader}, two views made by a DataVec {@code FlipImageTransform}, and a
 * graph trained on them with CLCE.
 */
class DataVecImagesTest {
  private static final int CLASSES = 3;
  private static final int PER_CLASS = 12;
  private static final int SIDE = 28;
  private static final int BATCH = 12;

  /** Writes the first PER_CLASS training images of classes 0..CLASSES-1 as grey PNGs into root/CLASS/. */
  private static File imageFolder(Path root) throws Exception {
    FashionMnistSubset.assumePresent();
    DataSet d = FashionMnistSubset.load("train", 400);
    int[] written = new int[CLASSES];
    for (int i = 0; i < d.numExamples(); i++) {
      int c = d.getLabels().getRow(i).argMax().getInt(0);
      if (c >= CLASSES || written[c] == PER_CLASS) {
        continue;
      }
      BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) {
          int v = Math.round(d.getFeatures().getFloat(i, y * SIDE + x) * 255f);
          img.getRaster().setSample(x, y, 0, v);
        }
      }
      Path dir = Files.createDirectories(root.resolve("class" + c));
      ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
      written[c]++;
    }
    for (int c = 0; c < CLASSES; c++) {
      assertEquals(PER_CLASS, written[c], "images of class " + c);
    }
    return root.toFile();
  }

  /** Pixel (y, x) of a 28 x 28 image after OpenCV's flip with the given code (none: 2). */
  private static float flipped(INDArray image, int code, int y, int x) {
    int yy = code == 0 || code < 0 ? SIDE - 1 - y : y;
    int xx = code > 0 && code != 2 || code < 0 ? SIDE - 1 - x : x;
    return image.getFloat(0, 0, yy, xx);
  }

  /** Which flips (2 = none, 1 = horizontal, 0 = vertical, -1 = both) map the source image to the view. */
  private static Set<Integer> flipsMatching(INDArray source, INDArray view) {
    Set<Integer> codes = new TreeSet<>();
    for (int code : new int[] {2, 1, 0, -1}) {
      boolean same = true;
      for (int y = 0; y < SIDE && same; y++) {
        for (int x = 0; x < SIDE && same; x++) {
          same = Math.abs(flipped(source, code, y, x) - view.getFloat(0, 0, y, x)) <= 1e-6;
        }
      }
      if (same) {
        codes.add(code);
      }
    }
    return codes;
  }

  /** Image i of a [N, 1, H, W] batch, as [1, 1, H, W]. */
  private static INDArray image(INDArray batch, long i) {
    return batch.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
  }

  @Test
  void viewsAreTheReadersImagesFlippedByTheTransform(@TempDir Path tmp) throws Exception {
    File root = imageFolder(tmp);
    DataSet source = DataVecExample.imageFolder(root, 1, SIDE, SIDE, CLASSES, BATCH).next();
    assertArrayEquals(new long[] {BATCH, 1, SIDE, SIDE}, source.getFeatures().shape());
    assertTrue(source.getFeatures().maxNumber().doubleValue() <= 1 && source.getFeatures().maxNumber().doubleValue() > 0.5,
        "scaled to [0, 1]");

    MultiDataSetIterator twoViews = TwoViewIterator.builder(DataVecExample.imageFolder(root, 1, SIDE, SIDE, CLASSES, BATCH))
        .optAugmenter(DataVecExample.views(new FlipImageTransform(new Random(0)), 1, SIDE, SIDE))
        .optSeed(7)
        .build();
    MultiDataSet m = twoViews.next();
    INDArray views = m.getFeatures(0);
    assertArrayEquals(new long[] {2 * BATCH, 1, SIDE, SIDE}, views.shape());
    Set<Integer> seen = new TreeSet<>();
    int differentViews = 0;
    for (int i = 0; i < BATCH; i++) {
      INDArray image = image(source.getFeatures(), i);
      INDArray v1 = image(views, i);
      INDArray v2 = image(views, BATCH + i);
      Set<Integer> f1 = flipsMatching(image, v1);
      Set<Integer> f2 = flipsMatching(image, v2);
      assertTrue(!f1.isEmpty() && !f2.isEmpty(), "image " + i + ": a view is not a flip of the reader's image");
      seen.addAll(f1);
      seen.addAll(f2);
      if (!v1.equals(v2)) {
        differentViews++;
      }
      assertEquals(source.getLabels().getRow(i), m.getLabels(0).getRow(i), "labels of view 1, image " + i);
      assertEquals(source.getLabels().getRow(i), m.getLabels(0).getRow(BATCH + i), "labels of view 2, image " + i);
    }
    assertTrue(seen.size() >= 2, "the transform flips some views and not others: " + seen);
    assertTrue(differentViews > 0, "the two views of some image differ");
  }

  @Test
  void aGraphTrainsOnTheFolderThroughTwoViews(@TempDir Path tmp) throws Exception {
    File root = imageFolder(tmp);
    DataSetIterator images = DataVecExample.imageFolder(root, 1, SIDE, SIDE, CLASSES, BATCH);
    ComputationGraph net = DataVecExample.train(images, new FlipImageTransform(new Random(0)), 1, SIDE, SIDE, CLASSES,
        4);
    assertEquals(4 * (CLASSES * PER_CLASS / BATCH), net.getIterationCount(), "one update per minibatch and epoch");
    assertTrue(Double.isFinite(net.score()) && net.score() > 0, "score " + net.score());
  }
}

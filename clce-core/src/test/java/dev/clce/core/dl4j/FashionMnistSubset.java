package dev.clce.core.dl4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The first images of the real Fashion-MNIST files (Debian's dataset-fashion-mnist), as a DataSet
 * of [n, 784] pixels in [0, 1] and one-hot labels [n, 10]: what DL4J's MNIST-style iterators give.
 * Tests that need it are skipped with a message when the files are absent.
 */
final class FashionMnistSubset {
  static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

  private FashionMnistSubset() {}

  /** Skips the calling test when the data is not installed. */
  static void assumePresent() {
    assumeTrue(Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte.gz")),
        "Fashion-MNIST not found under " + DIR + " (apt-get install dataset-fashion-mnist): test skipped");
  }

  /**
   * Reads the first {@code n} images of a split.
   *
   * @param split "train" or "t10k"
   * @param n how many
   * @return features [n, 784] FLOAT in [0, 1], one-hot labels [n, 10]
   */
  static DataSet load(String split, int n) {
    try (DataInputStream img = open(split + "-images-idx3-ubyte.gz");
         DataInputStream lab = open(split + "-labels-idx1-ubyte.gz")) {
      if (img.readInt() != 0x803 || lab.readInt() != 0x801) {
        throw new IllegalStateException("bad IDX magic in " + DIR);
      }
      img.readInt();
      img.readInt();
      img.readInt();
      lab.readInt();
      byte[] pixels = img.readNBytes(n * 784);
      byte[] labels = lab.readNBytes(n);
      float[][] f = new float[n][784];
      INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < 784; j++) {
          f[i][j] = (pixels[i * 784 + j] & 0xFF) / 255f;
        }
        y.putScalar(i, labels[i] & 0xFF, 1.0);
      }
      return new DataSet(Nd4j.createFromArray(f), y);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DataInputStream open(String name) throws IOException {
    InputStream in = new GZIPInputStream(Files.newInputStream(DIR.resolve(name)), 1 << 16);
    return new DataInputStream(in);
  }
}

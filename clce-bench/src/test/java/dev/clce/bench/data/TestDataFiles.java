package dev.clce.bench.data;

import java.io.IOException;
import java.nio.file.Path;

/** Small dataset files for tests in other packages. */
public final class TestDataFiles {

  private TestDataFiles() {}

  /**
   * Writes a tiny Fashion-MNIST directory: 5 training images (labels 9, 0, 3, 3, 7) and 3 test images
   * (labels 1, 2, 9), 28x28.
   *
   * @param dir an existing directory
   * @param gzip whether to gzip the files (names then end in .gz)
   * @throws IOException if writing fails
   */
  public static void writeFashionMnist(Path dir, boolean gzip) throws IOException {
    String ext = gzip ? ".gz" : "";
    IdxLoaderTest.write(dir.resolve(FashionMnist.TRAIN_IMAGES + ext), IdxLoaderTest.images(5), gzip);
    IdxLoaderTest.write(dir.resolve(FashionMnist.TRAIN_LABELS + ext), IdxLoaderTest.labels(9, 0, 3, 3, 7), gzip);
    IdxLoaderTest.write(dir.resolve(FashionMnist.TEST_IMAGES + ext), IdxLoaderTest.images(3), gzip);
    IdxLoaderTest.write(dir.resolve(FashionMnist.TEST_LABELS + ext), IdxLoaderTest.labels(1, 2, 9), gzip);
  }
}

package dev.clce.bench.train;

import dev.clce.bench.data.FashionMnist;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a small learnable dataset in Fashion-MNIST's IDX layout (28x28 grey, uncompressed): class
 * {@code c} is a bright horizontal band whose position depends on {@code c}, plus a vertical band at
 * a class-dependent column, on a noisy background.
 */
public final class SyntheticFashion {

  private SyntheticFashion() {}

  /**
   * Writes the four IDX files.
   *
   * @param dir the directory (created)
   * @param classes number of classes
   * @param trainPerClass training images per class
   * @param testPerClass test images per class
   * @param seed noise seed
   * @return dir
   * @throws IOException if writing fails
   */
  public static Path write(Path dir, int classes, int trainPerClass, int testPerClass, long seed) throws IOException {
    Files.createDirectories(dir);
    Random r = new Random(seed);
    writeSplit(dir.resolve(FashionMnist.TRAIN_IMAGES), dir.resolve(FashionMnist.TRAIN_LABELS), classes, trainPerClass, r);
    writeSplit(dir.resolve(FashionMnist.TEST_IMAGES), dir.resolve(FashionMnist.TEST_LABELS), classes, testPerClass, r);
    return dir;
  }

  /**
   * Runs ND4J ops on one thread (tests on a shared, oversubscribed machine are several times faster
   * so: each op otherwise waits for a descheduled second thread).
   *
   * @return the previous setting, to restore afterwards
   */
  public static int singleThreaded() {
    int before = org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads();
    org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(1);
    return before;
  }

  private static void writeSplit(Path images, Path labels, int classes, int perClass, Random r) throws IOException {
    int n = classes * perClass;
    int side = FashionMnist.SIZE;
    try (DataOutputStream img = new DataOutputStream(Files.newOutputStream(images));
         DataOutputStream lab = new DataOutputStream(Files.newOutputStream(labels))) {
      img.writeInt(0x00000803);
      img.writeInt(n);
      img.writeInt(side);
      img.writeInt(side);
      lab.writeInt(0x00000801);
      lab.writeInt(n);
      for (int i = 0; i < n; i++) {
        int c = i % classes;
        int row = 3 + c * (side - 8) / Math.max(1, classes - 1);
        int col = side - 4 - c * (side - 8) / Math.max(1, classes - 1);
        byte[] px = new byte[side * side];
        for (int y = 0; y < side; y++) {
          for (int x = 0; x < side; x++) {
            int v = r.nextInt(60);
            if (Math.abs(y - row) <= 2 || Math.abs(x - col) <= 1) {
              v += 150 + r.nextInt(40);
            }
            px[y * side + x] = (byte) Math.min(255, v);
          }
        }
        img.write(px);
        lab.writeByte(c);
      }
    }
  }
}

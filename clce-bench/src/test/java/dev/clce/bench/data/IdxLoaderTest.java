package dev.clce.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fashion-MNIST / IDX loading from files the test writes, good and damaged, and the real data. */
class IdxLoaderTest {

  @TempDir Path dir;

  /** An IDX header: magic then big-endian sizes. */
  static byte[] header(int magic, int... dims) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.array();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static void write(Path file, byte[] content, boolean gzip) throws IOException {
    if (!gzip) {
      Files.write(file, content);
      return;
    }
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(file))) {
      o.write(content);
    }
  }

  /** Pixel value of image i at (y, x): a pattern the test can predict. */
  static int pattern(int i, int y, int x) {
    return (i * 37 + y * 5 + x * 3) & 0xFF;
  }

  static byte[] images(int n) {
    byte[] px = new byte[n * 28 * 28];
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          px[(i * 28 + y) * 28 + x] = (byte) pattern(i, y, x);
        }
      }
    }
    return concat(header(0x803, n, 28, 28), px);
  }

  static byte[] labels(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return concat(header(0x801, values.length), b);
  }

  /** Writes a complete small Fashion-MNIST directory: 5 train and 3 test images. */
  void writeGood(boolean gzip) throws IOException {
    String ext = gzip ? ".gz" : "";
    write(dir.resolve("train-images-idx3-ubyte" + ext), images(5), gzip);
    write(dir.resolve("train-labels-idx1-ubyte" + ext), labels(9, 0, 3, 3, 7), gzip);
    write(dir.resolve("t10k-images-idx3-ubyte" + ext), images(3), gzip);
    write(dir.resolve("t10k-labels-idx1-ubyte" + ext), labels(1, 2, 9), gzip);
  }

  void checkGood() {
    ImageDataset train = FashionMnist.load(dir, Split.TRAIN);
    assertEquals(5, train.size());
    assertEquals(1, train.channels());
    assertEquals(28, train.height());
    assertEquals(28, train.width());
    assertArrayEquals(new int[] {9, 0, 3, 3, 7}, train.labels());
    assertEquals("Ankle boot", train.classNames().get(9));
    for (int i = 0; i < 5; i++) {
      for (int y = 0; y < 28; y += 9) {
        for (int x = 0; x < 28; x += 4) {
          assertEquals(pattern(i, y, x), train.pixel(i, 0, y, x));
        }
      }
    }
    ImageDataset test = FashionMnist.load(dir, Split.TEST);
    assertArrayEquals(new int[] {1, 2, 9}, test.labels());
    assertEquals(pattern(2, 27, 27), test.pixel(2, 0, 27, 27));
  }

  @Test
  void readsPlainFiles() throws IOException {
    writeGood(false);
    checkGood();
  }

  @Test
  void readsGzippedFiles() throws IOException {
    writeGood(true);
    checkGood();
  }

  private DatasetFormatException refused(Split split) {
    return assertThrows(DatasetFormatException.class, () -> FashionMnist.load(dir, split));
  }

  private static void assertMessage(DatasetFormatException e, String file, String... phrases) {
    assertTrue(e.getMessage().contains(file), "message should name " + file + ": " + e.getMessage());
    for (String p : phrases) {
      assertTrue(e.getMessage().contains(p), "message should say '" + p + "': " + e.getMessage());
    }
  }

  @Test
  void refusesBadImageMagic() throws IOException {
    writeGood(false);
    byte[] b = images(5);
    b[3] = 0x01;
    write(dir.resolve("train-images-idx3-ubyte"), b, false);
    assertMessage(refused(Split.TRAIN), "train-images-idx3-ubyte", "bad magic number 0x00000801",
        "expected 0x00000803");
  }

  @Test
  void refusesBadLabelMagic() throws IOException {
    writeGood(true);
    write(dir.resolve("t10k-labels-idx1-ubyte.gz"), images(3), true);
    assertMessage(refused(Split.TEST), "t10k-labels-idx1-ubyte.gz", "bad magic number 0x00000803");
  }

  @Test
  void refusesTruncatedImages() throws IOException {
    writeGood(false);
    byte[] b = images(5);
    write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(b, b.length - 100), false);
    assertMessage(refused(Split.TRAIN), "train-images-idx3-ubyte", "truncated", "5 images of 28x28");
  }

  @Test
  void refusesTruncatedHeader() throws IOException {
    writeGood(false);
    write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(images(5), 10), false);
    assertMessage(refused(Split.TRAIN), "train-images-idx3-ubyte", "truncated");
  }

  @Test
  void refusesTrailingBytes() throws IOException {
    writeGood(false);
    write(dir.resolve("train-labels-idx1-ubyte"), concat(labels(9, 0, 3, 3, 7), new byte[] {1, 2}), false);
    assertMessage(refused(Split.TRAIN), "train-labels-idx1-ubyte", "2 unexpected bytes");
  }

  @Test
  void refusesLabelOutOfRange() throws IOException {
    writeGood(false);
    write(dir.resolve("train-labels-idx1-ubyte"), labels(9, 0, 10, 3, 7), false);
    assertMessage(refused(Split.TRAIN), "train-labels-idx1-ubyte", "label 10 at index 2",
        "outside [0, 10)");
  }

  @Test
  void refusesCountMismatch() throws IOException {
    writeGood(false);
    write(dir.resolve("train-labels-idx1-ubyte"), labels(9, 0, 3, 3), false);
    assertMessage(refused(Split.TRAIN), "train-labels-idx1-ubyte", "holds 4 labels", "5 images");
  }

  @Test
  void refusesWrongImageSize() throws IOException {
    writeGood(false);
    write(dir.resolve("t10k-images-idx3-ubyte"), concat(header(0x803, 3, 32, 32), new byte[3 * 32 * 32]),
        false);
    assertMessage(refused(Split.TEST), "t10k-images-idx3-ubyte", "32x32");
  }

  @Test
  void refusesDamagedGzip() throws IOException {
    writeGood(true);
    Path f = dir.resolve("train-images-idx3-ubyte.gz");
    byte[] gz = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(gz, gz.length / 2));
    assertMessage(refused(Split.TRAIN), "train-images-idx3-ubyte.gz", "gzip");
  }

  @Test
  void missingFilesSayHowToInstall() throws IOException {
    writeGood(false);
    Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
    DatasetFormatException e = refused(Split.TRAIN);
    assertMessage(e, dir.toString(), "t10k-labels-idx1-ubyte", "apt-get install dataset-fashion-mnist");
    DatasetFormatException none = assertThrows(DatasetFormatException.class,
        () -> FashionMnist.load(dir.resolve("nowhere"), Split.TRAIN));
    assertMessage(none, "nowhere", "no such directory", "apt-get install dataset-fashion-mnist");
  }

  /** The real data: counts and statistics computed independently with numpy from the same files. */
  @Test
  void readsRealFashionMnist() {
    assumeTrue(FashionMnist.isPresent(FashionMnist.DEFAULT_DIR),
        "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    ImageDataset train = DataSpec.parse("fashion-mnist").load(Split.TRAIN);
    ImageDataset test = DataSpec.parse("fashion-mnist").load(Split.TEST);
    assertEquals(60_000, train.size());
    assertEquals(10_000, test.size());
    int[] trainCounts = new int[10];
    Arrays.fill(trainCounts, 6000);
    int[] testCounts = new int[10];
    Arrays.fill(testCounts, 1000);
    assertArrayEquals(trainCounts, train.countsPerClass());
    assertArrayEquals(testCounts, test.countsPerClass());
    // numpy: train labels[:10] = 9 0 0 3 0 2 7 2 5 5; test labels[:10] = 9 2 1 1 6 1 4 6 5 7
    assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(train.labels(), 10));
    assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, Arrays.copyOf(test.labels(), 10));
    // numpy: images[0].sum() = 76247; mean/255 = 0.2860405969887955, std/255 = 0.3530242445149226
    long sum0 = 0;
    for (byte v : train.image(0)) {
      sum0 += v & 0xFF;
    }
    assertEquals(76_247, sum0);
    double[][] stats = AugmentConfig.channelStats(train);
    assertEquals(0.2860405969887955, stats[0][0], 1e-12);
    assertEquals(0.3530242445149226, stats[1][0], 1e-12);
  }
}

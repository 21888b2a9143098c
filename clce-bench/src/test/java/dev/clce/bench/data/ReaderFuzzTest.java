package dev.clce.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clce.core.testing.FuzzedFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset readers under Jazzer (docs/FUZZING.md): IDX (the fuzzer's bytes as the file, and
 * gzipped), CIFAR binary and image folders. Every refusal must be a {@link DatasetFormatException}
 * naming the file. Without {@code JAZZER_FUZZ} each fuzz test replays its committed inputs under
 * {@code ReaderFuzzTestInputs/<method>} (seeds and every input that once found a bug);
 * {@code scripts/fuzz.sh <method> SECONDS} fuzzes one.
 */
class ReaderFuzzTest {

  @TempDir Path tmp;

  /** The bytes as an IDX file (gzip is recognised by its magic bytes), read as images and as labels. */
  @FuzzTest(maxDuration = "5m")
  void idx(byte[] data) {
    FuzzedFiles.loadsOrRefuses(data, "input-idx-ubyte", DatasetFormatException.class, ReaderFuzzTest::readIdx);
  }

  /** The bytes gzipped, so that the fuzzer reaches the IDX parser behind the decompression. */
  @FuzzTest(maxDuration = "5m")
  void idxGzip(byte[] data) {
    FuzzedFiles.loadsOrRefuses(dir -> {
      Path f = dir.resolve("input-idx-ubyte.gz");
      try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
        o.write(data);
      }
      return f;
    }, DatasetFormatException.class, ReaderFuzzTest::readIdx);
  }

  /** The bytes as CIFAR-10's and CIFAR-100's test file, each loaded. */
  @FuzzTest(maxDuration = "5m")
  void cifarBinary(byte[] data) {
    FuzzedFiles.loadsOrRefuses(dir -> {
      Files.write(dir.resolve(CifarBinary.CIFAR10_TEST_FILE), data);
      Files.write(dir.resolve(CifarBinary.CIFAR100_TEST_FILE), data);
      return dir;
    }, DatasetFormatException.class, ReaderFuzzTest::readCifar);
  }

  /** The bytes as the one image of a one-class folder, loaded in RGB at its own size and grey at 8x8. */
  @FuzzTest(maxDuration = "5m")
  void imageFolder(byte[] data) {
    FuzzedFiles.loadsOrRefuses(dir -> {
      Path root = dir.resolve("folder");
      Files.createDirectories(root.resolve("a"));
      Files.write(root.resolve("a").resolve("img.png"), data);
      return root;
    }, DatasetFormatException.class, ReaderFuzzTest::readFolder);
  }

  private static void readIdx(Path file) {
    try {
      IdxFiles.Images im = IdxFiles.readImages(file);
      assertEquals((long) im.count() * im.rows() * im.cols(), im.pixels().length);
    } catch (DatasetFormatException e) {
      // refused as images; the labels reader gets its turn (a refusal there ends the input)
    }
    IdxFiles.readLabels(file, 10);
  }

  private static void readCifar(Path dir) {
    try {
      ImageDataset d = CifarBinary.loadCifar10(dir, Split.TEST, false);
      assertEquals(d.size() * CifarBinary.PIXELS, (long) d.size() * d.imageBytes());
    } catch (DatasetFormatException e) {
      // refused as CIFAR-10; CIFAR-100 gets its turn
    }
    CifarBinary.loadCifar100(dir, Split.TEST, CifarBinary.Cifar100Label.FINE, false);
  }

  private static void readFolder(Path root) {
    ImageDataset rgb = ImageFolder.load(root, "fuzz", 3, 0, null);
    assertEquals(1, rgb.size());
    ImageDataset grey = ImageFolder.load(root, "fuzz", 1, 8, null);
    assertEquals(64, grey.imageBytes());
  }

  /** The seeds are the format's writers' output (committed, checked here) and each of them loads. */
  @Test
  void seedsAreWriterOutputAndLoad() throws IOException {
    Map<String, byte[]> idx = new LinkedHashMap<>();
    idx.put("seed-images-2x3x4", idxImages());
    idx.put("seed-labels-3", IdxLoaderTest.labels(1, 2, 9));
    FuzzedFiles.seeds(ReaderFuzzTest.class, "idxGzip", idx, true);
    idx.put("seed-images-2x3x4.gz", gzip(idxImages()));
    FuzzedFiles.seeds(ReaderFuzzTest.class, "idx", idx, true);
    for (Map.Entry<String, byte[]> e : idx.entrySet()) {
      Path f = tmp.resolve(e.getKey());
      Files.write(f, e.getValue());
      if (e.getKey().startsWith("seed-images")) {
        assertEquals(24, IdxFiles.readImages(f).pixels().length);
      } else {
        assertEquals(3, IdxFiles.readLabels(f, 10).length);
      }
    }

    Map<String, byte[]> cifar = new LinkedHashMap<>();
    cifar.put("seed-cifar10-2-records", cifarRecords(2, 1));
    cifar.put("seed-cifar100-2-records", cifarRecords(2, 2));
    FuzzedFiles.seeds(ReaderFuzzTest.class, "cifarBinary", cifar, true);
    Files.write(tmp.resolve(CifarBinary.CIFAR10_TEST_FILE), cifar.get("seed-cifar10-2-records"));
    Files.write(tmp.resolve(CifarBinary.CIFAR100_TEST_FILE), cifar.get("seed-cifar100-2-records"));
    assertEquals(2, CifarBinary.loadCifar10(tmp, Split.TEST, false).size());
    assertEquals(2, CifarBinary.loadCifar100(tmp, Split.TEST, CifarBinary.Cifar100Label.FINE, false).size());

    // Made by the JDK's encoders, whose bytes may differ between JDK builds: only their presence is checked.
    Map<String, byte[]> images = new LinkedHashMap<>();
    images.put("seed-rgb-5x3.png", encoded(BufferedImage.TYPE_INT_RGB, "png"));
    images.put("seed-grey-5x3.png", encoded(BufferedImage.TYPE_BYTE_GRAY, "png"));
    images.put("seed-grey16-5x3.png", encoded(BufferedImage.TYPE_USHORT_GRAY, "png"));
    images.put("seed-palette-5x3.png", encoded(BufferedImage.TYPE_BYTE_INDEXED, "png"));
    images.put("seed-rgb-5x3.jpg", encoded(BufferedImage.TYPE_INT_RGB, "jpeg"));
    images.put("seed-grey-5x3.jpg", encoded(BufferedImage.TYPE_BYTE_GRAY, "jpeg"));
    FuzzedFiles.seeds(ReaderFuzzTest.class, "imageFolder", images, false);
    for (Map.Entry<String, byte[]> e : images.entrySet()) {
      Path root = tmp.resolve("folder-" + e.getKey());
      Files.createDirectories(root.resolve("a"));
      Files.write(root.resolve("a").resolve(e.getKey()), e.getValue());
      readFolder(root);
      assertEquals(15, ImageFolder.load(root, "seed", 1, 0, null).imageBytes(), e.getKey());
    }
  }

  private static byte[] idxImages() {
    byte[] px = new byte[2 * 3 * 4];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 11);
    }
    return IdxLoaderTest.concat(IdxLoaderTest.header(IdxFiles.MAGIC_IMAGES, 2, 3, 4), px);
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(out)) {
      o.write(b);
    }
    return out.toByteArray();
  }

  /** {@code n} records of {@code labelBytes} label bytes (each label 3) and a pixel pattern. */
  private static byte[] cifarRecords(int n, int labelBytes) {
    int rec = labelBytes + CifarBinary.PIXELS;
    byte[] b = new byte[n * rec];
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < labelBytes; k++) {
        b[r * rec + k] = 3;
      }
      for (int p = 0; p < CifarBinary.PIXELS; p++) {
        b[r * rec + labelBytes + p] = (byte) (p * 7 + r);
      }
    }
    return b;
  }

  private static byte[] encoded(int type, String format) throws IOException {
    BufferedImage img = new BufferedImage(5, 3, type);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 5; x++) {
        img.setRGB(x, y, (x * 50) << 16 | (y * 80) << 8 | (x + y) * 30);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, format, out)) {
      throw new IllegalStateException("no " + format + " writer for image type " + type);
    }
    return out.toByteArray();
  }
}

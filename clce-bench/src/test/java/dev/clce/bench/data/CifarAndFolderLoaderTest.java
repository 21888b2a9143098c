package dev.clce.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR binary and image-folder loading from files the test writes, good and damaged. */
class CifarAndFolderLoaderTest {

  @TempDir Path dir;

  /** Channel value of record r at (c, y, x): predictable pattern. */
  static int pattern(int r, int c, int y, int x) {
    return (r * 11 + c * 70 + y * 3 + x * 7) & 0xFF;
  }

  /** CIFAR records: labelBytes label bytes then R, G, B planes of 32x32. */
  static byte[] records(int firstRecord, int[][] labels) {
    int rec = labels[0].length + 3072;
    byte[] b = new byte[labels.length * rec];
    for (int r = 0; r < labels.length; r++) {
      int off = r * rec;
      for (int k = 0; k < labels[r].length; k++) {
        b[off + k] = (byte) labels[r][k];
      }
      off += labels[r].length;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            b[off + (c * 32 + y) * 32 + x] = (byte) pattern(firstRecord + r, c, y, x);
          }
        }
      }
    }
    return b;
  }

  void writeCifar10() throws IOException {
    for (int f = 1; f <= 5; f++) {
      Files.write(dir.resolve("data_batch_" + f + ".bin"), records(2 * (f - 1), new int[][] {{f}, {f + 4}}));
    }
    Files.write(dir.resolve("test_batch.bin"), records(100, new int[][] {{0}, {9}, {3}}));
  }

  @Test
  void readsCifar10() throws IOException {
    writeCifar10();
    ImageDataset train = CifarBinary.loadCifar10(dir, Split.TRAIN, false);
    assertEquals(10, train.size());
    assertEquals(3, train.channels());
    assertArrayEquals(new int[] {1, 5, 2, 6, 3, 7, 4, 8, 5, 9}, train.labels());
    for (int r = 0; r < 10; r++) {
      for (int c = 0; c < 3; c++) {
        assertEquals(pattern(r, c, 5, 17), train.pixel(r, c, 5, 17));
        assertEquals(pattern(r, c, 31, 0), train.pixel(r, c, 31, 0));
      }
    }
    assertEquals("truck", train.classNames().get(9));
    ImageDataset test = CifarBinary.loadCifar10(dir, Split.TEST, false);
    assertArrayEquals(new int[] {0, 9, 3}, test.labels());
    assertEquals(pattern(102, 2, 1, 2), test.pixel(2, 2, 1, 2));
  }

  @Test
  void cifar10ArchiveDirectoryAndMetaNames() throws IOException {
    Path inner = dir.resolve("cifar-10-batches-bin");
    Files.createDirectory(inner);
    Files.write(inner.resolve("test_batch.bin"), records(0, new int[][] {{4}}));
    Files.writeString(inner.resolve("batches.meta.txt"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n",
        StandardCharsets.UTF_8);
    ImageDataset test = CifarBinary.loadCifar10(dir, Split.TEST, false);
    assertEquals("e", test.classNames().get(test.label(0)));
  }

  @Test
  void refusesDamagedCifar10() throws IOException {
    writeCifar10();
    Path f = dir.resolve("data_batch_3.bin");
    byte[] good = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(good, good.length - 1));
    DatasetFormatException e = assertThrows(DatasetFormatException.class,
        () -> CifarBinary.loadCifar10(dir, Split.TRAIN, false));
    assertTrue(e.getMessage().contains("data_batch_3.bin") && e.getMessage().contains("3073-byte records"),
        e.getMessage());

    byte[] badLabel = good.clone();
    badLabel[3073] = 10;
    Files.write(f, badLabel);
    e = assertThrows(DatasetFormatException.class, () -> CifarBinary.loadCifar10(dir, Split.TRAIN, false));
    assertTrue(e.getMessage().contains("data_batch_3.bin") && e.getMessage().contains("label 10 of record 1"),
        e.getMessage());

    Files.write(f, good);
    e = assertThrows(DatasetFormatException.class, () -> CifarBinary.loadCifar10(dir, Split.TRAIN, true));
    assertTrue(e.getMessage().contains("data_batch_1.bin") && e.getMessage().contains("holds 2 records")
        && e.getMessage().contains("10000"), e.getMessage());

    Files.delete(dir.resolve("data_batch_5.bin"));
    e = assertThrows(DatasetFormatException.class, () -> CifarBinary.loadCifar10(dir, Split.TRAIN, false));
    assertTrue(e.getMessage().contains("data_batch_5.bin") && e.getMessage().contains("no such file"),
        e.getMessage());
  }

  @Test
  void readsCifar100FineAndCoarse() throws IOException {
    Files.write(dir.resolve("train.bin"), records(0, new int[][] {{3, 99}, {19, 0}, {0, 42}}));
    Files.write(dir.resolve("test.bin"), records(7, new int[][] {{1, 1}}));
    ImageDataset fine = CifarBinary.loadCifar100(dir, Split.TRAIN, CifarBinary.Cifar100Label.FINE, false);
    ImageDataset coarse = CifarBinary.loadCifar100(dir, Split.TRAIN, CifarBinary.Cifar100Label.COARSE, false);
    assertArrayEquals(new int[] {99, 0, 42}, fine.labels());
    assertArrayEquals(new int[] {3, 19, 0}, coarse.labels());
    assertEquals(100, fine.numClasses());
    assertEquals(20, coarse.numClasses());
    assertEquals(pattern(2, 1, 30, 30), fine.pixel(2, 1, 30, 30));
    ImageDataset test = CifarBinary.loadCifar100(dir, Split.TEST, CifarBinary.Cifar100Label.FINE, false);
    assertEquals(pattern(7, 0, 0, 0), test.pixel(0, 0, 0, 0));

    Files.write(dir.resolve("train.bin"), records(0, new int[][] {{3, 99}, {19, 100}}));
    DatasetFormatException e = assertThrows(DatasetFormatException.class,
        () -> CifarBinary.loadCifar100(dir, Split.TRAIN, CifarBinary.Cifar100Label.COARSE, false));
    assertTrue(e.getMessage().contains("train.bin") && e.getMessage().contains("fine label 100 of record 1"),
        e.getMessage());
    Files.write(dir.resolve("train.bin"), records(0, new int[][] {{20, 5}}));
    e = assertThrows(DatasetFormatException.class,
        () -> CifarBinary.loadCifar100(dir, Split.TRAIN, CifarBinary.Cifar100Label.FINE, false));
    assertTrue(e.getMessage().contains("coarse label 20 of record 0"), e.getMessage());
  }

  // ---- image folders ----

  static int rgbPattern(int k, int y, int x) {
    int r = (k * 40 + x * 9) & 0xFF;
    int g = (y * 13 + 7) & 0xFF;
    int b = (k * 3 + x * y) & 0xFF;
    return (r << 16) | (g << 8) | b;
  }

  static void writePng(Path file, int k, int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgbPattern(k, y, x));
      }
    }
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(img, "png", file.toFile()));
  }

  @Test
  void readsImageFolderWithExactPngPixels() throws IOException {
    Path root = dir.resolve("flowers");
    writePng(root.resolve("tulip/b.png"), 2, 6, 4);
    writePng(root.resolve("tulip/a.PNG"), 1, 6, 4);
    writePng(root.resolve("daisy/x.png"), 0, 6, 4);
    Files.writeString(root.resolve("daisy/notes.txt"), "ignored");
    ImageDataset ds = ImageFolder.load(root, "flowers", 3, 0, null);
    assertEquals(List.of("daisy", "tulip"), ds.classNames());
    assertArrayEquals(new int[] {0, 1, 1}, ds.labels());
    assertEquals(4, ds.height());
    assertEquals(6, ds.width());
    int[] order = {0, 1, 2};
    for (int i = 0; i < 3; i++) {
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 6; x++) {
          int rgb = rgbPattern(order[i], y, x);
          assertEquals((rgb >> 16) & 0xFF, ds.pixel(i, 0, y, x));
          assertEquals((rgb >> 8) & 0xFF, ds.pixel(i, 1, y, x));
          assertEquals(rgb & 0xFF, ds.pixel(i, 2, y, x));
        }
      }
    }
    ImageDataset grey = ImageFolder.load(root, "flowers", 1, 0, null);
    int rgb = rgbPattern(2, 3, 5);
    int expected = (((rgb >> 16) & 0xFF) * 299 + ((rgb >> 8) & 0xFF) * 587 + (rgb & 0xFF) * 114) / 1000;
    assertEquals(expected, grey.pixel(2, 0, 3, 5));
  }

  @Test
  void greyPngKeepsItsValues() throws IOException {
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    int[] values = {0, 50, 128, 200, 254, 255};
    img.getRaster().setSamples(0, 0, 3, 2, 0, values);
    Path f = dir.resolve("g/c0/i.png");
    Files.createDirectories(f.getParent());
    ImageIO.write(img, "png", f.toFile());
    ImageDataset ds = ImageFolder.load(dir.resolve("g"), "g", 1, 0, null);
    for (int p = 0; p < 6; p++) {
      assertEquals(values[p], ds.pixel(0, 0, p / 3, p % 3));
    }
    ImageDataset rgb = ImageFolder.load(dir.resolve("g"), "g", 3, 0, null);
    assertEquals(128, rgb.pixel(0, 2, 0, 2));
  }

  @Test
  void refusesBadImageFolders() throws IOException {
    Path root = dir.resolve("r");
    writePng(root.resolve("a/1.png"), 0, 5, 5);
    writePng(root.resolve("b/1.png"), 0, 5, 6);
    DatasetFormatException e = assertThrows(DatasetFormatException.class,
        () -> ImageFolder.load(root, "r", 3, 0, null));
    assertTrue(e.getMessage().contains("b/1.png") && e.getMessage().contains("5x6"), e.getMessage());
    ImageDataset resized = ImageFolder.load(root, "r", 3, 8, null);
    assertEquals(8, resized.height());

    Files.write(root.resolve("b/2.png"), new byte[] {1, 2, 3, 4});
    e = assertThrows(DatasetFormatException.class, () -> ImageFolder.load(root, "r", 3, 8, null));
    assertTrue(e.getMessage().contains("b/2.png") && e.getMessage().contains("not a readable"), e.getMessage());

    Files.createDirectories(root.resolve("c"));
    e = assertThrows(DatasetFormatException.class, () -> ImageFolder.load(root, "r", 3, 8, null));
    assertTrue(e.getMessage().contains("/c") && e.getMessage().contains("no .png"), e.getMessage());
  }

  @Test
  void folderSpecWithTrainAndTest() throws IOException {
    Path root = dir.resolve("f");
    writePng(root.resolve("train/cat/1.png"), 0, 4, 4);
    writePng(root.resolve("train/dog/1.png"), 1, 4, 4);
    writePng(root.resolve("test/cat/1.png"), 2, 4, 4);
    BufferedImage flat = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        flat.setRGB(x, y, 0x508CC8);
      }
    }
    Files.createDirectories(root.resolve("test/dog"));
    assertTrue(ImageIO.write(flat, "jpg", root.resolve("test/dog/1.jpeg").toFile()));
    DataSpec spec = DataSpec.parse("folder:" + root);
    assertEquals(2, spec.load(Split.TRAIN).size());
    ImageDataset test = spec.load(Split.TEST);
    assertEquals(List.of("cat", "dog"), test.classNames());
    // a flat JPEG decodes to (nearly) its colour: 0x50, 0x8C, 0xC8
    assertEquals(0x50, test.pixel(1, 0, 2, 2), 3);
    assertEquals(0x8C, test.pixel(1, 1, 2, 2), 3);
    assertEquals(0xC8, test.pixel(1, 2, 2, 2), 3);
    Files.createDirectories(root.resolve("test/emu"));
    writePng(root.resolve("test/emu/1.png"), 3, 4, 4);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> spec.load(Split.TEST));
    assertTrue(e.getMessage().contains("differ from the expected classes"), e.getMessage());
  }

  @Test
  void parsesSpecs() {
    assertEquals(new DataSpec(DataSpec.Kind.FASHION_MNIST, FashionMnist.DEFAULT_DIR),
        DataSpec.parse("fashion-mnist"));
    assertEquals(new DataSpec(DataSpec.Kind.CIFAR100_COARSE, Path.of("/x/y")), DataSpec.parse("cifar100-coarse:/x/y"));
    assertEquals("cifar10:/d", DataSpec.parse("cifar10:/d").toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("mnist"));
    assertTrue(e.getMessage().startsWith("data: unknown dataset 'mnist'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("cifar10"));
    assertTrue(e.getMessage().startsWith("data: cifar10 needs a directory"), e.getMessage());
  }
}

package dev.clce.bench.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Validating reader for the binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky 2009).
 *
 * <ul>
 *   <li>CIFAR-10 ({@code cifar-10-batches-bin}): {@code data_batch_1.bin .. data_batch_5.bin} (train)
 *       and {@code test_batch.bin}, 10,000 records each of 1 label byte + 3,072 pixel bytes (1,024 red,
 *       1,024 green, 1,024 blue, row-major 32x32); class names from {@code batches.meta.txt} when
 *       present.
 *   <li>CIFAR-100 ({@code cifar-100-binary}): {@code train.bin} (50,000 records) and {@code test.bin}
 *       (10,000), each record 1 coarse label byte (20 super-classes) + 1 fine label byte (100 classes) +
 *       3,072 pixel bytes; names from {@code fine_label_names.txt} / {@code coarse_label_names.txt}.
 * </ul>
 * The directory may be the one holding the files or its parent (the archive's top directory is then
 * looked up inside it).
 */
public final class CifarBinary {

  /** Image side in pixels. */
  public static final int SIZE = 32;
  /** Pixel bytes per record. */
  public static final int PIXELS = 3 * SIZE * SIZE;
  /** Records per CIFAR-10 batch file and per CIFAR-100 test file. */
  public static final int RECORDS_PER_BATCH = 10_000;
  /** Records in CIFAR-100's train.bin. */
  public static final int CIFAR100_TRAIN_RECORDS = 50_000;
  /** The CIFAR-10 training files. */
  public static final List<String> CIFAR10_TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
      "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
  /** The CIFAR-10 test file. */
  public static final String CIFAR10_TEST_FILE = "test_batch.bin";
  /** The CIFAR-100 training file. */
  public static final String CIFAR100_TRAIN_FILE = "train.bin";
  /** The CIFAR-100 test file. */
  public static final String CIFAR100_TEST_FILE = "test.bin";
  /** Top directory of the CIFAR-10 binary archive. */
  public static final String CIFAR10_ARCHIVE_DIR = "cifar-10-batches-bin";
  /** Top directory of the CIFAR-100 binary archive. */
  public static final String CIFAR100_ARCHIVE_DIR = "cifar-100-binary";
  /** CIFAR-10 class names (used when batches.meta.txt is absent). */
  public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat",
      "deer", "dog", "frog", "horse", "ship", "truck");

  /** Which CIFAR-100 label to use. */
  public enum Cifar100Label {
    /** The 100 fine classes. */
    FINE,
    /** The 20 coarse super-classes. */
    COARSE
  }

  private CifarBinary() {}

  /**
   * Loads and validates a CIFAR-10 split.
   *
   * @param dir the directory holding the files (or its parent)
   * @param split the split
   * @param strictCounts require the official record counts (10,000 per file); false accepts any
   *     positive whole number of records (for small test files)
   * @return the dataset ({@code cifar10/train} or {@code cifar10/test})
   * @throws DatasetFormatException if a file is missing, truncated or has a label outside [0, 10)
   */
  public static ImageDataset loadCifar10(Path dir, Split split, boolean strictCounts) {
    if (split == null) {
      throw new IllegalArgumentException("split: must not be null");
    }
    Path base = resolveDir(dir, CIFAR10_ARCHIVE_DIR, CIFAR10_TEST_FILE);
    List<String> files = split == Split.TRAIN ? CIFAR10_TRAIN_FILES : List.of(CIFAR10_TEST_FILE);
    List<String> names = readNames(base.resolve("batches.meta.txt"), CIFAR10_CLASSES.size());
    if (names == null) {
      names = CIFAR10_CLASSES;
    }
    List<byte[]> contents = new ArrayList<>();
    int total = 0;
    for (String f : files) {
      Path file = base.resolve(f);
      byte[] b = DataFiles.readAll(file);
      int records = checkRecords(file, b, 1 + PIXELS, strictCounts ? RECORDS_PER_BATCH : -1);
      for (int r = 0; r < records; r++) {
        int label = b[r * (1 + PIXELS)] & 0xFF;
        if (label >= 10) {
          throw new DatasetFormatException(file, "label " + label + " of record " + r
              + " is outside [0, 10)");
        }
      }
      contents.add(b);
      total += records;
    }
    if ((long) total * PIXELS > DataFiles.MAX_BYTES) {
      throw new DatasetFormatException(base, "the " + split.id() + " files hold " + total + " records, "
          + (long) total * PIXELS + " pixel bytes, more than one array can hold (" + DataFiles.MAX_BYTES + ")");
    }
    byte[] pixels = new byte[total * PIXELS];
    int[] labels = new int[total];
    int k = 0;
    for (byte[] b : contents) {
      for (int off = 0; off < b.length; off += 1 + PIXELS) {
        labels[k] = b[off] & 0xFF;
        System.arraycopy(b, off + 1, pixels, k * PIXELS, PIXELS);
        k++;
      }
    }
    return new ImageDataset("cifar10/" + split.id(), pixels, labels, names, 3, SIZE, SIZE);
  }

  /**
   * Loads and validates a CIFAR-100 split.
   *
   * @param dir the directory holding the files (or its parent)
   * @param split the split
   * @param which fine (100 classes) or coarse (20) labels
   * @param strictCounts require the official record counts (50,000 train, 10,000 test)
   * @return the dataset ({@code cifar100/train}, or {@code cifar100-coarse/train} etc.)
   * @throws DatasetFormatException if a file is missing, truncated or has a label out of range
   */
  public static ImageDataset loadCifar100(Path dir, Split split, Cifar100Label which,
      boolean strictCounts) {
    if (split == null) {
      throw new IllegalArgumentException("split: must not be null");
    }
    if (which == null) {
      throw new IllegalArgumentException("which: must be FINE or COARSE, got null");
    }
    Path base = resolveDir(dir, CIFAR100_ARCHIVE_DIR, CIFAR100_TEST_FILE);
    Path file = base.resolve(split == Split.TRAIN ? CIFAR100_TRAIN_FILE : CIFAR100_TEST_FILE);
    byte[] b = DataFiles.readAll(file);
    int recordBytes = 2 + PIXELS;
    int records = checkRecords(file, b, recordBytes,
        strictCounts ? (split == Split.TRAIN ? CIFAR100_TRAIN_RECORDS : RECORDS_PER_BATCH) : -1);
    byte[] pixels = new byte[records * PIXELS];
    int[] labels = new int[records];
    for (int r = 0; r < records; r++) {
      int off = r * recordBytes;
      int coarse = b[off] & 0xFF;
      int fine = b[off + 1] & 0xFF;
      if (coarse >= 20) {
        throw new DatasetFormatException(file, "coarse label " + coarse + " of record " + r
            + " is outside [0, 20)");
      }
      if (fine >= 100) {
        throw new DatasetFormatException(file, "fine label " + fine + " of record " + r
            + " is outside [0, 100)");
      }
      labels[r] = which == Cifar100Label.FINE ? fine : coarse;
      System.arraycopy(b, off + 2, pixels, r * PIXELS, PIXELS);
    }
    int numClasses = which == Cifar100Label.FINE ? 100 : 20;
    List<String> names = readNames(base.resolve(which == Cifar100Label.FINE ? "fine_label_names.txt"
        : "coarse_label_names.txt"), numClasses);
    if (names == null) {
      names = new ArrayList<>();
      for (int c = 0; c < numClasses; c++) {
        names.add((which == Cifar100Label.FINE ? "class_" : "superclass_") + c);
      }
    }
    String prefix = which == Cifar100Label.FINE ? "cifar100/" : "cifar100-coarse/";
    return new ImageDataset(prefix + split.id(), pixels, labels, names, 3, SIZE, SIZE);
  }

  private static Path resolveDir(Path dir, String archiveDir, String probeFile) {
    if (dir == null) {
      throw new IllegalArgumentException("dir: must not be null");
    }
    if (!Files.isDirectory(dir)) {
      throw new DatasetFormatException(dir, "no such directory");
    }
    if (!Files.exists(dir.resolve(probeFile)) && Files.isDirectory(dir.resolve(archiveDir))) {
      return dir.resolve(archiveDir);
    }
    return dir;
  }

  private static int checkRecords(Path file, byte[] b, int recordBytes, int expected) {
    if (b.length == 0) {
      throw new DatasetFormatException(file, "is empty");
    }
    if (b.length % recordBytes != 0) {
      throw new DatasetFormatException(file, "truncated or padded: " + b.length
          + " bytes is not a whole number of " + recordBytes + "-byte records ("
          + (b.length / recordBytes) + " records and " + (b.length % recordBytes) + " bytes)");
    }
    int records = b.length / recordBytes;
    if (expected > 0 && records != expected) {
      throw new DatasetFormatException(file, "holds " + records + " records, the official file holds "
          + expected);
    }
    return records;
  }

  /** Reads one class name per non-blank line; null if the file is absent; refuses a wrong count. */
  private static List<String> readNames(Path file, int expected) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    List<String> names = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          names.add(line.strip());
        }
      }
    } catch (IOException e) {
      throw new DatasetFormatException(file, "cannot be read: " + e.getMessage(), e);
    }
    if (names.size() != expected) {
      throw new DatasetFormatException(file, "names " + names.size() + " classes, expected " + expected);
    }
    return names;
  }
}

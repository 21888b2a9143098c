package dev.clce.bench.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A dataset named on the command line: {@code KIND[:DIR]}.
 *
 * <ul>
 *   <li>{@code fashion-mnist[:DIR]}: the four IDX files (default {@link FashionMnist#DEFAULT_DIR});
 *   <li>{@code cifar10:DIR}, {@code cifar100:DIR} (100 fine classes), {@code cifar100-coarse:DIR} (20
 *       super-classes): the binary versions, official record counts required;
 *   <li>{@code folder:DIR}: class-folder layout in {@code DIR/train} and {@code DIR/test} (or, without
 *       those, {@code DIR} itself as a training split only), RGB, all images the same size.
 * </ul>
 *
 * @param kind the dataset kind
 * @param dir the directory (never null; the default for Fashion-MNIST when none was given)
 */
public record DataSpec(Kind kind, Path dir) {

  /** The supported dataset kinds. */
  public enum Kind {
    /** Fashion-MNIST, IDX files. */
    FASHION_MNIST("fashion-mnist"),
    /** CIFAR-10, binary version. */
    CIFAR10("cifar10"),
    /** CIFAR-100 with its 100 fine labels, binary version. */
    CIFAR100("cifar100"),
    /** CIFAR-100 with its 20 coarse labels, binary version. */
    CIFAR100_COARSE("cifar100-coarse"),
    /** One sub-directory per class of PNG/JPEG images. */
    FOLDER("folder");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    /**
     * The name used on the command line.
     *
     * @return for example {@code fashion-mnist}
     */
    public String id() {
      return id;
    }
  }

  /** Name of the training sub-directory of a {@code folder:} dataset. */
  public static final String FOLDER_TRAIN = "train";
  /** Name of the test sub-directory of a {@code folder:} dataset. */
  public static final String FOLDER_TEST = "test";

  /**
   * Validates the fields.
   *
   * @param kind the dataset kind
   * @param dir the directory
   */
  public DataSpec {
    if (kind == null) {
      throw new IllegalArgumentException("kind: must not be null");
    }
    if (dir == null) {
      throw new IllegalArgumentException("dir: must not be null");
    }
  }

  /**
   * Parses {@code KIND[:DIR]}.
   *
   * @param text for example {@code fashion-mnist} or {@code cifar10:/data/cifar-10-batches-bin}
   * @return the spec
   * @throws IllegalArgumentException naming {@code data} if the kind is unknown or a directory is
   *     required and missing
   */
  public static DataSpec parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("data: must be KIND[:DIR] with KIND one of "
          + kindList() + ", got " + text);
    }
    int colon = text.indexOf(':');
    String kindText = (colon < 0 ? text : text.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
    String dirText = colon < 0 ? null : text.substring(colon + 1);
    Kind kind = null;
    for (Kind k : Kind.values()) {
      if (k.id.equals(kindText)) {
        kind = k;
      }
    }
    if (kind == null) {
      throw new IllegalArgumentException("data: unknown dataset '" + kindText + "' in '" + text
          + "': expected one of " + kindList() + " (as KIND[:DIR])");
    }
    if (dirText != null && dirText.isBlank()) {
      throw new IllegalArgumentException("data: empty directory after ':' in '" + text + "'");
    }
    if (dirText == null) {
      if (kind != Kind.FASHION_MNIST) {
        throw new IllegalArgumentException("data: " + kind.id + " needs a directory: " + kind.id
            + ":DIR, got '" + text + "'");
      }
      return new DataSpec(kind, FashionMnist.DEFAULT_DIR);
    }
    return new DataSpec(kind, Path.of(dirText));
  }

  private static String kindList() {
    return Arrays.stream(Kind.values()).map(Kind::id).toList().toString();
  }

  /**
   * Loads and validates one split.
   *
   * @param split the split
   * @return the dataset
   * @throws DatasetFormatException if the files are missing or damaged
   */
  public ImageDataset load(Split split) {
    if (split == null) {
      throw new IllegalArgumentException("split: must not be null");
    }
    return switch (kind) {
      case FASHION_MNIST -> FashionMnist.load(dir, split);
      case CIFAR10 -> CifarBinary.loadCifar10(dir, split, true);
      case CIFAR100 -> CifarBinary.loadCifar100(dir, split, CifarBinary.Cifar100Label.FINE, true);
      case CIFAR100_COARSE -> CifarBinary.loadCifar100(dir, split, CifarBinary.Cifar100Label.COARSE, true);
      case FOLDER -> loadFolder(split);
    };
  }

  /**
   * Whether a {@code folder:} dataset has a test split ({@code DIR/test}); true for the other kinds.
   *
   * @return whether {@link #load}{@code (TEST)} can succeed
   */
  public boolean hasTestSplit() {
    return kind != Kind.FOLDER || Files.isDirectory(dir.resolve(FOLDER_TEST));
  }

  private ImageDataset loadFolder(Split split) {
    Path train = dir.resolve(FOLDER_TRAIN);
    boolean layered = Files.isDirectory(train);
    if (split == Split.TRAIN) {
      return ImageFolder.load(layered ? train : dir, Kind.FOLDER.id + "/train", 3, 0, null);
    }
    Path test = dir.resolve(FOLDER_TEST);
    if (!layered || !Files.isDirectory(test)) {
      throw new DatasetFormatException(dir, "has no test split: expected sub-directories "
          + FOLDER_TRAIN + "/ and " + FOLDER_TEST + "/ each with one directory per class");
    }
    ImageDataset trainSet = ImageFolder.load(train, Kind.FOLDER.id + "/train", 3, 0, null);
    ImageDataset testSet = ImageFolder.load(test, Kind.FOLDER.id + "/test", 3, 0, trainSet.classNames());
    if (testSet.height() != trainSet.height() || testSet.width() != trainSet.width()) {
      throw new DatasetFormatException(test, "images are " + testSet.width() + "x" + testSet.height()
          + ", the training images " + trainSet.width() + "x" + trainSet.height());
    }
    return testSet;
  }

  /**
   * A description for run records ({@code final.json} and the like).
   *
   * @return {@code {"kind": ..., "dir": ...}}
   */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind.id);
    m.put("dir", dir.toString());
    return m;
  }

  /**
   * The command-line form, {@code KIND:DIR}.
   *
   * @return the text {@link #parse} reads back
   */
  @Override
  public String toString() {
    return kind.id + ":" + dir;
  }
}

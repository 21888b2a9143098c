package dev.clce.bench.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST (Xiao et al. 2017) from its four IDX files: 60,000 training and 10,000 test images of
 * 28x28 grey pixels in 10 classes. Any directory holding the four files under their standard names
 * ({@code train-images-idx3-ubyte} etc.), gzipped ({@code .gz}) or not, will do; the Debian package
 * {@code dataset-fashion-mnist} installs them under {@link #DEFAULT_DIR}.
 */
public final class FashionMnist {

  /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  /** How to install the data on Debian. */
  public static final String INSTALL_HINT = "apt-get install dataset-fashion-mnist";
  /** Image side in pixels. */
  public static final int SIZE = 28;
  /** The class names, indexed by label. */
  public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
      "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
  /** Base name of the training images file. */
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  /** Base name of the training labels file. */
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  /** Base name of the test images file. */
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  /** Base name of the test labels file. */
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
  /** Dataset name used in descriptions. */
  public static final String NAME = "fashion-mnist";

  private FashionMnist() {}

  /**
   * Finds a file by its standard base name, uncompressed or with {@code .gz}.
   *
   * @param dir the directory
   * @param baseName the standard name without {@code .gz}
   * @return the path, or null if neither exists
   */
  static Path find(Path dir, String baseName) {
    Path plain = dir.resolve(baseName);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = dir.resolve(baseName + ".gz");
    return Files.isRegularFile(gz) ? gz : null;
  }

  /**
   * The standard file names missing from a directory (empty when all four are there).
   *
   * @param dir the directory
   * @return the missing base names
   */
  public static List<String> missingFiles(Path dir) {
    List<String> missing = new ArrayList<>();
    for (String f : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
      if (find(dir, f) == null) {
        missing.add(f);
      }
    }
    return missing;
  }

  /**
   * Whether a directory holds all four files.
   *
   * @param dir the directory
   * @return true if Fashion-MNIST can be loaded from it
   */
  public static boolean isPresent(Path dir) {
    return Files.isDirectory(dir) && missingFiles(dir).isEmpty();
  }

  /**
   * Loads and validates one split.
   *
   * @param dir the directory with the IDX files
   * @param split which split
   * @return the dataset ({@code fashion-mnist/train} or {@code fashion-mnist/test})
   * @throws DatasetFormatException if a file is missing, corrupt, not 28x28, or the image and label
   *     counts disagree
   */
  public static ImageDataset load(Path dir, Split split) {
    if (split == null) {
      throw new IllegalArgumentException("split: must not be null");
    }
    List<String> missing = missingFiles(dir);
    if (!Files.isDirectory(dir) || !missing.isEmpty()) {
      throw new DatasetFormatException(dir, "Fashion-MNIST not found: "
          + (Files.isDirectory(dir) ? "missing " + String.join(", ", missing) + " (with or without .gz)"
              : "no such directory")
          + "; install it with `" + INSTALL_HINT + "` (files under " + DEFAULT_DIR
          + ") or pass fashion-mnist:DIR for a directory holding the four IDX files");
    }
    Path imagesFile = find(dir, split == Split.TRAIN ? TRAIN_IMAGES : TEST_IMAGES);
    Path labelsFile = find(dir, split == Split.TRAIN ? TRAIN_LABELS : TEST_LABELS);
    IdxFiles.Images images = IdxFiles.readImages(imagesFile);
    if (images.rows() != SIZE || images.cols() != SIZE) {
      throw new DatasetFormatException(imagesFile, "images are " + images.rows() + "x" + images.cols()
          + ", Fashion-MNIST's are " + SIZE + "x" + SIZE);
    }
    int[] labels = IdxFiles.readLabels(labelsFile, CLASS_NAMES.size());
    if (labels.length != images.count()) {
      throw new DatasetFormatException(labelsFile, "holds " + labels.length + " labels but "
          + imagesFile.getFileName() + " holds " + images.count() + " images");
    }
    return new ImageDataset(NAME + "/" + split.id(), images.pixels(), labels, CLASS_NAMES, 1, SIZE, SIZE);
  }
}

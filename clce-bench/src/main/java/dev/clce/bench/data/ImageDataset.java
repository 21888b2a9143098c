package dev.clce.bench.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An immutable in-memory image dataset: {@code N} images of {@code C x H x W} unsigned bytes stored
 * contiguously in NCHW order, one integer label per image in {@code [0, numClasses)}, and the class
 * names.
 *
 * <p>Every dataset also remembers, for each of its labels, the class id in the dataset it was derived
 * from ({@link #sourceClassIds()}), so that a subset of classes such as {@code 5,6,7,8,9} relabelled
 * to {@code 0..4} can still be reported in the original numbering.
 */
public final class ImageDataset {

  private final String name;
  private final byte[] pixels;
  private final int[] labels;
  private final List<String> classNames;
  private final int[] sourceClassIds;
  private final int channels;
  private final int height;
  private final int width;

  /**
   * Creates a dataset whose source class ids are {@code 0..numClasses-1}.
   *
   * @param name a short description (for example {@code fashion-mnist/train})
   * @param pixels the images, {@code N * channels * height * width} bytes in NCHW order (not copied)
   * @param labels one label per image (not copied)
   * @param classNames the class names; their count is the number of classes
   * @param channels channels per image (1 or 3)
   * @param height image height in pixels
   * @param width image width in pixels
   * @throws IllegalArgumentException if the sizes disagree or a label is out of range
   */
  public ImageDataset(String name, byte[] pixels, int[] labels, List<String> classNames,
      int channels, int height, int width) {
    this(name, pixels, labels, classNames, identity(classNames == null ? 0 : classNames.size()),
        channels, height, width);
  }

  private ImageDataset(String name, byte[] pixels, int[] labels, List<String> classNames,
      int[] sourceClassIds, int channels, int height, int width) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: must be a non-empty string, got " + name);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels: must be 1 or 3, got " + channels);
    }
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("height, width: must be > 0, got " + height + "x" + width);
    }
    if (classNames == null || classNames.isEmpty()) {
      throw new IllegalArgumentException("classNames: must name at least one class, got " + classNames);
    }
    if (labels == null || pixels == null) {
      throw new IllegalArgumentException("labels, pixels: must not be null");
    }
    long expected = (long) labels.length * channels * height * width;
    if (pixels.length != expected) {
      throw new IllegalArgumentException("pixels: expected " + expected + " bytes for " + labels.length
          + " images of " + channels + "x" + height + "x" + width + ", got " + pixels.length);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classNames.size()) {
        throw new IllegalArgumentException("labels: label " + labels[i] + " of image " + i
            + " is outside [0, " + classNames.size() + ")");
      }
    }
    this.name = name;
    this.pixels = pixels;
    this.labels = labels;
    this.classNames = Collections.unmodifiableList(new ArrayList<>(classNames));
    this.sourceClassIds = sourceClassIds;
    this.channels = channels;
    this.height = height;
    this.width = width;
  }

  private static int[] identity(int n) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i;
    }
    return ids;
  }

  /**
   * A short description of where the data came from (for example {@code fashion-mnist/train}).
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The number of images.
   *
   * @return N
   */
  public int size() {
    return labels.length;
  }

  /**
   * Channels per image.
   *
   * @return 1 (grey) or 3 (RGB)
   */
  public int channels() {
    return channels;
  }

  /**
   * Image height.
   *
   * @return H in pixels
   */
  public int height() {
    return height;
  }

  /**
   * Image width.
   *
   * @return W in pixels
   */
  public int width() {
    return width;
  }

  /**
   * Bytes per image.
   *
   * @return C * H * W
   */
  public int imageBytes() {
    return channels * height * width;
  }

  /**
   * The number of classes (the number of class names, whether or not each has images).
   *
   * @return the class count
   */
  public int numClasses() {
    return classNames.size();
  }

  /**
   * The class names, indexed by label.
   *
   * @return an unmodifiable list
   */
  public List<String> classNames() {
    return classNames;
  }

  /**
   * For each label of this dataset, the class id it had in the dataset this one was derived from
   * (the identity for a freshly loaded dataset).
   *
   * @return a copy of the mapping
   */
  public int[] sourceClassIds() {
    return sourceClassIds.clone();
  }

  /**
   * The label of one image.
   *
   * @param index image index in {@code [0, size())}
   * @return its label
   */
  public int label(int index) {
    return labels[index];
  }

  /**
   * All labels.
   *
   * @return a copy of the labels
   */
  public int[] labels() {
    return labels.clone();
  }

  /**
   * One pixel value.
   *
   * @param index image index
   * @param c channel
   * @param y row
   * @param x column
   * @return the value in {@code [0, 255]}
   */
  public int pixel(int index, int c, int y, int x) {
    return pixels[((index * channels + c) * height + y) * width + x] & 0xFF;
  }

  /**
   * Copies one image's bytes (C x H x W, NCHW order).
   *
   * @param index image index
   * @return a new array of {@link #imageBytes()} bytes
   */
  public byte[] image(int index) {
    if (index < 0 || index >= size()) {
      throw new IllegalArgumentException("index: must be in [0, " + size() + "), got " + index);
    }
    int n = imageBytes();
    return Arrays.copyOfRange(pixels, index * n, index * n + n);
  }

  /** The backing pixel array, for readers in this package that must not copy it. */
  byte[] rawPixels() {
    return pixels;
  }

  /**
   * The number of images of each class.
   *
   * @return counts indexed by label
   */
  public int[] countsPerClass() {
    int[] counts = new int[numClasses()];
    for (int label : labels) {
      counts[label]++;
    }
    return counts;
  }

  /**
   * The indices of the images of one class, in dataset order.
   *
   * @param label the class
   * @return the indices
   */
  public int[] indicesOfClass(int label) {
    if (label < 0 || label >= numClasses()) {
      throw new IllegalArgumentException("label: must be in [0, " + numClasses() + "), got " + label);
    }
    int count = 0;
    for (int l : labels) {
      if (l == label) {
        count++;
      }
    }
    int[] out = new int[count];
    int k = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == label) {
        out[k++] = i;
      }
    }
    return out;
  }

  /**
   * Keeps only the images of the given classes, relabelled {@code 0..k-1} in the order given (so
   * {@code select(5, 6, 7)} maps class 5 to label 0). Image order is preserved.
   *
   * @param classes distinct labels of this dataset
   * @return the subset
   * @throws IllegalArgumentException if a class is out of range or repeated, or the list is empty
   */
  public ImageDataset selectClasses(int... classes) {
    if (classes == null || classes.length == 0) {
      throw new IllegalArgumentException("classes: must list at least one class, got "
          + Arrays.toString(classes));
    }
    int[] newLabel = new int[numClasses()];
    Arrays.fill(newLabel, -1);
    List<String> names = new ArrayList<>();
    int[] source = new int[classes.length];
    for (int k = 0; k < classes.length; k++) {
      int c = classes[k];
      if (c < 0 || c >= numClasses()) {
        throw new IllegalArgumentException("classes: class " + c + " is outside [0, " + numClasses()
            + ") in " + Arrays.toString(classes));
      }
      if (newLabel[c] >= 0) {
        throw new IllegalArgumentException("classes: class " + c + " is listed twice in "
            + Arrays.toString(classes));
      }
      newLabel[c] = k;
      names.add(classNames.get(c));
      source[k] = sourceClassIds[c];
    }
    boolean[] keep = new boolean[size()];
    for (int i = 0; i < size(); i++) {
      keep[i] = newLabel[labels[i]] >= 0;
    }
    return subset(keep, newLabel, names, source, name + "[classes=" + joinInts(source) + "]");
  }

  /**
   * Keeps at most {@code max} images of each class: the first ones in dataset order (the official
   * files of Fashion-MNIST and CIFAR are already shuffled, so this is a fixed, seed-free subset).
   *
   * @param max the largest number of images kept per class, &gt; 0
   * @return the subset (labels unchanged)
   */
  public ImageDataset limitPerClass(int max) {
    if (max <= 0) {
      throw new IllegalArgumentException("max: must be > 0, got " + max);
    }
    int[] seen = new int[numClasses()];
    boolean[] keep = new boolean[size()];
    for (int i = 0; i < size(); i++) {
      keep[i] = seen[labels[i]]++ < max;
    }
    return subset(keep, identity(numClasses()), classNames, sourceClassIds,
        name + "[max_per_class=" + max + "]");
  }

  private ImageDataset subset(boolean[] keep, int[] newLabel, List<String> names, int[] source,
      String newName) {
    int count = 0;
    for (boolean k : keep) {
      if (k) {
        count++;
      }
    }
    int n = imageBytes();
    byte[] px = new byte[count * n];
    int[] lb = new int[count];
    int j = 0;
    for (int i = 0; i < size(); i++) {
      if (keep[i]) {
        System.arraycopy(pixels, i * n, px, j * n, n);
        lb[j] = newLabel[labels[i]];
        j++;
      }
    }
    return new ImageDataset(newName, px, lb, names, source, channels, height, width);
  }

  private static String joinInts(int[] values) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(values[i]);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return name + " (" + size() + " images, " + channels + "x" + height + "x" + width + ", "
        + numClasses() + " classes)";
  }
}

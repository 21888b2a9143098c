package dev.clce.bench.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Loads an image-folder layout: one sub-directory per class (class names sorted by their Java string
 * order, as torchvision's {@code ImageFolder} sorts them), holding PNG or JPEG files ({@code .png},
 * {@code .jpg}, {@code .jpeg}, any case; files are read in name order; hidden files and other
 * extensions are ignored). Images are decoded with {@code javax.imageio}.
 *
 * <p>All images must have the same size unless a target size is given, in which case each is resized
 * to it with bilinear interpolation. Grey images are replicated to RGB when 3 channels are asked
 * for; RGB images are converted to luminance (ITU-R 601: 0.299 R + 0.587 G + 0.114 B, as PIL's
 * {@code convert("L")}) when 1 channel is asked for.
 */
public final class ImageFolder {

  private ImageFolder() {}

  /**
   * Loads a directory in class-folder layout.
   *
   * @param dir the root directory (its sub-directories are the classes)
   * @param name the dataset name to record (for example {@code folder/train})
   * @param channels 1 (grey) or 3 (RGB)
   * @param size the output side (square) in pixels, or 0 to require that all images share one size
   * @param classNames the class list the sub-directories must match exactly (for a test split that
   *     must agree with its training split), or null to take the sub-directories found
   * @return the dataset
   * @throws DatasetFormatException if the directory has no class, a class has no image, an image
   *     cannot be decoded or the sizes differ
   */
  public static ImageDataset load(Path dir, String name, int channels, int size, List<String> classNames) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels: must be 1 or 3, got " + channels);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size: must be >= 0 (0 keeps the images' own size), got " + size);
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new DatasetFormatException(dir == null ? Path.of("null") : dir, "no such directory");
    }
    List<Path> classDirs = list(dir, Files::isDirectory);
    if (classDirs.isEmpty()) {
      throw new DatasetFormatException(dir, "has no class sub-directories (expected one directory per"
          + " class holding PNG/JPEG images)");
    }
    List<String> found = new ArrayList<>();
    for (Path c : classDirs) {
      found.add(c.getFileName().toString());
    }
    if (classNames != null && !classNames.equals(found)) {
      throw new DatasetFormatException(dir, "class directories " + found
          + " differ from the expected classes " + classNames);
    }
    List<Path> files = new ArrayList<>();
    List<Integer> labelList = new ArrayList<>();
    for (int c = 0; c < classDirs.size(); c++) {
      List<Path> images = list(classDirs.get(c), p -> Files.isRegularFile(p) && isImageName(p));
      if (images.isEmpty()) {
        throw new DatasetFormatException(classDirs.get(c), "class directory has no .png/.jpg/.jpeg image");
      }
      for (Path p : images) {
        files.add(p);
        labelList.add(c);
      }
    }
    int h = size;
    int w = size;
    byte[] pixels = null;
    int[] labels = new int[files.size()];
    int[] argb = null;
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      BufferedImage img = decode(file);
      if (h == 0) {
        h = img.getHeight();
        w = img.getWidth();
      }
      if (pixels == null) {
        long total = (long) files.size() * channels * h * w;
        if (total > DataFiles.MAX_BYTES) {
          throw new DatasetFormatException(dir, files.size() + " images of " + channels + "x" + h + "x" + w
              + " need " + total + " bytes, more than one array can hold; pass a smaller size");
        }
        pixels = new byte[(int) total];
        argb = new int[h * w];
      }
      if (img.getHeight() != h || img.getWidth() != w) {
        if (size == 0) {
          throw new DatasetFormatException(file, "is " + img.getWidth() + "x" + img.getHeight()
              + " (width x height) but " + files.get(0).getFileName() + " is " + w + "x" + h
              + "; pass an image size to resize them all");
        }
        img = resize(img, w, h);
      }
      readArgb(img, w, h, argb);
      int plane = h * w;
      int base = i * channels * plane;
      for (int p = 0; p < plane; p++) {
        int rgb = argb[p];
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        if (channels == 3) {
          pixels[base + p] = (byte) r;
          pixels[base + plane + p] = (byte) g;
          pixels[base + 2 * plane + p] = (byte) b;
        } else {
          pixels[base + p] = (byte) ((r * 299 + g * 587 + b * 114) / 1000);
        }
      }
      labels[i] = labelList.get(i);
    }
    return new ImageDataset(name, pixels, labels, found, channels, h, w);
  }

  /**
   * Reads packed RGB. Grey images are read from their raster: {@code getRGB} would pass them through
   * a linear-to-sRGB conversion and change the values.
   */
  private static void readArgb(BufferedImage img, int w, int h, int[] argb) {
    java.awt.image.Raster raster = img.getRaster();
    if (isGrey(img)) {
      int bits = img.getColorModel().getComponentSize(0);
      int max = (1 << bits) - 1;
      raster.getSamples(0, 0, w, h, 0, argb);
      for (int p = 0; p < argb.length; p++) {
        int v = bits == 8 ? argb[p] : (argb[p] * 255 + max / 2) / max;
        argb[p] = (v << 16) | (v << 8) | v;
      }
      return;
    }
    img.getRGB(0, 0, w, h, argb, 0, w);
  }

  private static boolean isGrey(BufferedImage img) {
    java.awt.image.ColorModel cm = img.getColorModel();
    return img.getRaster().getNumBands() == 1 && !(cm instanceof java.awt.image.IndexColorModel)
        && cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
  }

  private static boolean isImageName(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
  }

  private static List<Path> list(Path dir, java.util.function.Predicate<Path> filter) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).filter(filter).sorted(
          (a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new DatasetFormatException(dir, "cannot be listed: " + e.getMessage(), e);
    }
  }

  /**
   * The largest image accepted, in pixels (8192 x 8192): the decoder allocates what the file's header
   * declares, which a small file can set to billions of pixels.
   */
  static final long MAX_PIXELS = 1L << 26;

  private static BufferedImage decode(Path file) {
    BufferedImage img;
    try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      java.util.Iterator<javax.imageio.ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new DatasetFormatException(file, "is not a readable PNG/JPEG image");
      }
      javax.imageio.ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w <= 0 || h <= 0 || w * h > MAX_PIXELS) {
          throw new DatasetFormatException(file, "declares " + w + "x" + h + " pixels (width x height); at most "
              + MAX_PIXELS + " pixels and at least 1 are accepted");
        }
        img = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof DatasetFormatException d) {
        throw d;
      }
      throw new DatasetFormatException(file, "cannot be decoded as PNG/JPEG: " + e.getMessage(), e);
    }
    if (img == null) {
      throw new DatasetFormatException(file, "is not a readable PNG/JPEG image");
    }
    return img;
  }

  private static BufferedImage resize(BufferedImage img, int w, int h) {
    BufferedImage out = new BufferedImage(w, h,
        isGrey(img) ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(img, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }
}

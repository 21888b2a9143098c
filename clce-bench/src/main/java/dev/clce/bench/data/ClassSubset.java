package dev.clce.bench.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which part of a dataset to use: a subset of classes (relabelled {@code 0..k-1} in the order given)
 * and a limit on images per class. Recorded with a run through {@link #describe()}.
 *
 * <p>For few-shot work the training run uses the base classes and the episodes draw from the novel
 * classes; {@link #complement} gives one from the other.
 *
 * @param classes the class ids to keep, in order (null or empty: all classes, labels unchanged)
 * @param maxPerClass the largest number of images kept per class (0: no limit); the first ones in
 *     dataset order
 */
public record ClassSubset(List<Integer> classes, int maxPerClass) {

  /** All classes, all images. */
  public static final ClassSubset ALL = new ClassSubset(null, 0);

  /**
   * Validates the fields.
   *
   * @param classes the class ids to keep, in order (null or empty: all)
   * @param maxPerClass the per-class limit (0: none)
   */
  public ClassSubset {
    if (maxPerClass < 0) {
      throw new IllegalArgumentException("maxPerClass: must be >= 0 (0 = no limit), got " + maxPerClass);
    }
    if (classes != null) {
      Set<Integer> seen = new HashSet<>();
      for (Integer c : classes) {
        if (c == null || c < 0) {
          throw new IllegalArgumentException("classes: must be class ids >= 0, got " + classes);
        }
        if (!seen.add(c)) {
          throw new IllegalArgumentException("classes: class " + c + " is listed twice in " + classes);
        }
      }
      classes = classes.isEmpty() ? null : List.copyOf(classes);
    }
  }

  /**
   * Parses a class list such as {@code 0,1,2,3,4}, {@code 0-4} or {@code 0-2,7,9}.
   *
   * @param text the list
   * @return the class ids in order
   * @throws IllegalArgumentException naming {@code classes} for malformed input
   */
  public static List<Integer> parseClasses(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("classes: must be a list such as 0,1,2 or 0-4, got '" + text + "'");
    }
    List<Integer> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.strip();
      try {
        int dash = p.indexOf('-', 1);
        if (dash > 0) {
          int lo = Integer.parseInt(p.substring(0, dash).strip());
          int hi = Integer.parseInt(p.substring(dash + 1).strip());
          if (lo > hi) {
            throw new IllegalArgumentException("classes: range " + p + " is empty in '" + text + "'");
          }
          for (int c = lo; c <= hi; c++) {
            out.add(c);
          }
        } else {
          out.add(Integer.parseInt(p));
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("classes: '" + p + "' is not a class id or range in '"
            + text + "'", e);
      }
    }
    new ClassSubset(out, 0);
    return out;
  }

  /**
   * The classes of {@code 0..numClasses-1} not in a list, in increasing order (the novel classes of a
   * base split, or the other way round).
   *
   * @param classes the classes to leave out
   * @param numClasses the total number of classes
   * @return the complement
   */
  public static List<Integer> complement(List<Integer> classes, int numClasses) {
    if (numClasses <= 0) {
      throw new IllegalArgumentException("numClasses: must be > 0, got " + numClasses);
    }
    Set<Integer> leave = new HashSet<>(classes == null ? List.of() : classes);
    List<Integer> out = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      if (!leave.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Applies the subset to a dataset.
   *
   * @param dataset the full dataset
   * @return the selected classes (relabelled in the listed order) with at most {@code maxPerClass}
   *     images each
   * @throws IllegalArgumentException naming {@code classes} if a class is outside the dataset's range
   */
  public ImageDataset apply(ImageDataset dataset) {
    ImageDataset out = dataset;
    if (classes != null) {
      int[] ids = classes.stream().mapToInt(Integer::intValue).toArray();
      out = out.selectClasses(ids);
    }
    if (maxPerClass > 0) {
      out = out.limitPerClass(maxPerClass);
    }
    return out;
  }

  /**
   * A description for run records.
   *
   * @return {@code {"classes": [...] or "all", "max_per_class": n or "all"}}
   */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("classes", classes == null ? "all" : classes);
    m.put("max_per_class", maxPerClass == 0 ? "all" : maxPerClass);
    return m;
  }
}

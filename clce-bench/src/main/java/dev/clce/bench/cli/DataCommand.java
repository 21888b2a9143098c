package dev.clce.bench.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.bench.data.ClassSubset;
import dev.clce.bench.data.DataSpec;
import dev.clce.bench.data.DatasetFormatException;
import dev.clce.bench.data.FashionMnist;
import dev.clce.bench.data.ImageDataset;
import dev.clce.bench.data.Split;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./clce data --data KIND[:DIR] [--classes LIST] [--max-per-class N] [--json]}: loads and
 * validates every split of a dataset and prints a summary (images per split and per class, class
 * names, image size), optionally of a class subset. A missing or damaged
 * dataset exits with code 2 and one line saying what is wrong (for a missing Fashion-MNIST, how to
 * install it).
 */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Validate a dataset and summarise it: images per split and per class, classes, image size.")
public final class DataCommand implements Callable<Integer> {

  /** JSON key: the dataset as given on the command line (normalised). */
  static final String KEY_DATA = "data";
  /** JSON key: the splits. */
  static final String KEY_SPLITS = "splits";
  /** JSON key: image count of a split. */
  static final String KEY_IMAGES = "images";
  /** JSON key: images per class of a split. */
  static final String KEY_PER_CLASS = "per_class";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin DatasetMixin dataset = new DatasetMixin();

  @Option(names = "--max-per-class", paramLabel = "N", defaultValue = "0",
      description = "Keep at most N images of each class in each split, the first in file order (0: all).")
  int maxPerClass;

  @Option(names = "--json", description = "Print the summary as JSON.")
  boolean json;

  @Override
  public Integer call() {
    DataSpec dataSpec = dataset.parsedSpec();
    if (maxPerClass < 0) {
      throw new IllegalArgumentException("max-per-class: must be >= 0 (0 = all), got " + maxPerClass);
    }
    ClassSubset subset = new ClassSubset(dataset.classes(), maxPerClass);
    if (dataSpec.kind() == DataSpec.Kind.FASHION_MNIST && !FashionMnist.isPresent(dataSpec.dir())) {
      throw new IllegalArgumentException("data: Fashion-MNIST not found in " + dataSpec.dir()
          + (java.nio.file.Files.isDirectory(dataSpec.dir())
              ? " (missing " + String.join(", ", FashionMnist.missingFiles(dataSpec.dir())) + ", with or without .gz)"
              : " (no such directory)")
          + ": install it with `" + FashionMnist.INSTALL_HINT + "` or pass fashion-mnist:DIR");
    }
    Map<String, Object> summary = summarise(dataSpec, subset);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      try {
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      printText(out, summary);
    }
    out.flush();
    return 0;
  }

  /**
   * Loads every split and describes it.
   *
   * @param dataSpec the dataset
   * @param subset the classes and per-class limit to apply to every split
   * @return the summary, ordered for printing
   * @throws IllegalArgumentException naming {@code data} if a file is missing or damaged
   */
  static Map<String, Object> summarise(DataSpec dataSpec, ClassSubset subset) {
    List<ImageDataset> splits = new ArrayList<>();
    try {
      splits.add(subset.apply(dataSpec.load(Split.TRAIN)));
      if (dataSpec.hasTestSplit()) {
        splits.add(subset.apply(dataSpec.load(Split.TEST)));
      }
    } catch (DatasetFormatException e) {
      throw new IllegalArgumentException("data: " + e.getMessage(), e);
    }
    ImageDataset first = splits.get(0);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(KEY_DATA, dataSpec.toString());
    m.putAll(dataSpec.describe());
    m.put("channels", first.channels());
    m.put("height", first.height());
    m.put("width", first.width());
    m.put("subset", subset.describe());
    m.put("source_classes", first.sourceClassIds());
    m.put("classes", first.classNames());
    Map<String, Object> splitMap = new LinkedHashMap<>();
    Split[] order = Split.values();
    for (int s = 0; s < splits.size(); s++) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put(KEY_IMAGES, splits.get(s).size());
      one.put(KEY_PER_CLASS, splits.get(s).countsPerClass());
      splitMap.put(order[s].id(), one);
    }
    m.put(KEY_SPLITS, splitMap);
    return m;
  }

  @SuppressWarnings("unchecked")
  private static void printText(PrintWriter out, Map<String, Object> s) {
    out.printf("dataset  %s (%s)%n", s.get("kind"), s.get("dir"));
    out.printf("images   %s x %s x %s (channels x height x width), 8-bit%n", s.get("channels"),
        s.get("height"), s.get("width"));
    List<String> classes = (List<String>) s.get("classes");
    StringBuilder names = new StringBuilder();
    for (int c = 0; c < classes.size(); c++) {
      names.append(c == 0 ? "" : ", ").append(c).append(' ').append(classes.get(c));
    }
    out.printf("classes  %d: %s%n", classes.size(), names);
    Map<String, Object> subset = (Map<String, Object>) s.get("subset");
    if (!"all".equals(subset.get("classes")) || !"all".equals(subset.get("max_per_class"))) {
      out.printf("subset   classes %s (labels 0..%d in this order), at most %s images per class%n",
          subset.get("classes"), classes.size() - 1, subset.get("max_per_class"));
    }
    Map<String, Object> splits = (Map<String, Object>) s.get(KEY_SPLITS);
    for (Map.Entry<String, Object> e : splits.entrySet()) {
      Map<String, Object> one = (Map<String, Object>) e.getValue();
      int[] per = (int[]) one.get(KEY_PER_CLASS);
      StringBuilder counts = new StringBuilder();
      for (int c = 0; c < per.length; c++) {
        counts.append(c == 0 ? "" : " ").append(per[c]);
      }
      out.printf("%-8s %d images; per class: %s%n", e.getKey(), one.get(KEY_IMAGES), counts);
    }
    if (!splits.containsKey(Split.TEST.id())) {
      out.println("test     (none: no test/ sub-directory)");
    }
  }
}

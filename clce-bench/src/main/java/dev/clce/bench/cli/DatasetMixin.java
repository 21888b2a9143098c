package dev.clce.bench.cli;

import dev.clce.bench.data.ClassSubset;
import dev.clce.bench.data.DataSpec;
import java.nio.file.Files;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --data KIND[:DIR]} and {@code --classes LIST}: which dataset and which of its classes, for
 * every command that reads images (train, eval, fewshot, data). {@code --classes} is always a class
 * list (commands without data take a class count as {@code --num-classes N}).
 */
public final class DatasetMixin {

  @Option(names = "--data", paramLabel = "KIND[:DIR]",
      description = "fashion-mnist[:DIR], cifar10:DIR, cifar100:DIR or folder:DIR (eval, fewshot: default the run's)")
  String data;

  @Option(names = "--classes", paramLabel = "LIST",
      description = "a list of class indices, e.g. 0,1,2,3,4 or 0-4 (default: all; eval: the run's; fewshot: the "
          + "classes the run did not train on)")
  String classes;

  /**
   * @return the dataset, or null when {@code --data} is not given
   * @throws IllegalArgumentException naming {@code data} when its directory does not exist
   */
  DataSpec spec() {
    if (data == null) {
      return null;
    }
    DataSpec s = DataSpec.parse(data);
    if (!Files.isDirectory(s.dir())) {
      throw new IllegalArgumentException("data: directory " + s.dir() + " does not exist");
    }
    return s;
  }

  /**
   * @return the dataset as given, its directory not checked (a command with a better message checks it)
   * @throws IllegalArgumentException naming {@code data} when it is not given or does not parse
   */
  DataSpec parsedSpec() {
    if (data == null) {
      throw new IllegalArgumentException("data: --data KIND[:DIR] is required");
    }
    return DataSpec.parse(data);
  }

  /**
   * @return the dataset
   * @throws IllegalArgumentException naming {@code data} when it is not given or its directory is missing
   */
  DataSpec requiredSpec() {
    if (data == null) {
      throw new IllegalArgumentException("data: --data KIND[:DIR] is required");
    }
    return spec();
  }

  /** @return the class list, or null when {@code --classes} is not given */
  List<Integer> classes() {
    return classes == null ? null : ClassSubset.parseClasses(classes);
  }
}

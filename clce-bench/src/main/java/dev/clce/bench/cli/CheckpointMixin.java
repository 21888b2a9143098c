package dev.clce.bench.cli;

import dev.clce.bench.data.DataSpec;
import dev.clce.bench.data.ImageDataset;
import dev.clce.bench.train.TrainConfig;
import dev.clce.bench.train.TrainedModel;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The prologue that every command reading a trained checkpoint shares (eval, fewshot):
 * {@code --checkpoint DIR|FILE} with {@code --data} and {@code --classes} that default to the run's,
 * checked before the model is loaded.
 */
public final class CheckpointMixin {

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR|FILE",
      description = "run directory (its newest checkpoint) or checkpoint file")
  Path checkpoint;

  @Mixin DatasetMixin dataset = new DatasetMixin();

  /**
   * A loaded checkpoint and the data to run it on.
   *
   * @param trained the model in inference mode and the run's configuration
   * @param data {@code --data}, else the run's dataset
   * @param classes {@code --classes}, or null when not given
   */
  record Loaded(TrainedModel trained, DataSpec data, List<Integer> classes) {

    /** @return the run's resolved configuration */
    TrainConfig run() {
      return trained.config();
    }

    /**
     * @param images images the model is about to see
     * @throws IllegalArgumentException naming {@code data} when their channels differ from the run's
     */
    void checkChannels(ImageDataset images) {
      int c = run().data().channels();
      if (images.channels() != c) {
        throw new IllegalArgumentException("data: the model takes " + c + "-channel images, " + data + " has "
            + images.channels());
      }
    }
  }

  /**
   * Checks {@code --data} and {@code --classes}, then loads the checkpoint.
   *
   * @return the model and the data to use
   * @throws IllegalArgumentException naming the bad option (a bad checkpoint names {@code checkpoint})
   */
  Loaded load() {
    DataSpec given = dataset.spec();
    List<Integer> classes = dataset.classes();
    TrainedModel tm = TrainedModel.load(checkpoint);
    return new Loaded(tm, given != null ? given : tm.config().data().spec(), classes);
  }
}

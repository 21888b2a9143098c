package dev.clce.bench.train;

import dev.clce.bench.data.AugmentConfig;
import dev.clce.models.EncoderModel;
import java.nio.file.Path;

/**
 * A model rebuilt from a checkpoint for inference (evaluation, few-shot episodes): the architecture
 * and options from the checkpoint's configuration, the weights and BatchNorm statistics from its
 * tensors, in inference mode.
 *
 * @param model the model, in inference mode
 * @param config the run's (resolved) configuration
 * @param checkpoint the file read
 * @param step the checkpoint's completed steps
 * @param numClasses the classifier's number of classes
 */
public record TrainedModel(EncoderModel model, TrainConfig config, Path checkpoint, long step, int numClasses) {

  /** Header key of the classifier's number of classes. */
  static final String KEY_CLASSES = "classes";

  /**
   * Loads a checkpoint.
   *
   * @param fileOrDir a checkpoint file, or a run directory (its newest checkpoint)
   * @return the model
   * @throws CheckpointException when the checkpoint is missing, damaged or does not fit
   */
  public static TrainedModel load(Path fileOrDir) {
    Path file = Checkpoint.resolve(fileOrDir);
    Checkpoint ckpt = Checkpoint.read(file);
    try {
      TrainConfig config = ckpt.config();
      if (!config.data().isResolved()) {
        throw new CheckpointException(file + ": the configuration lacks image size, channels or normalisation");
      }
      Object classes = ckpt.header().get(KEY_CLASSES);
      if (!(classes instanceof Number n) || n.intValue() < 1) {
        throw new CheckpointException(file + ": header has no class count");
      }
      EncoderModel model = config.arch().create(config.modelOptions(n.intValue()));
      Trainer.loadModel(model, ckpt);
      model.setTraining(false);
      return new TrainedModel(model, config, file, ckpt.step(), n.intValue());
    } finally {
      ckpt.release();
    }
  }

  /** @return the evaluation preprocessing of the run (resize to the input size, the run's normalisation) */
  public AugmentConfig augment() {
    return RunData.augmentFor(config);
  }
}

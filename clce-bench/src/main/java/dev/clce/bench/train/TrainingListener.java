package dev.clce.bench.train;

/**
 * Something that follows a training session: the metrics log, the end-of-epoch evaluation, the
 * checkpoints, the progress display and the native-memory guard are all listeners of the
 * {@link Trainer}, whose loop only runs the steps. Every method has an empty default; listeners are
 * called in the order they were added.
 */
public interface TrainingListener {

  /**
   * A session starts (fresh, or resumed at {@link Trainer#step()}).
   *
   * @param trainer the trainer
   * @param resumedFrom the checkpoint it resumed from, or null for a fresh run
   */
  default void onStart(Trainer trainer, Checkpoint resumedFrom) {}

  /**
   * A step is done (its arrays are closed, the parameters updated).
   *
   * @param trainer the trainer ({@link Trainer#step()} counts this step)
   * @param step what the step measured
   */
  default void onStep(Trainer trainer, StepEvent step) {}

  /**
   * The last step of an epoch is done; an evaluating listener calls {@link Trainer#evaluate(long, double)} here.
   *
   * @param trainer the trainer
   * @param epoch the epoch that ended (from 0)
   * @param trainLossMean the mean loss of its steps run in this session
   */
  default void onEpochEnd(Trainer trainer, long epoch, double trainLossMean) {}

  /**
   * {@link Trainer#evaluate(long, double)} has scored the model at the end of an epoch.
   *
   * @param trainer the trainer
   * @param epoch the epoch (from 0)
   * @param trainLossMean the mean loss of its steps run in this session
   * @param scores the scores
   */
  default void onEvaluation(Trainer trainer, long epoch, double trainLossMean, ModelEvaluator.Scores scores) {}

  /**
   * The last step of the run is done, before the final evaluation (the last checkpoint is written here).
   *
   * @param trainer the trainer
   */
  default void onLastStep(Trainer trainer) {}

  /**
   * The run is finished and evaluated.
   *
   * @param trainer the trainer
   * @param result the result ({@code final.json})
   */
  default void onResult(Trainer trainer, TrainResult result) {}

  /**
   * The session ends, finished or stopped early; release what {@link #onStart} opened.
   *
   * @param trainer the trainer
   */
  default void onStop(Trainer trainer) {}

  /**
   * What one step measured.
   *
   * @param step completed steps, this one included
   * @param epoch the epoch of the step (from 0)
   * @param loss the step's loss
   * @param lr the step's learning rate
   * @param imagesPerSecond throughput (without the first step of the session, which builds the graph)
   * @param secondsPerStep mean seconds per step in the same way (NaN after the first)
   * @param sessionSeconds seconds since the session started
   */
  record StepEvent(long step, long epoch, double loss, double lr, double imagesPerSecond, double secondsPerStep,
      double sessionSeconds) {}
}

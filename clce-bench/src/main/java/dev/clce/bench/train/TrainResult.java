package dev.clce.bench.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a training session produced; written as {@code final.json} (by {@link TrainJson}) when the
 * run is {@link #finished()}, and read back as this record (never by key).
 *
 * @param finished whether the run reached its last step (false after a stop requested by a test)
 * @param steps completed steps
 * @param epochs completed epochs (fractional when the length is in steps)
 * @param seed the run's seed
 * @param testTop1 top-1 of the classification head on the test subset (NaN when not finished)
 * @param nearestCentroidTop1 top-1 of nearest centroid on L2-normalised embeddings, centroids from the
 *     training subset (NaN when not finished)
 * @param testImages test images scored (0 when not finished)
 * @param weightsSha256 SHA-256 over every parameter and buffer in state-dict order, little-endian
 * @param lastLoss the loss of the last step run in this session (NaN if none ran)
 * @param trainImages images in the training subset
 * @param classes classes of the classifier
 * @param checkpoint file name of the newest checkpoint written in the run directory (null if none)
 * @param resumedFromStep the step this session resumed from (null for a fresh run)
 * @param config the resolved configuration
 * @param clceVersion the clce build that ran
 * @param nd4jBuild the ND4J native build that ran (backend, classifier), so CPU and CUDA results are told apart
 */
public record TrainResult(boolean finished, long steps, double epochs, long seed, double testTop1,
    double nearestCentroidTop1, int testImages, String weightsSha256, @JsonProperty("final_loss") double lastLoss,
    int trainImages, int classes, String checkpoint, Long resumedFromStep, TrainConfig config,
    String clceVersion, String nd4jBuild) {

  /** @return the final scores (NaN when not finished) */
  public ModelEvaluator.Scores scores() {
    return new ModelEvaluator.Scores(testTop1, nearestCentroidTop1, testImages);
  }
}

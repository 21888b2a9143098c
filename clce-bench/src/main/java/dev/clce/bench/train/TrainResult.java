package dev.clce.bench.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a finished (or deliberately stopped) training session produced; the fields of
 * {@code final.json} when {@link #finished()}.
 *
 * @param finished whether the run reached its last step (false after a stop requested by a test)
 * @param steps completed steps
 * @param lastLoss the loss of the last step run in this session (NaN if none ran)
 * @param weightsSha256 SHA-256 over every parameter and buffer in state-dict order, little-endian
 * @param scores the final evaluation (null when not finished)
 * @param checkpoint the newest checkpoint written (null if none)
 * @param summary the content of {@code final.json} (empty when not finished)
 */
public record TrainResult(boolean finished, long steps, double lastLoss, String weightsSha256,
    ModelEvaluator.Scores scores, Path checkpoint, Map<String, Object> summary) {}

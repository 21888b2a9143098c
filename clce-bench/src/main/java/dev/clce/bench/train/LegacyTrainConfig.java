package dev.clce.bench.train;

import dev.clce.bench.data.DataSpec;
import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.Stem;
import java.util.List;

/**
 * The flat configuration that clce wrote up to commit 051f51b (in {@code config.json}, in
 * {@code final.json} and in every checkpoint header), read by Jackson and converted to the parts, so
 * that older run directories still evaluate and resume. Every key is required: a file missing one is
 * refused naming it.
 */
record LegacyTrainConfig(DataSpec data, List<Integer> classes, int trainPerClass, int testPerClass, Arch arch,
    int imageSize, int channels, Stem stem, double width, boolean projectionHead, int projectionDim,
    int maxBlocksPerStage, LossKind loss, double tau, double lambda, double beta, Aggregation aggregation,
    boolean detachWeights, int batch, long steps, int epochs, long seed, OptimizerKind optimizer, double lr,
    double momentum, double weightDecay, long warmupSteps, Sampler sampler, double cropScaleMin, List<Double> normMean,
    List<Double> normStd, long checkpointEvery, int keepCheckpoints, int logEvery, int progressEvery, int evalBatch) {

  /** @return the same run as a configuration of parts */
  TrainConfig toConfig() {
    DataConfig d = new DataConfig(data, classes, trainPerClass, testPerClass, imageSize, channels, normMean, normStd,
        sampler, cropScaleMin);
    ModelOptions m = ModelOptions.builder().optStem(stem).optWidth(width).optProjectionHead(projectionHead)
        .optProjectionDim(projectionDim).optMaxBlocksPerStage(maxBlocksPerStage).build();
    LossConfig l = LossConfig.builder(loss).optTau(tau).optLambda(lambda).optBeta(beta).optAggregation(aggregation)
        .optDetachWeights(detachWeights).build();
    // "Off" was spelt 1,000,000 steps then: it means no step records and no progress now.
    RunPolicy r = new RunPolicy(checkpointEvery, keepCheckpoints, logEvery >= 1_000_000 ? 0 : logEvery,
        progressEvery >= 1_000_000 ? 0 : progressEvery, evalBatch);
    return new TrainConfig(d, arch, m, l, new OptimizerConfig(optimizer, lr, momentum, weightDecay, warmupSteps),
        new Budget(batch, steps, epochs, 0), seed, r);
  }
}

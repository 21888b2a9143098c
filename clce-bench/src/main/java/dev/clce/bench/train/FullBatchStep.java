package dev.clce.bench.train;

import dev.clce.bench.data.TwoViewBatch;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelNames;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The plain step: one SameDiff pass over all 2B views gives the loss, the BatchNorm batch statistics
 * and the gradients of every parameter; the running statistics and then the parameters are updated.
 * Per-step arrays are closed after use.
 */
final class FullBatchStep implements TrainStep {
  private final EncoderModel model;
  private final SameDiff sd;
  private final Optimizer optimizer;
  private final List<String> outputs;
  private final List<String> parameters;

  /**
   * @param model the model, with the loss variable {@link TrainNames#LOSS} and labels placeholder added
   * @param optimizer the optimiser of its parameters
   */
  FullBatchStep(EncoderModel model, Optimizer optimizer) {
    this.model = model;
    this.sd = model.sameDiff();
    this.optimizer = optimizer;
    this.parameters = model.parameterNames();
    List<String> out = new java.util.ArrayList<>();
    out.add(TrainNames.LOSS);
    out.addAll(model.batchNormStatistics().outputNames());
    this.outputs = List.copyOf(out);
  }

  @Override
  public double run(TwoViewBatch batch, long globalStep, int epoch) {
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(ModelNames.INPUT, batch.features());
    ph.put(TrainNames.LABELS, batch.labels());
    OutAndGrad og = sd.calculateGradientsAndOutputs(ph, outputs, parameters);
    Map<String, INDArray> outs = og.getOutputs();
    double loss = outs.get(TrainNames.LOSS).getDouble(0);
    try {
      FiniteCheck.check(globalStep + 1, loss, og.getGradients(), parameters);
    } catch (NonFiniteException e) {
      closeAll(outs);
      closeAll(og.getGradients());
      batch.features().close();
      batch.labels().close();
      throw e;
    }
    model.batchNormStatistics().update(outs, batch.features().size(0));
    optimizer.step(sd, og.getGradients(), globalStep, epoch);
    closeAll(outs);
    closeAll(og.getGradients());
    batch.features().close();
    batch.labels().close();
    return loss;
  }

  static void closeAll(Map<String, INDArray> arrays) {
    for (INDArray a : arrays.values()) {
      if (a != null && !a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
  }
}

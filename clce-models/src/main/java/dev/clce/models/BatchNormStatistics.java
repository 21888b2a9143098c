package dev.clce.models;

import dev.clce.models.layers.BatchNorm2d;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Keeps the running statistics of a model's BatchNorm layers up to date, as PyTorch does after each
 * training forward pass: {@code running = (1 - momentum) running + momentum batch}, with the
 * unbiased batch variance ({@code n / (n - 1)} times the biased one, {@code n = N H W}) for the
 * running variance, and {@code num_batches_tracked += 1}.
 *
 * <p>Four ways to use it, all through {@link #update(Map, long)}:
 * <ul>
 *   <li>{@code sd.fit(...)}: add {@link #listener()} to the graph's listeners; it reads the batch
 *       statistics of each training iteration as they are computed. While the model is in inference
 *       mode ({@code setTraining(false)}, e.g. fine-tuning with frozen statistics) it changes
 *       nothing, as PyTorch's {@code eval()}.</li>
 *   <li>A hand-written loop with {@code sd.calculateGradientsAndOutputs(ph, outputs, grads)}: add
 *       {@link #outputNames()} to the outputs, then call {@link #update(Map, long)} with them.</li>
 *   <li>{@link #updateFromForward(Map)}: one extra forward pass in training mode.</li>
 * </ul>
 * Nothing happens for a model without BatchNorm (ViT).
 */
public final class BatchNormStatistics {
  private final SameDiff sd;
  private final List<BatchNorm2d> layers;

  BatchNormStatistics(SameDiff sd, List<BatchNorm2d> layers) {
    this.sd = sd;
    this.layers = List.copyOf(layers);
  }

  /** @return the BatchNorm layers, in graph order */
  public List<BatchNorm2d> layers() {
    return layers;
  }

  /** @return names of the graph variables holding each layer's batch mean and biased batch variance */
  public List<String> outputNames() {
    List<String> names = new ArrayList<>(2 * layers.size());
    for (BatchNorm2d bn : layers) {
      names.add(bn.batchMeanName());
      names.add(bn.batchVarName());
    }
    return Collections.unmodifiableList(names);
  }

  /**
   * Applies one training step's batch statistics to the running statistics.
   *
   * @param batchStats arrays for every name of {@link #outputNames()} (other entries are ignored)
   * @param batchSize number of examples N of the step, &gt;= 1, with {@code N H W >= 2} for every layer
   * @throws IllegalArgumentException when a statistic is missing or the batch is too small, before
   *     any running statistic changes
   */
  public void update(Map<String, INDArray> batchStats, long batchSize) {
    if (batchStats == null) {
      throw new IllegalArgumentException("batchStats: must not be null");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize: must be >= 1, got " + batchSize);
    }
    for (BatchNorm2d bn : layers) {
      for (String n : List.of(bn.batchMeanName(), bn.batchVarName())) {
        INDArray a = batchStats.get(n);
        if (a == null || a.length() != bn.channels()) {
          throw new IllegalArgumentException("batchStats: needs " + n + " with " + bn.channels() + " values, got "
              + (a == null ? "none" : java.util.Arrays.toString(a.shape())));
        }
      }
      long n = batchSize * bn.valuesPerExample();
      if (n < 2) {
        throw new IllegalArgumentException("batchSize: BatchNorm " + bn.name() + " needs more than 1 value per channel, got "
            + n + " (batchSize " + batchSize + ")");
      }
    }
    double m = BatchNorm2d.MOMENTUM;
    for (BatchNorm2d bn : layers) {
      long n = batchSize * bn.valuesPerExample();
      INDArray rm = sd.getArrForVarName(bn.runningMeanName());
      INDArray rv = sd.getArrForVarName(bn.runningVarName());
      INDArray bm = batchStats.get(bn.batchMeanName()).reshape(rm.shape()).castTo(rm.dataType());
      INDArray bv = batchStats.get(bn.batchVarName()).reshape(rv.shape()).castTo(rv.dataType());
      rm.muli(1 - m).addi(bm.mul(m));
      rv.muli(1 - m).addi(bv.mul(m * n / (double) (n - 1)));
      INDArray count = sd.getArrForVarName(bn.numBatchesTrackedName());
      count.assign(count.getLong(0) + 1);
    }
  }

  /**
   * Applies the statistics of a batch that was run forward in chunks, once: the chunks' means and
   * biased variances are pooled into those of the whole batch (mean of the means weighted by size;
   * mean of {@code var_c + (mean_c - mean)^2}, in double), and the running statistics are updated
   * from them as by {@link #update(Map, long)} with the whole batch's size. Each chunk was
   * normalised with its own statistics, but the running statistics, and
   * {@code num_batches_tracked}, change as after one step on the whole batch: one update per
   * optimiser step, not one per chunk (which would weigh the last chunks of a step most).
   *
   * @param chunkStats each chunk's arrays for every name of {@link #outputNames()}
   * @param chunkSizes each chunk's number of examples, &gt;= 1, in the same order
   * @throws IllegalArgumentException when the lists differ in length or are empty, a statistic is
   *     missing, or the batch is too small, before any running statistic changes
   */
  public void updatePooled(List<Map<String, INDArray>> chunkStats, List<Long> chunkSizes) {
    if (chunkStats == null || chunkSizes == null || chunkStats.isEmpty() || chunkStats.size() != chunkSizes.size()) {
      throw new IllegalArgumentException("chunkStats: needs one map per chunk size, got " + (chunkStats == null ? "null"
          : chunkStats.size()) + " maps and " + (chunkSizes == null ? "null" : chunkSizes.size()) + " sizes");
    }
    long total = 0;
    for (int c = 0; c < chunkSizes.size(); c++) {
      Long n = chunkSizes.get(c);
      if (n == null || n < 1) {
        throw new IllegalArgumentException("chunkSizes: every chunk needs >= 1 example, got " + n + " at " + c);
      }
      total += n;
    }
    Map<String, INDArray> pooled = new HashMap<>();
    try {
      for (BatchNorm2d bn : layers) {
        int ch = (int) bn.channels();
        double[] mean = new double[ch];
        double[] var = new double[ch];
        double[][] means = new double[chunkStats.size()][];
        double[][] vars = new double[chunkStats.size()][];
        for (int c = 0; c < chunkStats.size(); c++) {
          Map<String, INDArray> stats = chunkStats.get(c);
          means[c] = values(stats, bn.batchMeanName(), ch);
          vars[c] = values(stats, bn.batchVarName(), ch);
          double w = chunkSizes.get(c) / (double) total;
          for (int k = 0; k < ch; k++) {
            mean[k] += w * means[c][k];
          }
        }
        for (int c = 0; c < chunkStats.size(); c++) {
          double w = chunkSizes.get(c) / (double) total;
          for (int k = 0; k < ch; k++) {
            double d = means[c][k] - mean[k];
            var[k] += w * (vars[c][k] + d * d);
          }
        }
        pooled.put(bn.batchMeanName(), org.nd4j.linalg.factory.Nd4j.createFromArray(mean));
        pooled.put(bn.batchVarName(), org.nd4j.linalg.factory.Nd4j.createFromArray(var));
      }
      update(pooled, total);
    } finally {
      pooled.values().forEach(INDArray::close);
    }
  }

  private static double[] values(Map<String, INDArray> stats, String name, int channels) {
    INDArray a = stats == null ? null : stats.get(name);
    if (a == null || a.length() != channels) {
      throw new IllegalArgumentException("chunkStats: every chunk needs " + name + " with " + channels + " values, got "
          + (a == null ? "none" : java.util.Arrays.toString(a.shape())));
    }
    return a.reshape(channels).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
  }

  /**
   * Runs one forward pass in training mode on {@code placeholders} and applies its batch statistics.
   * The model must be in training mode.
   *
   * @param placeholders must hold {@link ModelNames#INPUT}
   */
  public void updateFromForward(Map<String, INDArray> placeholders) {
    if (placeholders == null || placeholders.get(ModelNames.INPUT) == null) {
      throw new IllegalArgumentException("placeholders: must hold " + ModelNames.INPUT);
    }
    if (sd.getArrForVarName(ModelNames.TRAINING_FLAG).getDouble(0) != 1.0) {
      throw new IllegalStateException("the model is in inference mode: running statistics are updated only in training");
    }
    if (layers.isEmpty()) {
      return;
    }
    Map<String, INDArray> out = sd.output(placeholders, outputNames());
    update(out, placeholders.get(ModelNames.INPUT).size(0));
  }

  /**
   * A listener for {@code sd.fit(...)} that updates the running statistics after every training
   * iteration from that iteration's batch statistics (no extra forward pass).
   *
   * @return a new listener
   */
  public Listener listener() {
    return new UpdateListener();
  }

  private final class UpdateListener extends BaseListener {
    private final Map<String, INDArray> captured = new HashMap<>();
    private final java.util.Set<String> wanted = new java.util.HashSet<>(outputNames());
    private long batchSize = -1;

    @Override
    public boolean isActive(Operation operation) {
      return operation == Operation.TRAINING;
    }

    @Override
    public void iterationStart(SameDiff sameDiff, At at, MultiDataSet data, long etlTimeMs) {
      captured.clear();
      batchSize = data == null ? -1 : data.getFeatures(0).size(0);
    }

    @Override
    public void activationAvailable(SameDiff sameDiff, At at, MultiDataSet batch, SameDiffOp op, String varName, INDArray activation) {
      if (wanted.contains(varName)) {
        captured.put(varName, activation.dup());
      }
    }

    @Override
    public void iterationDone(SameDiff sameDiff, At at, MultiDataSet dataSet, Loss loss) {
      if (layers.isEmpty() || sd.getArrForVarName(ModelNames.TRAINING_FLAG).getDouble(0) == 0.0) {
        return;   // inference mode: BatchNorm used (and keeps) its running statistics, as PyTorch's eval()
      }
      long n = batchSize > 0 ? batchSize : (dataSet == null ? -1 : dataSet.getFeatures(0).size(0));
      if (n < 1) {
        throw new IllegalStateException("BatchNorm listener: the training iteration gave no batch to read its size from");
      }
      update(captured, n);
      captured.clear();
    }
  }
}

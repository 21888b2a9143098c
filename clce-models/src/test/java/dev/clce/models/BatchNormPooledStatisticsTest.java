package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.models.layers.BatchNorm2d;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link BatchNormStatistics#updatePooled}: the running statistics after a batch seen in chunks equal
 * those computed by a plain loop over all the batch's values, one update per step.
 */
class BatchNormPooledStatisticsTest {
  private static final int CHANNELS = 3;
  private static final long HW = 4;

  private static SameDiff graph(BatchNorm2d bn, double mean0, double var0) {
    SameDiff sd = SameDiff.create();
    sd.var(bn.runningMeanName(), Nd4j.valueArrayOf(new long[] {CHANNELS}, mean0, DataType.DOUBLE));
    sd.var(bn.runningVarName(), Nd4j.valueArrayOf(new long[] {CHANNELS}, var0, DataType.DOUBLE));
    sd.var(bn.numBatchesTrackedName(), Nd4j.scalar(DataType.INT64, 5));
    return sd;
  }

  @Test
  void runningStatisticsOfUnevenChunksEqualThoseOfTheWholeBatch() {
    BatchNorm2d bn = new BatchNorm2d("bn", CHANNELS, HW);
    SameDiff sd = graph(bn, 0.25, 2.0);
    BatchNormStatistics stats = new BatchNormStatistics(sd, List.of(bn));
    Random rnd = new Random(11);
    long[] sizes = {5, 5, 2};   // examples per chunk, the last one short
    // values[c][k]: all values of channel k in chunk c (examples x H x W), each channel with its own offset
    double[][][] values = new double[sizes.length][CHANNELS][];
    List<Map<String, INDArray>> chunkStats = new ArrayList<>();
    for (int c = 0; c < sizes.length; c++) {
      double[] mean = new double[CHANNELS];
      double[] var = new double[CHANNELS];
      for (int k = 0; k < CHANNELS; k++) {
        double[] v = new double[(int) (sizes[c] * HW)];
        for (int i = 0; i < v.length; i++) {
          v[i] = 3 * k + c + rnd.nextGaussian() * (1 + k);
        }
        values[c][k] = v;
        double s = 0;
        for (double x : v) {
          s += x;
        }
        mean[k] = s / v.length;
        double q = 0;
        for (double x : v) {
          q += (x - mean[k]) * (x - mean[k]);
        }
        var[k] = q / v.length;   // biased, as BatchNorm's batch variance
      }
      Map<String, INDArray> m = new HashMap<>();
      m.put(bn.batchMeanName(), Nd4j.createFromArray(mean).castTo(DataType.FLOAT));
      m.put(bn.batchVarName(), Nd4j.createFromArray(var).castTo(DataType.FLOAT));
      chunkStats.add(m);
    }
    stats.updatePooled(chunkStats, List.of(sizes[0], sizes[1], sizes[2]));

    for (int k = 0; k < CHANNELS; k++) {
      double s = 0;
      long n = 0;
      for (double[][] chunk : values) {
        for (double x : chunk[k]) {
          s += x;
          n++;
        }
      }
      double mean = s / n;
      double q = 0;
      for (double[][] chunk : values) {
        for (double x : chunk[k]) {
          q += (x - mean) * (x - mean);
        }
      }
      double unbiased = q / (n - 1);
      double m = BatchNorm2d.MOMENTUM;
      double expectMean = (1 - m) * 0.25 + m * mean;
      double expectVar = (1 - m) * 2.0 + m * unbiased;
      // the chunk statistics were handed over in float32: compare at float precision, per channel
      assertEquals(expectMean, sd.getArrForVarName(bn.runningMeanName()).getDouble(k), 1e-6 * (1 + Math.abs(expectMean)),
          "running mean of channel " + k);
      assertEquals(expectVar, sd.getArrForVarName(bn.runningVarName()).getDouble(k), 1e-6 * expectVar,
          "running var of channel " + k);
    }
    assertEquals(6, sd.getArrForVarName(bn.numBatchesTrackedName()).getLong(0), "one update per step, not per chunk");
  }

  @Test
  void badChunkListsAreRefusedBeforeAnyChange() {
    BatchNorm2d bn = new BatchNorm2d("bn", CHANNELS, HW);
    SameDiff sd = graph(bn, 0.25, 2.0);
    BatchNormStatistics stats = new BatchNormStatistics(sd, List.of(bn));
    Map<String, INDArray> ok = Map.of(bn.batchMeanName(), Nd4j.zeros(DataType.FLOAT, CHANNELS),
        bn.batchVarName(), Nd4j.ones(DataType.FLOAT, CHANNELS));
    Map<String, INDArray> missing = Map.of(bn.batchMeanName(), Nd4j.zeros(DataType.FLOAT, CHANNELS));
    String m1 = assertThrows(IllegalArgumentException.class, () -> stats.updatePooled(List.of(ok), List.of(2L, 3L)))
        .getMessage();
    assertTrue(m1.startsWith("chunkStats:") && m1.contains("1 maps and 2 sizes"), m1);
    String m2 = assertThrows(IllegalArgumentException.class, () -> stats.updatePooled(List.of(ok, ok), List.of(2L, 0L)))
        .getMessage();
    assertTrue(m2.startsWith("chunkSizes:") && m2.contains("got 0 at 1"), m2);
    String m3 = assertThrows(IllegalArgumentException.class, () -> stats.updatePooled(List.of(ok, missing), List.of(2L, 2L)))
        .getMessage();
    assertTrue(m3.startsWith("chunkStats:") && m3.contains(bn.batchVarName()), m3);
    assertEquals(0.25, sd.getArrForVarName(bn.runningMeanName()).getDouble(0), 0);
    assertEquals(2.0, sd.getArrForVarName(bn.runningVarName()).getDouble(0), 0);
    assertEquals(5, sd.getArrForVarName(bn.numBatchesTrackedName()).getLong(0));
  }
}

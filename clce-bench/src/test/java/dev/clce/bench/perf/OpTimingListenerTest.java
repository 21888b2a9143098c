package dev.clce.bench.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The op-timing listener counts every op execution by type; step statistics are plain medians. */
class OpTimingListenerTest {

  @Test
  void countsEachOpTypeOncePerRun() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, 2, 3);
    SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 3, 4));
    SDVariable h = x.mmul(w);                 // matmul
    SDVariable r = sd.nn().relu(h, 0.0);      // relu
    SDVariable out = r.mul(r).sum("out");     // multiply, reduce_sum
    OpTimingListener prof = new OpTimingListener();
    OpCountListener count = new OpCountListener();
    sd.setListeners(prof, count);
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> ph = Map.of("x", Nd4j.rand(DataType.FLOAT, 2, 3));
    for (int i = 0; i < 3; i++) {
      sd.output(ph, out.name());
    }
    List<OpTimingListener.OpTypeTime> top = prof.top(10);
    assertEquals(4, top.size(), top.toString());
    assertEquals(java.util.Set.of("matmul", "relu", "multiply", "reduce_sum"),
        top.stream().map(OpTimingListener.OpTypeTime::opType).collect(java.util.stream.Collectors.toSet()));
    for (OpTimingListener.OpTypeTime t : top) {
      assertEquals(3, t.count(), t.toString());
      assertTrue(t.nanos() > 0, t.toString());
    }
    assertEquals(12, prof.totalCount());
    assertEquals(12, count.count(), "4 ops, 3 runs");
    count.reset();
    assertEquals(0, count.count());
    assertEquals(top.stream().mapToLong(OpTimingListener.OpTypeTime::nanos).sum(), prof.totalNanos());
    assertEquals(2, prof.top(2).size());
    assertTrue(prof.top(2).get(0).nanos() >= prof.top(2).get(1).nanos());
    prof.reset();
    assertEquals(0, prof.totalCount());
    assertThrows(IllegalArgumentException.class, () -> prof.top(0));
  }

  @Test
  void stepTimeStatistics() {
    StepTimes t = new StepTimes(new double[] {4, 1, 3, 2});
    assertEquals(2.5, t.median());
    assertEquals(1, t.min());
    assertEquals(4, t.max());
    assertEquals(2.5, t.earlyMedian()); // {4, 1}
    assertEquals(2.5, t.lateMedian()); // {3, 2}
    assertEquals(2.0, StepTimes.median(new double[] {3, 1, 2}));
    assertEquals(7.0, new StepTimes(new double[] {7}).earlyMedian());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StepTimes(new double[0]));
    assertTrue(e.getMessage().startsWith("seconds:"), e.getMessage());
  }
}

package dev.clce.bench.perf;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A SameDiff listener that counts op executions, nothing else: cheap enough to stay on in timed
 * runs, so that {@code clce perf} always reports ops per step. SameDiff schedules every op with a
 * fixed cost (tens of microseconds on a CPU, more per kernel launch on a GPU), so the count is a
 * property of a graph worth tracking next to its time. {@link OpTimingListener} gives the count
 * per op type.
 */
public final class OpCountListener extends BaseListener {
  private long count;

  @Override
  public boolean isActive(Operation operation) {
    return true;
  }

  @Override
  public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
    count++;
  }

  /** @return op executions since construction or the last {@link #reset()} */
  public long count() {
    return count;
  }

  /** Sets the count to zero (for example after the warm-up). */
  public void reset() {
    count = 0;
  }
}

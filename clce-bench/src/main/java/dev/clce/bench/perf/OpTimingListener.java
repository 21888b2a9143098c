package dev.clce.bench.perf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A SameDiff listener that times every op execution and sums the time by op type (the native op
 * name, for example {@code conv2d_bp} or {@code multiply}).
 *
 * <p>The time of one op is the wall time between SameDiff's {@code preOpExecution} and
 * {@code opExecution} callbacks: the native kernel plus SameDiff's own work for that op (output
 * allocation, argument set-up). Time spent between ops (the scheduler, the updater) is not
 * attributed to any op: compare {@link #totalNanos()} with the step's wall time to see it.
 *
 * <pre>{@code
 * OpTimingListener prof = new OpTimingListener();
 * sd.fit(batch, prof);
 * prof.reset();                       // drop the warm-up
 * for (int i = 0; i < 5; i++) sd.fit(batch, prof);
 * prof.top(15).forEach(System.out::println);
 * }</pre>
 *
 * <p>Not thread-safe: one listener per graph run at a time (SameDiff runs ops of one call on one
 * thread).
 */
public final class OpTimingListener extends BaseListener {

  /**
   * Time and count of one op type.
   *
   * @param opType the native op name
   * @param nanos total nanoseconds inside ops of this type
   * @param count number of executions
   */
  public record OpTypeTime(String opType, long nanos, long count) {
    /** @return mean microseconds per execution */
    public double meanMicros() {
      return count == 0 ? 0 : nanos / 1e3 / count;
    }
  }

  private final Map<String, long[]> byType = new HashMap<>();
  private long started = -1;
  private String startedOp;

  @Override
  public boolean isActive(Operation operation) {
    return true;
  }

  @Override
  public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
    startedOp = op.getName();
    started = System.nanoTime();
  }

  @Override
  public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
    long end = System.nanoTime();
    if (started < 0 || !op.getName().equals(startedOp)) {
      return; // no matching start (should not happen): do not invent a time
    }
    long[] acc = byType.computeIfAbsent(opType(op), k -> new long[2]);
    acc[0] += end - started;
    acc[1]++;
    started = -1;
  }

  /**
   * The op type of a graph op: the native op name where there is one, else the Java class name.
   *
   * @param op the op
   * @return for example {@code conv2d_bp}
   */
  static String opType(SameDiffOp op) {
    try {
      String n = op.getOp().opName();
      if (n != null && !n.isEmpty()) {
        return n;
      }
    } catch (RuntimeException e) {
      // some ops (control flow) have no native name
    }
    return op.getOp().getClass().getSimpleName();
  }

  /** Forgets everything timed so far (for example the warm-up). */
  public void reset() {
    byType.clear();
    started = -1;
  }

  /** @return total nanoseconds attributed to ops since the last {@link #reset()} */
  public long totalNanos() {
    long t = 0;
    for (long[] v : byType.values()) {
      t += v[0];
    }
    return t;
  }

  /** @return number of op executions since the last {@link #reset()} */
  public long totalCount() {
    long c = 0;
    for (long[] v : byType.values()) {
      c += v[1];
    }
    return c;
  }

  /**
   * The op types that took the most time.
   *
   * @param n how many, &gt;= 1
   * @return at most {@code n} entries, slowest first
   */
  public List<OpTypeTime> top(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n: must be >= 1, got " + n);
    }
    List<OpTypeTime> all = new ArrayList<>(byType.size());
    for (Map.Entry<String, long[]> e : byType.entrySet()) {
      all.add(new OpTypeTime(e.getKey(), e.getValue()[0], e.getValue()[1]));
    }
    all.sort(Comparator.comparingLong(OpTypeTime::nanos).reversed().thenComparing(OpTypeTime::opType));
    return List.copyOf(all.subList(0, Math.min(n, all.size())));
  }
}

package dev.clce.bench.train;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Keeps the resident memory of a training loop flat by running the garbage collector between steps,
 * as often as a bound on its time cost allows.
 *
 * <p>Why. ND4J frees an array's off-heap memory only when the garbage collector finds its Java object
 * unreachable. A SameDiff training step ({@code sd.fit}) leaves arrays of about the size of the model's
 * gradients and activations behind (measured: about 1.3 GiB per ViT-B/16 step at batch 2) while it
 * allocates so little on the Java heap that collections are rare, so resident memory climbs by
 * gigabytes before one happens; and once the allocator has handed that memory out, it keeps it. A
 * collection after every step keeps the resident set at the working set (ViT-B/16: flat at 3.2 GiB
 * instead of 4.5-7 GiB and growing; docs/PERFORMANCE.md). Collecting only when the resident set has
 * grown by some budget was tried and does not work: by then the allocator's high-water mark has
 * already risen.
 *
 * <p>Policy: {@link #afterStep()} collects unless less than {@code typicalCollectionTime / maxOverhead}
 * has passed since the end of the last collection (typical: a moving average of the durations), so collections take at most about
 * {@code maxOverhead} of the loop's time: after every step for large models (a collection costs
 * 20-150 ms, a ViT-B/16 step 1.7 s), every few steps for small ones. The first call always collects.
 * The default, 10%, measured: ViT-S (32 px, batch 64) 1,192 MiB with it, 1,520 MiB with 5%, same step
 * time; a 0.09 s step of a reduced ResNet-18 took 0.099 s with it and 0.103 s with 5%. A skipped
 * collection lets two steps' garbage accumulate and can raise the allocator's high-water mark for
 * good: with the last collection's time instead of the moving average, one slow collection postponed
 * the next, 38 of 1,000 ViT-S steps went without one, and the resident set rose twice (1,255 to 1,508
 * MiB); with the moving average every step collected and it stayed at 1,182-1,190 MiB.
 *
 * <p>Not thread-safe: one guard per training loop.
 */
public final class NativeMemoryGuard implements TrainingListener {
  /** The default bound on the share of time spent collecting: 10%. */
  public static final double DEFAULT_MAX_OVERHEAD = 0.10;

  private final double maxOverhead;
  private long lastEndNanos = -1;
  private double typicalDurationNanos;
  /** Weight of the newest collection in the moving average of their durations. */
  private static final double SMOOTHING = 0.2;
  private int collections;

  /**
   * @param maxOverhead largest share of the loop's time to spend collecting, in (0, 1]
   */
  public NativeMemoryGuard(double maxOverhead) {
    if (!(maxOverhead > 0 && maxOverhead <= 1)) {
      throw new IllegalArgumentException("maxOverhead: must be in (0, 1], got " + maxOverhead);
    }
    this.maxOverhead = maxOverhead;
  }

  /** @return a guard with {@link #DEFAULT_MAX_OVERHEAD} */
  public static NativeMemoryGuard withDefaults() {
    return new NativeMemoryGuard(DEFAULT_MAX_OVERHEAD);
  }

  /**
   * Call after each training step.
   *
   * @return whether it ran the garbage collector
   */
  public boolean afterStep() {
    long now = System.nanoTime();
    if (lastEndNanos >= 0 && now - lastEndNanos < typicalDurationNanos / maxOverhead) {
      return false;
    }
    System.gc();
    long end = System.nanoTime();
    double d = end - now;
    // a moving average, so that one slow collection does not postpone the next ones
    typicalDurationNanos = collections == 0 ? d : (1 - SMOOTHING) * typicalDurationNanos + SMOOTHING * d;
    lastEndNanos = end;
    collections++;
    return true;
  }

  /** @return how many collections {@link #afterStep()} has run */
  public int collections() {
    return collections;
  }

  /** @return the bound on the share of time spent collecting */
  public double maxOverhead() {
    return maxOverhead;
  }

  /** @return a listener for {@code sd.fit} that calls {@link #afterStep()} after each training iteration */
  public Listener listener() {
    return new BaseListener() {
      @Override
      public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
      }

      @Override
      public void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss loss) {
        afterStep();
      }
    };
  }

  /** Calls {@link #afterStep()}: as a {@link TrainingListener} of the trainer, after every step. */
  @Override
  public void onStep(Trainer trainer, StepEvent step) {
    afterStep();
  }
}

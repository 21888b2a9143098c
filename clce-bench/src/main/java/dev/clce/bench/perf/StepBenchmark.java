package dev.clce.bench.perf;

import org.nd4j.autodiff.listeners.Listener;

/** Something `clce perf` times step by step: a training step ({@link TrainStepBenchmark}) or the loss alone ({@link LossStepBenchmark}). */
public interface StepBenchmark {

  /** Runs one step. @return its wall time in seconds */
  double step();

  /**
   * Runs {@code warmup} untimed steps then {@code steps} timed ones.
   *
   * @param warmup untimed steps first, &gt;= 0
   * @param steps timed steps, &gt;= 1
   * @return the timed steps
   */
  StepTimes run(int warmup, int steps);

  /**
   * Adds a listener to every following step (for example an {@link OpTimingListener}).
   *
   * @param l the listener
   */
  void addListener(Listener l);
}

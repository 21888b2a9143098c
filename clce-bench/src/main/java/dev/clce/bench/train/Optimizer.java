package dev.clce.bench.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Applies ND4J updaters to a SameDiff graph's parameters, one {@link GradientUpdater} per parameter
 * with its state in a view array that this class owns (so that a checkpoint can save and restore it
 * exactly), and the learning rate from a {@link WarmupCosineSchedule}.
 *
 * <p>One step, for each parameter {@code w} with gradient {@code g} (parameters that the loss does
 * not reach get no gradient and are left alone, as in PyTorch):
 * <ol>
 *   <li>SGD, Adam: {@code g += wd * w} (L2 weight decay); AdamW: {@code w -= lr(t) * wd * w};</li>
 *   <li>the ND4J updater turns {@code g} into the update ({@code Nesterovs}/{@code Sgd} or {@code Adam},
 *       iteration {@code t});</li>
 *   <li>{@code w -= update}.</li>
 * </ol>
 */
public final class Optimizer {
  private final OptimizerKind kind;
  private final double weightDecay;
  private final WarmupCosineSchedule schedule;
  private final Map<String, INDArray> state = new LinkedHashMap<>();
  private final Map<String, GradientUpdater<?>> updaters = new LinkedHashMap<>();

  /**
   * Creates the optimiser with zero state.
   *
   * @param kind the optimiser
   * @param schedule the learning rate per step
   * @param momentum SGD momentum (0: plain SGD)
   * @param weightDecay weight decay, &gt;= 0
   * @param sd the graph
   * @param parameters the trainable parameters, in a fixed order
   */
  public Optimizer(OptimizerKind kind, WarmupCosineSchedule schedule, double momentum, double weightDecay, SameDiff sd,
      List<String> parameters) {
    this.kind = kind;
    this.weightDecay = weightDecay;
    this.schedule = schedule;
    IUpdater config = switch (kind) {
      case SGD -> momentum > 0 ? new Nesterovs(schedule, momentum) : new Sgd(schedule);
      case ADAM, ADAMW -> new Adam(schedule);
    };
    for (String p : parameters) {
      INDArray w = sd.getArrForVarName(p);
      long size = config.stateSize(w.length());
      INDArray view = size == 0 ? null : Nd4j.zeros(w.dataType(), 1, size);
      if (view != null) {
        state.put(p, view);
      }
      updaters.put(p, config.instantiate(view, true));
    }
  }

  /**
   * The learning rate at a step.
   *
   * @param step the global step, from 0
   * @return the rate
   */
  public double learningRate(long step) {
    return schedule.at(step);
  }

  /**
   * Updates the parameters in place.
   *
   * @param sd the graph
   * @param gradients gradients by parameter name (missing: no update); they are consumed (changed)
   * @param step the global step, from 0
   * @param epoch the epoch, from 0
   */
  public void step(SameDiff sd, Map<String, INDArray> gradients, long step, int epoch) {
    double lr = schedule.at(step);
    for (Map.Entry<String, GradientUpdater<?>> e : updaters.entrySet()) {
      INDArray g = gradients.get(e.getKey());
      if (g == null) {
        continue;
      }
      INDArray w = sd.getArrForVarName(e.getKey());
      INDArray flat = g.dup('c').reshape(g.length());
      if (weightDecay > 0) {
        if (kind == OptimizerKind.ADAMW) {
          w.muli(1.0 - lr * weightDecay);
        } else {
          INDArray wflat = w.dup('c').reshape(w.length());
          flat.addi(wflat.muli(weightDecay));
          wflat.close();
        }
      }
      e.getValue().applyUpdater(flat, Math.toIntExact(step), epoch);
      INDArray update = flat.reshape('c', w.shape());
      w.subi(update);
      flat.close();
    }
  }

  /** @return the updater state view arrays by parameter name (live: they change with each step) */
  public Map<String, INDArray> state() {
    return Collections.unmodifiableMap(state);
  }

  /**
   * Checks restored state against this optimiser's layout, without changing anything.
   *
   * @param restored state arrays by parameter name
   * @return null if they fit, else what is wrong
   */
  public String checkState(Map<String, INDArray> restored) {
    if (!restored.keySet().equals(state.keySet())) {
      return "optimizer state holds " + restored.size() + " entries, this optimizer " + state.size();
    }
    for (Map.Entry<String, INDArray> e : state.entrySet()) {
      INDArray r = restored.get(e.getKey());
      if (r.length() != e.getValue().length() || r.dataType() != e.getValue().dataType()) {
        return "optimizer state of " + e.getKey() + " is " + r.dataType() + " x " + r.length() + ", expected "
            + e.getValue().dataType() + " x " + e.getValue().length();
      }
    }
    return null;
  }

  /**
   * Copies restored state in (check it first with {@link #checkState}).
   *
   * @param restored state arrays by parameter name
   */
  public void restoreState(Map<String, INDArray> restored) {
    String problem = checkState(restored);
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
    for (Map.Entry<String, INDArray> e : state.entrySet()) {
      e.getValue().assign(restored.get(e.getKey()).reshape(e.getValue().shape()));
    }
  }
}

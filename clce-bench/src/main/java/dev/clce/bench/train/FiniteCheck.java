package dev.clce.bench.train;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * The one check every {@link TrainStep} makes between computing a step and applying it: the loss and
 * every gradient must be finite. A NaN or an infinity would otherwise spread into every parameter
 * with the update and from there into the next checkpoint, silently replacing the last good one.
 * {@link Trainer#saveCheckpoint()} checks the parameters the same way, for an update that overflowed
 * although its gradient was finite.
 */
final class FiniteCheck {

  private FiniteCheck() {}

  /**
   * @param step the step, from 1
   * @param loss the loss
   * @param gradients gradient per parameter name (a parameter without a gradient is skipped)
   * @param parameters the parameters in model order (the first bad one is named)
   * @throws NonFiniteException at the first non-finite value
   */
  static void check(long step, double loss, Map<String, INDArray> gradients, List<String> parameters) {
    if (!Double.isFinite(loss)) {
      throw new NonFiniteException(step, NonFiniteException.Where.LOSS, null, Double.toString(loss));
    }
    checkArrays(step, NonFiniteException.Where.GRADIENT, parameters, gradients::get);
  }

  /**
   * @param step the step, from 1
   * @param where what the arrays are
   * @param names the names in order
   * @param arrays the array of each name (null: skipped)
   * @throws NonFiniteException at the first array with a non-finite value
   */
  static void checkArrays(long step, NonFiniteException.Where where, List<String> names,
      Function<String, INDArray> arrays) {
    for (String n : names) {
      INDArray a = arrays.apply(n);
      if (a != null && !a.isEmpty() && a.dataType().isFPType()) {
        String bad = nonFinite(a);
        if (bad != null) {
          throw new NonFiniteException(step, where, n, bad);
        }
      }
    }
  }

  /** @return null when every entry is finite, else which kinds of non-finite entries there are */
  static String nonFinite(INDArray a) {
    // One reduction per array in the common case: a sum is finite unless an entry is NaN or infinite,
    // or the finite entries overflow it; only then are the entries themselves examined.
    double sum;
    try (INDArray s = a.sum()) {
      sum = s.getDouble(0);
    }
    if (Double.isFinite(sum)) {
      return null;
    }
    boolean nan = BooleanIndexing.or(a, Conditions.isNan());
    boolean inf = BooleanIndexing.or(a, Conditions.isInfinite());
    if (nan && inf) {
      return "NaN and infinite values";
    }
    return nan ? "NaN" : inf ? "infinite values" : null;
  }
}

package dev.clce.models;

import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The central finite difference the gradient checks compare autodiff against. */
final class FiniteDifferences {
  private FiniteDifferences() {
  }

  /**
   * {@code (loss(w_i + eps) - loss(w_i - eps)) / (2 eps)}, with {@code w_i} put back afterwards.
   *
   * @param w the parameter's array (changed in place, then restored)
   * @param i the element
   * @param eps the step
   * @param loss evaluates the loss with the current arrays
   * @return the estimate of d loss / d w_i
   */
  static double central(INDArray w, long i, double eps, DoubleSupplier loss) {
    double orig = w.getDouble(i);
    w.putScalar(i, orig + eps);
    double up = loss.getAsDouble();
    w.putScalar(i, orig - eps);
    double down = loss.getAsDouble();
    w.putScalar(i, orig);
    return (up - down) / (2 * eps);
  }
}

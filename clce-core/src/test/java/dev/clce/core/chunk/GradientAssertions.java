package dev.clce.core.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Per-parameter comparison of two gradient maps (shared with clce-models' tests through the test jar). */
public final class GradientAssertions {
  /** Issue 11's bound in double: relative to each parameter's gradient norm. */
  public static final double TOLERANCE = 1e-10;

  private GradientAssertions() {}

  /**
   * Asserts that {@code actual} holds gradients for the same parameters as {@code expected}, each
   * within {@code tol} of the reference in L2 norm relative to that parameter's reference gradient
   * norm (so one large parameter cannot hide an error in a small one).
   *
   * @param expected the reference, by parameter name
   * @param actual the gradients under test
   * @param tol relative bound
   * @param what prefix of the failure message
   */
  public static void assertSameGradients(Map<String, INDArray> expected, Map<String, INDArray> actual, double tol, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what + ": parameters with a gradient");
    for (Map.Entry<String, INDArray> e : expected.entrySet()) {
      INDArray ref = e.getValue();
      INDArray got = actual.get(e.getKey());
      assertTrue(Arrays.equals(ref.shape(), got.shape()), what + " " + e.getKey() + ": shape " + Arrays.toString(got.shape())
          + ", expected " + Arrays.toString(ref.shape()));
      double norm = ref.norm2Number().doubleValue();
      double diff = ref.sub(got.castTo(ref.dataType())).norm2Number().doubleValue();
      assertTrue(norm > 0 || diff == 0, what + " " + e.getKey() + ": zero reference gradient but difference " + diff);
      double rel = norm > 0 ? diff / norm : 0;
      assertTrue(rel <= tol, what + " " + e.getKey() + ": relative difference " + rel + " (norm " + norm + ")");
    }
  }
}

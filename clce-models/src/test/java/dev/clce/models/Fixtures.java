package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Loading the PyTorch fixtures made by the scripts under src/test/python. */
final class Fixtures {
  private Fixtures() {
  }

  /** @param resource classpath path of an .npz file @return its arrays by name */
  static Map<String, INDArray> npz(String resource) {
    try {
      return Nd4j.createFromNpzFile(new File(Fixtures.class.getResource(resource).toURI()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read fixture " + resource, e);
    }
  }

  /**
   * Copies {@code prefix + name} into every state entry of the model (0-d entries are stored with
   * shape (1,) in the fixtures).
   */
  static void loadState(EncoderModel m, Map<String, INDArray> fx, String prefix) {
    int fixtureEntries = (int) fx.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    assertEquals(fixtureEntries, m.stateNames().size(), "state entries in the fixture vs the model");
    for (String name : m.stateNames()) {
      INDArray ref = fx.get(prefix + name);
      assertTrue(ref != null, "fixture lacks " + name);
      INDArray arr = m.stateArray(name); // torchvision layout, writes through to the graph
      if (arr.rank() == 0) {
        assertEquals(1, ref.length(), name);
        arr.assign(ref.getLong(0));
      } else {
        assertArrayEquals(arr.shape(), ref.shape(), name);
        arr.assign(ref.castTo(arr.dataType()));
      }
    }
  }

  /** Asserts {@code |actual - expected| <= tol (1 + |expected|)} element by element. */
  static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what);
    double[] e = expected.castTo(DataType.DOUBLE).data().asDouble();
    double[] a = actual.castTo(DataType.DOUBLE).data().asDouble();
    for (int i = 0; i < e.length; i++) {
      if (!(Math.abs(e[i] - a[i]) <= tol * (1 + Math.abs(e[i])))) {
        throw new AssertionError(what + "[" + i + "]: expected " + e[i] + ", got " + a[i]);
      }
    }
  }
}

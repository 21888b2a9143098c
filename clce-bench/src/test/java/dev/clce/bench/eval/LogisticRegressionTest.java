package dev.clce.bench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Logistic regression against a closed-form case and against numpy/scipy reference solutions. */
class LogisticRegressionTest {

  /**
   * Two classes, one feature, x = -1 (class 0) and x = +1 (class 1), C = 1. By symmetry the solution
   * is W = [-a, a], b = [0, 0] with F(a) = 2 log(1 + exp(-2a)) + a^2, whose stationarity condition is
   * a = 2 sigmoid(-2a); solved here by bisection.
   */
  @Test
  void symmetricSeparableCase() {
    double lo = 0;
    double hi = 2;
    for (int i = 0; i < 200; i++) {
      double mid = 0.5 * (lo + hi);
      if (mid - 2 / (1 + Math.exp(2 * mid)) < 0) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double a = 0.5 * (lo + hi);
    LogisticRegression lr = LogisticRegression.fit(new double[][] {{-1}, {1}}, new int[] {0, 1}, 2);
    assertTrue(lr.converged());
    assertEquals(-a, lr.weights()[0][0], 1e-9);
    assertEquals(a, lr.weights()[1][0], 1e-9);
    assertEquals(0, lr.bias()[0], 1e-9);
    assertEquals(0, lr.bias()[1], 1e-9);
    assertEquals(2 * Math.log1p(Math.exp(-2 * a)) + a * a, lr.objective(), 1e-12);
    assertEquals(1 / (1 + Math.exp(-2 * a)), lr.probabilities(new double[] {1})[1], 1e-9);
    assertEquals(1, lr.predict(new double[] {0.3}));
    assertEquals(0, lr.predict(new double[] {-0.01}));
  }

  /** Reference minimisers from clce-bench/src/test/python/logreg_reference.py (scipy + Newton). */
  @Test
  void matchesNumpyReference() throws IOException {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("logreg_reference.json")) {
      assertNotNull(in, "logreg_reference.json missing from test resources");
      root = new ObjectMapper().readTree(in);
    }
    int cases = 0;
    for (JsonNode c : root.get("cases")) {
      String name = c.get("name").asText();
      double[][] x = matrix(c.get("x"));
      int[] y = new int[x.length];
      for (int i = 0; i < y.length; i++) {
        y[i] = c.get("y").get(i).asInt();
      }
      int k = c.get("k").asInt();
      LogisticRegression lr = LogisticRegression.fit(x, y, k, c.get("c").asDouble(), 1000, 1e-10);
      assertTrue(lr.converged(), name + " did not converge in " + lr.iterations() + " iterations");
      double[][] w = matrix(c.get("weights"));
      double[][] wj = lr.weights();
      for (int a = 0; a < k; a++) {
        for (int j = 0; j < w[a].length; j++) {
          assertEquals(w[a][j], wj[a][j], 1e-7, name + " W[" + a + "][" + j + "]");
        }
        assertEquals(c.get("bias").get(a).asDouble(), lr.bias()[a], 1e-7, name + " b[" + a + "]");
      }
      double f = c.get("objective").asDouble();
      assertEquals(f, lr.objective(), 1e-11 * Math.abs(f), name + " objective");
      double[][] q = matrix(c.get("query"));
      double[][] p = matrix(c.get("query_probabilities"));
      for (int i = 0; i < q.length; i++) {
        double[] pj = lr.probabilities(q[i]);
        for (int a = 0; a < k; a++) {
          assertEquals(p[i][a], pj[a], 1e-8, name + " p[" + i + "][" + a + "]");
        }
      }
      cases++;
    }
    assertEquals(3, cases);
  }

  private static double[][] matrix(JsonNode node) {
    double[][] m = new double[node.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = new double[node.get(i).size()];
      for (int j = 0; j < m[i].length; j++) {
        m[i][j] = node.get(i).get(j).asDouble();
      }
    }
    return m;
  }

  @Test
  void refusesBadInput() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LogisticRegression.fit(new double[][] {{1}, {2}}, new int[] {0, 2}, 2));
    assertTrue(e.getMessage().startsWith("y: label 2 at 1 is outside [0, 2)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> LogisticRegression.fit(new double[][] {{1}}, new int[] {0}, 2, -1, 10, 1e-6));
    assertTrue(e.getMessage().startsWith("c: must be finite and > 0, got -1.0"), e.getMessage());
  }
}

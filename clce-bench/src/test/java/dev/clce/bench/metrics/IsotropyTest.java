package dev.clce.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class IsotropyTest {

  @Test
  void perfectlyIsotropicSetScoresOne() {
    // +-e1, +-e2, +-e3: V^T V = 2I; Z(+-e_k) = e + 1/e + 4 for every k and sign.
    double[][] v = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    assertEquals(1.0, Isotropy.score(v), 1e-12);
  }

  @Test
  void handComputedAnisotropicSet() {
    // V = {e1, e1, e2}: V^T V = diag(2, 1), eigenvectors +-e1, +-e2.
    // Z(e1) = 2e + 1, Z(-e1) = 2/e + 1, Z(e2) = 2 + e, Z(-e2) = 2 + 1/e: IS = (1 + 2/e) / (1 + 2e).
    double[][] v = {{1, 0}, {1, 0}, {0, 1}};
    double e = Math.E;
    assertEquals((1 + 2 / e) / (1 + 2 * e), Isotropy.score(v), 1e-12);
  }

  @Test
  void rowsAreNormalisedFirst() {
    // The same set with rows scaled: the score is that of the directions.
    double[][] v = {{3, 0}, {0.5, 0}, {0, 7}};
    double e = Math.E;
    assertEquals((1 + 2 / e) / (1 + 2 * e), Isotropy.score(v), 1e-12);
  }

  @Test
  void rotatedSetKeepsItsScoreAndBothSignsAreTried() {
    // Rotating every row rotates the eigenvectors with it: the score must not change, whatever sign
    // the solver picks for each eigenvector. Reference: the plain loop over the known eigenvectors.
    double th = 0.7;
    double c = Math.cos(th);
    double s = Math.sin(th);
    double[][] v = {{c, s}, {c, s}, {-s, c}};
    double e = Math.E;
    assertEquals((1 + 2 / e) / (1 + 2 * e), Isotropy.score(v), 1e-12);
  }

  @Test
  void collapsedSetScoresLowAndSpreadSetScoresHigh() {
    Random r = new Random(3);
    double[][] spread = new double[400][8];
    double[][] collapsed = new double[400][8];
    for (int i = 0; i < 400; i++) {
      for (int j = 0; j < 8; j++) {
        spread[i][j] = r.nextGaussian();
        collapsed[i][j] = (j == 0 ? 5 : 0) + 0.3 * r.nextGaussian();
      }
    }
    double hi = Isotropy.score(spread);
    double lo = Isotropy.score(collapsed);
    assertTrue(hi > 0.8 && hi <= 1.0, "spread " + hi);
    assertTrue(lo < 0.2 && lo > 0, "collapsed " + lo);
  }

  @Test
  void badInputIsRefused() {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
        () -> Isotropy.score(new double[][] {{1, 0}, {0, 0}}));
    assertTrue(ex.getMessage().startsWith("embeddings:"), ex.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Isotropy.score(new double[][] {{1, 0}, {1}}));
    assertThrows(IllegalArgumentException.class, () -> Isotropy.score(new double[][] {{Double.NaN, 1}}));
    assertThrows(IllegalArgumentException.class, () -> Isotropy.score(new double[0][]));
  }
}

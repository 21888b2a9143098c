package dev.clce.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TsneTest {

  /** Four Gaussian clusters in 20-d, centres 10 apart, spread 1. */
  private static double[][] clusters(int perCluster, int[] labels, long seed) {
    Random r = new Random(seed);
    int k = 4;
    double[][] x = new double[perCluster * k][20];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < perCluster; i++) {
        int row = c * perCluster + i;
        labels[row] = c;
        for (int j = 0; j < 20; j++) {
          x[row][j] = (j == c ? 10 : 0) + r.nextGaussian();
        }
      }
    }
    return x;
  }

  @Test
  void separatesWellSeparatedClusters() {
    int per = 40;
    int[] labels = new int[4 * per];
    double[][] x = clusters(per, labels, 1);
    double[][] y = Tsne.embed(x, new Tsne.Options(15, 500, 100, 12, 100, 7));
    // Nearest neighbour in the 2-D map (plain loop) has the same label for (almost) every point.
    int agree = 0;
    for (int i = 0; i < y.length; i++) {
      int best = -1;
      double bestD = Double.POSITIVE_INFINITY;
      for (int j = 0; j < y.length; j++) {
        if (j != i) {
          double d = Math.pow(y[i][0] - y[j][0], 2) + Math.pow(y[i][1] - y[j][1], 2);
          if (d < bestD) {
            bestD = d;
            best = j;
          }
        }
      }
      agree += labels[best] == labels[i] ? 1 : 0;
    }
    assertTrue(agree >= y.length * 0.98, "nearest-neighbour agreement " + agree + "/" + y.length);
    // And the clusters are far apart relative to their size: mean within-cluster distance well below
    // the mean distance between cluster centres.
    double[][] centre = new double[4][2];
    for (int i = 0; i < y.length; i++) {
      centre[labels[i]][0] += y[i][0] / per;
      centre[labels[i]][1] += y[i][1] / per;
    }
    double within = 0;
    for (int i = 0; i < y.length; i++) {
      within += Math.hypot(y[i][0] - centre[labels[i]][0], y[i][1] - centre[labels[i]][1]) / y.length;
    }
    double between = 0;
    for (int a = 0; a < 4; a++) {
      for (int b = a + 1; b < 4; b++) {
        between += Math.hypot(centre[a][0] - centre[b][0], centre[a][1] - centre[b][1]) / 6;
      }
    }
    assertTrue(between > 3 * within, "between " + between + " within " + within);
  }

  @Test
  void seededAndCentred() {
    int[] labels = new int[4 * 10];
    double[][] x = clusters(10, labels, 2);
    Tsne.Options o = new Tsne.Options(5, 60, 100, 12, 20, 11);
    double[][] a = Tsne.embed(x, o);
    double[][] b = Tsne.embed(x, o);
    for (int i = 0; i < a.length; i++) {
      assertArrayEquals(a[i], b[i]);
    }
    double m0 = 0;
    double m1 = 0;
    for (double[] row : a) {
      m0 += row[0];
      m1 += row[1];
    }
    assertEquals(0, m0 / a.length, 1e-9);
    assertEquals(0, m1 / a.length, 1e-9);
  }

  @Test
  void calibrationReachesThePerplexity() {
    // Reference: the entropy of the returned row, computed here in a plain loop, equals log(perplexity).
    Random r = new Random(5);
    double[] dist = new double[50];
    for (int j = 0; j < dist.length; j++) {
      dist[j] = 0.1 + 20 * r.nextDouble();
    }
    double[] row = Tsne.conditionalRow(dist, 3, 10);
    double h = 0;
    double sum = 0;
    for (int j = 0; j < row.length; j++) {
      sum += row[j];
      if (row[j] > 0) {
        h -= row[j] * Math.log(row[j]);
      }
    }
    assertEquals(0.0, row[3]);
    assertEquals(1.0, sum, 1e-12);
    assertEquals(Math.log(10), h, 1e-4);
  }

  @Test
  void badInputIsRefused() {
    double[][] x = new double[5][3];
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
        () -> Tsne.embed(x, new Tsne.Options(5, 10, 100, 12, 5, 1)));
    assertTrue(ex.getMessage().startsWith("perplexity:"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> new Tsne.Options(-1, 10, 100, 12, 5, 1));
    assertTrue(ex.getMessage().startsWith("perplexity:"), ex.getMessage());
  }
}

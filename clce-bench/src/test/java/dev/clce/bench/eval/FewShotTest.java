package dev.clce.bench.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Episode sampling, the confidence interval, nearest centroid and the whole few-shot evaluation. */
class FewShotTest {

  /** 8 classes of 25 examples, labels in shuffled order. */
  static int[] labels() {
    int[] labels = new int[200];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (i * 7) % 8;
    }
    return labels;
  }

  @Test
  void episodesAreBalancedDisjointAndSeeded() {
    int[] labels = labels();
    List<Integer> novel = List.of(1, 3, 4, 6, 7);
    EpisodeSampler s = new EpisodeSampler(labels, novel, 4, 5, 15, 99);
    int[] classUse = new int[8];
    for (int e = 0; e < 300; e++) {
      Episode ep = s.episode(e);
      assertEquals(4, ep.classes().length);
      assertEquals(4, Arrays.stream(ep.classes()).distinct().count());
      Set<Integer> support = new HashSet<>();
      for (int i = 0; i < ep.support().length; i++) {
        assertTrue(support.add(ep.support()[i]), "support repeats an example");
        int j = ep.supportLabels()[i];
        assertEquals(ep.classes()[j], labels[ep.support()[i]]);
      }
      Set<Integer> query = new HashSet<>();
      for (int i = 0; i < ep.query().length; i++) {
        assertTrue(query.add(ep.query()[i]), "query repeats an example");
        assertFalse(support.contains(ep.query()[i]), "a query is in the support set");
        assertEquals(ep.classes()[ep.queryLabels()[i]], labels[ep.query()[i]]);
      }
      int[] perClassSupport = new int[4];
      int[] perClassQuery = new int[4];
      for (int l : ep.supportLabels()) {
        perClassSupport[l]++;
      }
      for (int l : ep.queryLabels()) {
        perClassQuery[l]++;
      }
      assertArrayEquals(new int[] {5, 5, 5, 5}, perClassSupport);
      assertArrayEquals(new int[] {15, 15, 15, 15}, perClassQuery);
      for (int c : ep.classes()) {
        assertTrue(novel.contains(c), "class " + c + " is not novel");
        classUse[c]++;
      }
    }
    // 300 episodes x 4 of 5 classes: each class about 240 times
    for (int c : novel) {
      assertTrue(classUse[c] > 200 && classUse[c] < 280, "class " + c + " used " + classUse[c]);
    }
    Episode a = s.episode(17);
    Episode b = new EpisodeSampler(labels, novel, 4, 5, 15, 99).episode(17);
    assertArrayEquals(a.support(), b.support());
    assertArrayEquals(a.query(), b.query());
    Episode c = new EpisodeSampler(labels, novel, 4, 5, 15, 100).episode(17);
    assertFalse(Arrays.equals(a.support(), c.support()) && Arrays.equals(a.query(), c.query()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EpisodeSampler(labels, novel, 5, 5, 21, 1));
    assertTrue(e.getMessage().startsWith("novelClasses: class 1 has 25 examples, an episode needs 26"),
        e.getMessage());
  }

  @Test
  void withoutReplacementIsUniform() {
    SplittableRandom rng = new SplittableRandom(5);
    int[] hits = new int[10];
    for (int t = 0; t < 20000; t++) {
      int[] pick = EpisodeSampler.sampleWithoutReplacement(rng, 10, 3);
      assertEquals(3, Arrays.stream(pick).distinct().count());
      for (int p : pick) {
        hits[p]++;
      }
    }
    // each value expected 6000 times (sd ~ 65)
    for (int h : hits) {
      assertTrue(Math.abs(h - 6000) < 350, Arrays.toString(hits));
    }
  }

  /**
   * Hand-computed: values 0.6, 0.8, 1.0, 0.8 -> mean 0.8, sd sqrt(0.08 / 3), CI t(0.975, 3) sd / 2 with
   * t(0.975, 3) = 3.182446305284263 (scipy.stats.t.ppf(0.975, 3)).
   */
  @Test
  void confidenceIntervalFormula() {
    MeanCi m = MeanCi.of(new double[] {0.6, 0.8, 1.0, 0.8});
    assertEquals(0.8, m.mean(), 1e-15);
    assertEquals(0.16329931618554522, m.sd(), 1e-15);
    assertEquals(3.182446305284263 * 0.16329931618554522 / 2, m.ci95(), 1e-9);   // commons-math3 inverts the CDF to ~1e-10
    assertEquals(4, m.n());
    assertEquals("80.00 +- 25.98 %", m.toPercentString());
    assertEquals(1.959963984540054, MeanCi.t95(100_000), 1e-4);   // tends to the normal quantile
    assertEquals(12.706204736174707, MeanCi.t95(1), 1e-8);
    assertTrue(Double.isNaN(MeanCi.of(new double[] {0.5}).ci95()));
  }

  /** Hand case: centroids of class 0 along (1, 1), class 1 along (1, -1), class 2 has no example. */
  @Test
  void nearestCentroidHandCase() {
    float[][] train = {{2, 2}, {1, 0}, {0, 1}, {3, -3}, {1, -2}};
    int[] labels = {0, 0, 0, 1, 1};
    NearestCentroid nc = NearestCentroid.fit(train, labels, 3);
    // centroid 0 = (1, 1); centroid 1 = (2, -2.5): cosine with (1, 0.1) is 0.779 vs 0.575
    assertEquals(0, nc.predict(new float[] {1, 0.1f}));
    assertEquals(1, nc.predict(new float[] {1, -0.5f}));
    // a point far along (1, 1) but with a large norm: cosine ignores the norm
    assertEquals(0, nc.predict(new float[] {100, 90}));
    // (-1, 0.2): cosine -0.566 with centroid 0, -0.781 with centroid 1, so class 0: one miss of four
    assertEquals(0.75, nc.accuracy(new float[][] {{1, 1}, {1, -1}, {-1, 0.2f}, {0, -1}},
        new int[] {0, 1, 1, 1}), 1e-12);
    // top1 normalises first: then the unit vectors (1, 0) and (0, 1) pull the class-0 centroid
    assertEquals(1.0, NearestCentroid.top1(train, labels, new float[][] {{5, 5}, {1, -1}},
        new int[] {0, 1}, 2), 1e-12);
  }

  /** Clusters far apart: every episode is solved; pure noise: chance level. */
  @Test
  void evaluatorOnSeparableAndOnNoiseEmbeddings() {
    int perClass = 30;
    int classes = 6;
    int d = 16;
    SplittableRandom rng = new SplittableRandom(1);
    float[][] separable = new float[perClass * classes][d];
    float[][] noise = new float[perClass * classes][d];
    int[] labels = new int[perClass * classes];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % classes;
      for (int j = 0; j < d; j++) {
        noise[i][j] = (float) rng.nextGaussian();
        separable[i][j] = (j == labels[i] ? 10f : 0f) + (float) (0.3 * rng.nextGaussian());
      }
    }
    FewShotConfig cfg = new FewShotConfig(5, List.of(1, 5), 15, 200, 7, 1.0);
    List<FewShotResult> good = FewShotEvaluator.evaluate(separable, labels, List.of(0, 1, 2, 3, 4, 5), cfg);
    assertEquals(2, good.size());
    for (FewShotResult r : good) {
      assertEquals(1.0, r.logisticRegression().mean(), 1e-12);
      assertEquals(1.0, r.nearestCentroid().mean(), 1e-12);
      assertEquals(200, r.logisticRegression().n());
    }
    List<FewShotResult> chance = FewShotEvaluator.evaluate(noise, labels, List.of(0, 1, 2, 3, 4, 5), cfg);
    for (FewShotResult r : chance) {
      // chance is 0.2; 200 episodes of 75 queries put the mean within a few points of it
      assertEquals(0.2, r.logisticRegression().mean(), 0.04);
      assertEquals(0.2, r.nearestCentroid().mean(), 0.04);
      assertTrue(r.logisticRegression().ci95() > 0);
    }
    // same seed, same numbers (episodes run in parallel)
    List<FewShotResult> again = FewShotEvaluator.evaluate(noise, labels, List.of(0, 1, 2, 3, 4, 5), cfg);
    assertEquals(chance, again);
  }

  /** One episode by hand: 2-way 1-shot where both classifiers must get 3 of 4 queries right. */
  @Test
  void oneEpisodeByHand() {
    float[][] unit = Embeddings.l2Normalise(new float[][] {
        {1, 0}, {0, 1},             // supports: class 0 along x, class 1 along y
        {1, 0.2f}, {0.9f, -0.3f},   // class-0 queries, both closer to x
        {0.1f, 1}, {1, 0.5f}});     // class-1 queries, the second one closer to x
    Episode ep = new Episode(new int[] {0, 1}, new int[] {0, 1}, new int[] {0, 1},
        new int[] {2, 3, 4, 5}, new int[] {0, 0, 1, 1});
    double[] acc = FewShotEvaluator.runEpisode(unit, ep, 2, 1.0);
    assertEquals(0.75, acc[0], 1e-12);
    assertEquals(0.75, acc[1], 1e-12);
  }
}

package dev.clce.bench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The two batch-trend claims of section 1 ("SupCon improves with batch size", "CLCE's advantage over
 * SupCon shrinks as the batch grows") on hand-made top-1 values, through the verdict's decision
 * (paired t-test, Holm over the claims, outcome).
 */
class BatchTrendVerdictTest {
  private static final List<Integer> BATCHES = List.of(64, 128, 256, 512, 1024);
  /** Per-seed noise, different for every arm so that the paired differences vary (5 seeds). */
  private static final double[] NOISE = {0.004, -0.003, 0.001, -0.002, 0.0};

  /** Hand-made top-1: base value per loss and batch plus the seed's noise scaled by k (differs per arm). */
  private static double[] arm(double base, int k) {
    double[] v = new double[NOISE.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = base + NOISE[(i + k) % NOISE.length];
    }
    return v;
  }

  /** A lookup over hand-made values that records which batches the claims read. */
  private static final class Values implements BenchReport.BatchTop1 {
    final Map<String, double[]> v = new HashMap<>();
    final List<Integer> read = new ArrayList<>();

    Values put(String loss, int batch, double[] x) {
      v.put(loss + "@" + batch, x);
      return this;
    }

    @Override
    public double[] of(String loss, int batch) {
      read.add(batch);
      double[] x = v.get(loss + "@" + batch);
      return x == null ? new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN} : x;
    }
  }

  private static double mean(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] - b[i];
    }
    return s / a.length;
  }

  @Test
  void bothClaimsHoldWhenSupConGainsAndTheGapShrinks() {
    // SupCon 0.60 at 64 -> 0.66 at 1024; CLCE 0.70 -> 0.68: gap 0.10 -> 0.02.
    Values x = new Values().put(BenchPlan.SUPCON, 64, arm(0.60, 0)).put(BenchPlan.SUPCON, 1024, arm(0.66, 1))
        .put(BenchPlan.CLCE, 64, arm(0.70, 2)).put(BenchPlan.CLCE, 1024, arm(0.68, 3));
    List<BenchReport.Claim> c = BenchReport.decide(BenchReport.batchTrendClaims(BATCHES, x), BenchReport.ALPHA);
    assertEquals(2, c.size());
    // Only the smallest and the largest batch are read.
    assertEquals(List.of(64, 1024), x.read.stream().distinct().sorted().toList());
    BenchReport.Claim sup = c.get(0);
    assertEquals("SupCon improves with batch size (transfer, batch 64 -> 1024)", sup.claim());
    assertEquals("SupCon@1024 - SupCon@64", sup.difference());
    assertEquals(mean(arm(0.66, 1), arm(0.60, 0)), sup.test().meanDiff(), 1e-12);
    assertEquals(0.06, sup.test().meanDiff(), 1e-12);
    assertEquals(BenchReport.Outcome.HELD, sup.outcome());
    assertTrue(sup.pHolm() < BenchReport.ALPHA && sup.pHolm() >= sup.p(), sup.pHolm() + " " + sup.p());
    BenchReport.Claim gap = c.get(1);
    assertEquals("(CLCE - SupCon)@64 - (CLCE - SupCon)@1024", gap.difference());
    // (0.70 - 0.60) - (0.68 - 0.66) = 0.08, against a plain loop over the seeds.
    double[] gapLo = new double[5];
    double[] gapHi = new double[5];
    for (int i = 0; i < 5; i++) {
      gapLo[i] = arm(0.70, 2)[i] - arm(0.60, 0)[i];
      gapHi[i] = arm(0.68, 3)[i] - arm(0.66, 1)[i];
    }
    assertEquals(mean(gapLo, gapHi), gap.test().meanDiff(), 1e-12);
    assertEquals(0.08, gap.test().meanDiff(), 1e-12);
    assertEquals(BenchReport.Outcome.HELD, gap.outcome());
  }

  @Test
  void bothClaimsFailWhenSupConLosesAndTheGapWidens() {
    // SupCon 0.66 at 64 -> 0.60 at 1024; CLCE 0.70 -> 0.72: gap 0.04 -> 0.12.
    Values x = new Values().put(BenchPlan.SUPCON, 64, arm(0.66, 0)).put(BenchPlan.SUPCON, 1024, arm(0.60, 1))
        .put(BenchPlan.CLCE, 64, arm(0.70, 2)).put(BenchPlan.CLCE, 1024, arm(0.72, 3));
    List<BenchReport.Claim> c = BenchReport.decide(BenchReport.batchTrendClaims(BATCHES, x), BenchReport.ALPHA);
    assertEquals(-0.06, c.get(0).test().meanDiff(), 1e-12);
    assertEquals(BenchReport.Outcome.NOT_HELD, c.get(0).outcome());
    assertEquals(-0.08, c.get(1).test().meanDiff(), 1e-12);
    assertEquals(BenchReport.Outcome.NOT_HELD, c.get(1).outcome());
  }

  @Test
  void smallDifferencesAreInconclusive() {
    // SupCon gains 0.001 on average with per-seed noise 10 times larger: no significance either way.
    Values x = new Values().put(BenchPlan.SUPCON, 64, arm(0.60, 0)).put(BenchPlan.SUPCON, 1024, arm(0.601, 1))
        .put(BenchPlan.CLCE, 64, arm(0.70, 2)).put(BenchPlan.CLCE, 1024, arm(0.701, 3));
    List<BenchReport.Claim> c = BenchReport.decide(BenchReport.batchTrendClaims(BATCHES, x), BenchReport.ALPHA);
    assertEquals(BenchReport.Outcome.INCONCLUSIVE, c.get(0).outcome());
    assertTrue(c.get(0).pHolm() > BenchReport.ALPHA, String.valueOf(c.get(0).pHolm()));
    assertNotNull(c.get(0).test());
  }

  @Test
  void oneBatchSizeOrAMissingArmHasNoTest() {
    Values x = new Values().put(BenchPlan.SUPCON, 8, arm(0.60, 0)).put(BenchPlan.CLCE, 8, arm(0.70, 2));
    List<BenchReport.Claim> c = BenchReport.decide(BenchReport.batchTrendClaims(List.of(8), x), BenchReport.ALPHA);
    for (BenchReport.Claim k : c) {
      assertNull(k.test(), k.claim());
      assertTrue(Double.isNaN(k.p()) && Double.isNaN(k.pHolm()), k.claim());
      assertEquals(BenchReport.Outcome.INCONCLUSIVE, k.outcome(), k.claim());
      assertEquals("one batch size: no trend to test", k.note(), k.claim());
      assertEquals("n/a", BenchReport.showP(k.pHolm()));
    }
    // The largest batch's SupCon runs are missing: not measured, no test.
    Values y = new Values().put(BenchPlan.SUPCON, 64, arm(0.60, 0)).put(BenchPlan.CLCE, 64, arm(0.70, 2))
        .put(BenchPlan.CLCE, 1024, arm(0.70, 3));
    c = BenchReport.decide(BenchReport.batchTrendClaims(BATCHES, y), BenchReport.ALPHA);
    for (BenchReport.Claim k : c) {
      assertNull(k.test(), k.claim());
      assertEquals("not measured", k.note(), k.claim());
      assertEquals(BenchReport.Outcome.INCONCLUSIVE, k.outcome(), k.claim());
    }
  }
}

package dev.clce.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Power against published values of R's {@code power.t.test} (its help page examples and the paired
 * case) and a Monte Carlo reference ({@code clce-bench/src/test/python/power_reference.py}, numpy).
 */
class PairedPowerTest {

  @Test
  void twoSampleExampleOfRsHelpPage() {
    // power.t.test(n = 20, delta = 1): power = 0.8689528 (two-sample: df 38, ncp sqrt(20 / 2)).
    assertEquals(0.8689528, PairedPower.power(38, Math.sqrt(10), 0.05), 1e-6);
    // power.t.test(power = .90, delta = 1): n = 22.02110 per group, so 22 falls short and 23 reaches it.
    assertTrue(PairedPower.power(2 * 21, Math.sqrt(22 / 2.0), 0.05) < 0.9);
    assertTrue(PairedPower.power(2 * 22, Math.sqrt(23 / 2.0), 0.05) >= 0.9);
  }

  @Test
  void pairedCase() {
    // power.t.test(delta = 1, sd = 1, power = 0.8, type = "paired"): n = 9.937864, so 10 pairs.
    assertEquals(OptionalInt.of(10), PairedPower.pairsNeeded(1.0, 1.0, 0.05, 0.8));
    assertEquals(OptionalInt.of(10), PairedPower.pairsNeeded(-0.02, 0.02, 0.05, 0.8), "sign does not matter");
    // Monte Carlo (power_reference.py, 4e6 draws, standard error 2.5e-4): paired n = 5, d = 1.
    assertEquals(0.40133, PairedPower.power(4, Math.sqrt(5), 0.05), 1.5e-3);
    // n = 2 (df = 1: the chi-squared density is unbounded at 0), d = 2: Monte Carlo 0.17602.
    assertEquals(0.17602, PairedPower.power(1, 2 * Math.sqrt(2), 0.05), 1.5e-3);
    // No effect: the power is the level.
    assertEquals(0.05, PairedPower.power(7, 0, 0.05), 1e-9);
  }

  @Test
  void noSpreadOrNoEffectHasNoAnswer() {
    assertFalse(PairedPower.pairsNeeded(0.01, 0, 0.05, 0.8).isPresent());
    assertFalse(PairedPower.pairsNeeded(0, 0.01, 0.05, 0.8).isPresent());
    assertFalse(PairedPower.pairsNeeded(1e-6, 1, 0.05, 0.8).isPresent(), "beyond MAX_PAIRS");
  }

  @Test
  void badInputIsRefused() {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> PairedPower.power(0, 1, 0.05));
    assertTrue(ex.getMessage().startsWith("df:"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> PairedPower.pairsNeeded(1, 1, 0.05, 0.01));
    assertTrue(ex.getMessage().startsWith("target:"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> PairedPower.power(3, 1, 1.5));
    assertTrue(ex.getMessage().startsWith("alpha:"), ex.getMessage());
  }
}

package dev.clce.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Command-line names of the losses and the inputs each reads. */
class LossKindTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "ce, CE", "CE, CE", "supcon, SUPCON", "SupCon, SUPCON", "hscl, HSCL", "cl, CL", "lacln, LACLN",
    "clce, CLCE", "' CLCE ', CLCE",
    "ce+supcon, CE_SUPCON", "CE+SUPCON, CE_SUPCON", "ce_supcon, CE_SUPCON", "ce-supcon, CE_SUPCON",
    "Ce_SupCon, CE_SUPCON",
    "ce+cl, CE_CL", "ce_cl, CE_CL", "CE-CL, CE_CL"
  })
  void parsesEveryAcceptedSpelling(String name, LossKind expected) {
    assertEquals(expected, LossKind.parse(name));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(LossKind.class)
  void cliNameRoundTrips(LossKind kind) {
    assertEquals(kind, LossKind.parse(kind.cliName()));
  }

  @Test
  void combinationNames() {
    assertEquals("ce+supcon", LossKind.CE_SUPCON.cliName());
    assertEquals("ce+cl", LossKind.CE_CL.cliName());
    assertEquals("clce", LossKind.CLCE.cliName());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = LossKind.class, names = {"CLCE", "CE_SUPCON", "CE_CL"})
  void combinationsReadEmbeddingsAndLogits(LossKind kind) {
    assertTrue(kind.usesEmbeddings());
    assertTrue(kind.usesLogits());
  }

  @Test
  void contrastiveLossesReadNoLogits() {
    assertFalse(LossKind.SUPCON.usesLogits());
    assertFalse(LossKind.CL.usesLogits());
  }

  @Test
  void unknownNameListsEveryLoss() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LossKind.parse("ce+foo"));
    assertEquals("loss: unknown value 'ce+foo' (expected one of ce, supcon, hscl, cl, lacln, clce, ce+supcon, ce+cl)",
        e.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LossKind.parse(null)).getMessage()
        .startsWith("loss: unknown value 'null'"));
    assertThrows(IllegalArgumentException.class, () -> LossKind.parse("cesupcon"));
  }
}

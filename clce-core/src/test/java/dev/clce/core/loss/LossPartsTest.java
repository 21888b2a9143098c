package dev.clce.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The parts of every loss kind, written out by hand from LOSSES.md (the table the three forms read). */
class LossPartsTest {

  private static LossParts parts(LossKind k, double lambda, Aggregation a, boolean detach) {
    return LossConfig.builder(k).optLambda(lambda).optAggregation(a).optDetachWeights(detach).build().parts();
  }

  private static void assertParts(LossParts p, boolean ce, double ceWeight, LossKind term, double weight,
      NegativeWeighting negatives, Aggregation aggregation) {
    assertEquals(new LossParts(ce, ceWeight, term, weight, negatives, aggregation), p);
    assertEquals(term != null, p.contrastive());
  }

  @Test
  void everyKindResolvesToItsTermsAndWeights() {
    Aggregation lom = Aggregation.LOG_OF_MEAN;
    Aggregation mol = Aggregation.MEAN_OF_LOG;
    assertParts(parts(LossKind.CE, 0.3, mol, true), true, 1.0, null, 0.0, null, null);
    assertParts(parts(LossKind.SUPCON, 0.3, lom, true), false, 0.0, LossKind.SUPCON, 1.0,
        NegativeWeighting.UNIFORM, mol);
    assertParts(parts(LossKind.HSCL, 0.3, lom, true), false, 0.0, LossKind.HSCL, 1.0,
        NegativeWeighting.IMPORTANCE, null);
    assertParts(parts(LossKind.CL, 0.3, mol, true), false, 0.0, LossKind.CL, 1.0, NegativeWeighting.UNIFORM, mol);
    assertParts(parts(LossKind.LACLN, 0.3, lom, false), false, 0.0, LossKind.LACLN, 1.0, NegativeWeighting.HARD, lom);
    assertParts(parts(LossKind.LACLN, 0.3, mol, true), false, 0.0, LossKind.LACLN, 1.0,
        NegativeWeighting.HARD_DETACHED, mol);
    assertParts(parts(LossKind.CLCE, 0.3, mol, true), true, 0.7, LossKind.LACLN, 0.3,
        NegativeWeighting.HARD_DETACHED, mol);
    assertParts(parts(LossKind.CLCE, 0.9, lom, false), true, 1.0 - 0.9, LossKind.LACLN, 0.9,
        NegativeWeighting.HARD, lom);
    assertParts(parts(LossKind.CE_SUPCON, 0.4, lom, true), true, 0.6, LossKind.SUPCON, 0.4,
        NegativeWeighting.UNIFORM, mol);
    assertParts(parts(LossKind.CE_CL, 0.25, mol, true), true, 0.75, LossKind.CL, 0.25,
        NegativeWeighting.UNIFORM, mol);
    // lambda = 1 keeps the cross-entropy term (the logits are still read) at weight 0.
    assertParts(parts(LossKind.CLCE, 1.0, lom, false), true, 0.0, LossKind.LACLN, 1.0, NegativeWeighting.HARD, lom);
  }

  @Test
  void kindsKnowTheirContrastiveTerm() {
    for (LossKind k : LossKind.values()) {
      assertEquals(k.usesEmbeddings(), k.contrastiveTerm().isPresent(), k.toString());
      k.contrastiveTerm().ifPresent(t -> assertTrue(t.isContrastiveOnly(), k + " -> " + t));
    }
    assertFalse(LossKind.CLCE.isContrastiveOnly());
    assertFalse(LossKind.CE.isContrastiveOnly());
    assertNull(LossKind.CE.contrastiveTerm().orElse(null));
  }
}

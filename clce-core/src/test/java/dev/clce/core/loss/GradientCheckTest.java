package dev.clce.core.loss;

import static dev.clce.core.loss.LossTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.reference.TestBatches;
import dev.clce.core.reference.TestBatches.Batch;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.validation.GradCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's finite-difference gradient checker on every SameDiff loss, in double (checked inputs as
 * variables, labels as an INT32 placeholder). (The project's own gradient-check helper is run on
 * the losses in {@code dev.clce.core.gradcheck.GradientCheckClceLossTest}.) Detached weights fail such a check by design, so for
 * them the test shows that the gradient differs from the full one while the value does not.
 */
class GradientCheckTest {
  private static final Batch BATCH = TestBatches.withSingletons(6, 2, 3, 41);
  private static DataType savedDefault;
  private static DataType savedFloating;

  @BeforeAll
  static void doublePrecision() {
    savedDefault = Nd4j.dataType();
    savedFloating = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  @AfterAll
  static void restore() {
    Nd4j.setDefaultDataTypes(savedDefault, savedFloating);
  }

  static Stream<Arguments> cases() {
    return differentiableVariants().stream().map(v -> Arguments.of(describe(withTau(v, 0.2)), withTau(v, 0.2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void finiteDifferencesAgree(String label, LossConfig cfg) {
    SameDiff sd = SameDiff.create();
    SDVariable z = cfg.kind().usesEmbeddings() ? sd.var(Z, array(BATCH.z(), DataType.DOUBLE)) : null;
    SDVariable o = cfg.kind().usesLogits() ? sd.var(O, array(BATCH.o(), DataType.DOUBLE)) : null;
    SDVariable y = sd.placeHolder(Y, DataType.INT32, BATCH.m());
    SDClceLoss.of(sd).loss(LOSS, cfg, z, y, o).markAsLoss();
    boolean ok = GradCheckUtil.checkGradients(sd, Map.of(Y, labels(BATCH.y())), 1e-6, 1e-5, 1e-10, false, false);
    assertTrue(ok, "GradCheckUtil failed for " + cfg);
  }

  @ParameterizedTest
  @EnumSource(Aggregation.class)
  void detachedWeightsKeepTheValueButChangeTheGradient(Aggregation aggregation) {
    LossConfig full = LossConfig.builder(LossKind.LACLN).optTau(0.2).optAggregation(aggregation).build();
    LossConfig detached = full.toBuilder().optDetachWeights(true).build();
    LossResult a = runSameDiff(full, BATCH, DataType.DOUBLE);
    LossResult b = runSameDiff(detached, BATCH, DataType.DOUBLE);
    assertTrue(relErr(b.value(), a.value()) < 1e-12, () -> b.value() + " vs " + a.value());
    double diff = relErr(b.gradEmbeddings(), a.gradEmbeddings());
    assertTrue(diff > 1e-3, () -> "detached gradient should differ from the full one, relative difference " + diff);
  }
}

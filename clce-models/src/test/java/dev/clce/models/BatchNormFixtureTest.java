package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The trainable BatchNorm against PyTorch, on fixtures made by
 * {@code src/test/python/make_bn_fixtures.py} (a tiny torchvision-layout ResNet: widths 4-32, one
 * basic block per stage, small stem, 8 px, 5 classes): training-mode logits, running statistics
 * after K training steps (through the {@code sd.fit} listener and through
 * {@link BatchNormStatistics#updateFromForward}), and eval-mode logits and embeddings. Tolerance
 * {@code 1e-5 (1 + |reference|)}.
 */
class BatchNormFixtureTest {
  private static final double TOL = 1e-5;
  private static final int K = 3;
  private static Map<String, INDArray> fx;

  @BeforeAll
  static void load() {
    fx = Fixtures.npz("/fixtures/bn/bn_fixtures.npz");
  }

  private static ModelOptions options() {
    return ModelOptions.builder().optClasses(5).optImageSize(8).optChannels(3).optStem(Stem.SMALL).optWidth(1.0 / 16).build();
  }

  /** A fresh tiny ResNet with PyTorch's initial weights and buffers. */
  private static EncoderModel model() {
    EncoderModel m = ResNetBuilder.basic("tiny", new int[] {1, 1, 1, 1}, options()).build();
    Fixtures.loadState(m, fx, "init.");
    return m;
  }

  private static void assertClose(INDArray expected, INDArray actual, String what) {
    Fixtures.assertClose(expected, actual, TOL, what);
  }

  private static void assertRunningStatisticsMatch(EncoderModel m) {
    SameDiff sd = m.sameDiff();
    int checked = 0;
    for (String name : m.stateNames()) {
      INDArray ref = fx.get("after." + name);
      if (ref == null) {
        continue;
      }
      checked++;
      if (name.endsWith(".num_batches_tracked")) {
        assertEquals(ref.getLong(0), sd.getArrForVarName(name).getLong(0), name);
      } else {
        assertClose(ref, sd.getArrForVarName(name), name);
      }
    }
    assertEquals(3 * m.batchNormStatistics().layers().size(), checked);
  }

  @Test
  void trainingModeUsesBatchStatistics() {
    EncoderModel m = model();
    assertTrue(m.isTraining());
    assertClose(fx.get("train0_logits"), m.output(fx.get("train_x.0")).get(ModelNames.LOGITS), "train0_logits");
  }

  @Test
  void fitListenerUpdatesRunningStatisticsLikePyTorchAndEvalMatches() {
    EncoderModel m = model();
    SameDiff sd = m.sameDiff();
    TinyModels.addLoss(m);
    sd.setTrainingConfig(TrainingConfig.builder()
        .updater(new Sgd(0.0))   // weights stay as in PyTorch, which only ran forward passes
        .dataSetFeatureMapping(ModelNames.INPUT)
        .dataSetLabelMapping(TinyModels.LABELS)
        .build());
    for (int k = 0; k < K; k++) {
      INDArray x = fx.get("train_x." + k);
      sd.fit(new DataSet(x, TinyModels.labels((int) x.size(0))), m.batchNormStatistics().listener());
    }
    assertRunningStatisticsMatch(m);

    m.setTraining(false);
    Map<String, INDArray> out = m.output(fx.get("eval_x"));
    assertClose(fx.get("eval_logits"), out.get(ModelNames.LOGITS), "eval_logits");
    assertClose(fx.get("eval_embedding"), out.get(ModelNames.EMBEDDING), "eval_embedding");
  }

  @Test
  void fitInInferenceModeLeavesRunningStatisticsAlone() {
    EncoderModel m = model();
    SameDiff sd = m.sameDiff();
    TinyModels.addLoss(m);
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Sgd(0.0))
        .dataSetFeatureMapping(ModelNames.INPUT).dataSetLabelMapping(TinyModels.LABELS).build());
    m.setTraining(false);
    INDArray before = sd.getArrForVarName("layer2.0.bn1.running_var").dup();
    INDArray x = fx.get("train_x.0");
    sd.fit(new DataSet(x, TinyModels.labels((int) x.size(0))), m.batchNormStatistics().listener());
    assertEquals(before, sd.getArrForVarName("layer2.0.bn1.running_var"));
    assertEquals(0L, sd.getArrForVarName("layer2.0.bn1.num_batches_tracked").getLong(0));
  }

  @Test
  void explicitUpdateMatchesPyTorch() {
    EncoderModel m = model();
    for (int k = 0; k < K; k++) {
      Map<String, INDArray> ph = new HashMap<>();
      ph.put(ModelNames.INPUT, fx.get("train_x." + k));
      m.batchNormStatistics().updateFromForward(ph);
    }
    assertRunningStatisticsMatch(m);
    m.setTraining(false);
    assertClose(fx.get("eval_logits"), m.output(fx.get("eval_x")).get(ModelNames.LOGITS), "eval_logits");
    m.setTraining(true);
    assertClose(fx.get("train0_logits"), m.output(fx.get("train_x.0")).get(ModelNames.LOGITS), "train0_logits after switching back");
  }

  @Test
  void updateRefusesMissingStatisticsWithoutChangingAnything() {
    EncoderModel m = model();
    INDArray before = m.sameDiff().getArrForVarName("bn1.running_mean").dup();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> m.batchNormStatistics().update(Map.of(), 4));
    assertTrue(e.getMessage().startsWith("batchStats:"), e.getMessage());
    assertEquals(before, m.sameDiff().getArrForVarName("bn1.running_mean"));
  }
}

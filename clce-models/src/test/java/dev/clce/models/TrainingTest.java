package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/** One tiny model per family trains: a few Adam steps on one small batch lower the loss. */
class TrainingTest {

  @ParameterizedTest
  @EnumSource(value = Arch.class, names = {"RESNET18", "VIT_TI_16"})
  void lossFallsOverAFewAdamSteps(Arch arch) {
    ModelOptions o = TinyModels.options(arch);
    EncoderModel m = arch.create(o);
    SameDiff sd = m.sameDiff();
    TinyModels.addLoss(m);
    sd.setTrainingConfig(TrainingConfig.builder()
        .updater(new Adam(1e-2))
        .dataSetFeatureMapping(ModelNames.INPUT)
        .dataSetLabelMapping(TinyModels.LABELS)
        .build());
    int n = 10;
    INDArray x = TinyModels.input(o, n, 3);
    INDArray y = TinyModels.labels(n);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(ModelNames.INPUT, x);
    ph.put(TinyModels.LABELS, y);
    double before = sd.output(ph, TinyModels.LOSS).get(TinyModels.LOSS).getDouble(0);
    DataSet batch = new DataSet(x, y);
    for (int step = 0; step < 10; step++) {
      sd.fit(batch, m.batchNormStatistics().listener());
    }
    double after = sd.output(ph, TinyModels.LOSS).get(TinyModels.LOSS).getDouble(0);
    assertTrue(Double.isFinite(after) && after < 0.8 * before, arch + ": loss " + before + " -> " + after);
  }
}

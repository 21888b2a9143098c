package dev.clce.bench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.bench.data.DataSpec;
import dev.clce.bench.train.SyntheticFashion;
import dev.clce.bench.train.TrainConfig;
import dev.clce.models.Arch;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelOptions;
import dev.clce.models.Stem;
import dev.clce.models.weights.ModelWeights;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A preset's weights are ImageNet-shaped (3 channels, as the torchvision converter writes them); the
 * bench's data is grey. The bench checks them before any run and loads them with the stem folded.
 */
class PretrainedWeightsTest {
  private static final int IMAGE_SIZE = 12;

  /** The tiny preset with an ImageNet stem and the given weights. */
  private static BenchPreset withWeights(BenchPreset t, Path weights) {
    return new BenchPreset("tiny-weights", t.note(), t.data(), t.baseClasses(), t.novelClasses(), Arch.RESNET18,
        Stem.IMAGENET, t.width(), t.maxBlocks(), IMAGE_SIZE, weights, t.tau(), t.lambda(), t.lr(), t.pretrainLr(),
        t.pretrainSteps(), t.pretrainPerClass(), t.labelledPerClass(), t.testPerClass(), t.transferEpochs(),
        t.baseFinetuneSteps(), t.batches(), t.chunk(), t.chunkCheck(), t.seeds(), t.lambdaSeeds(), t.fewShotSeeds(),
        t.lambdas(), t.episodes(), t.tsnePoints(), t.tsneIterations(), t.scratch());
  }

  private static EncoderModel rgbModel(BenchPreset t, double width) {
    return Arch.RESNET18.create(ModelOptions.builder().optStem(Stem.IMAGENET).optWidth(width)
        .optMaxBlocksPerStage(t.maxBlocks()).optChannels(3).optImageSize(224).optClasses(1000).optSeed(5).build());
  }

  @Test
  void rgbWeightsAreCheckedThenLoadedIntoTheGreyEncoderWithTheStemFolded(@TempDir Path tmp) throws Exception {
    BenchPreset tiny = BenchPreset.tiny(DataSpec.parse("fashion-mnist:" + SyntheticFashion.write(tmp.resolve("data"),
        10, 40, 20, 5)));
    EncoderModel rgb = rgbModel(tiny, tiny.width());
    Path file = tmp.resolve("rgb.safetensors");
    ModelWeights.export(rgb, file);

    StringWriter progress = new StringWriter();
    BenchRunner runner = new BenchRunner(withWeights(tiny, file), tmp.resolve("out"), new PrintWriter(progress, true));
    Arm first = runner.plan().arms().get(0);
    TrainConfig config = runner.config(first, List.of(0.5), List.of(0.25), 1);
    runner.checkWeights(config);
    assertTrue(progress.toString().contains("weights: rgb.safetensors: conv1.weight: [")
        && progress.toString().contains("(summed over the 3 input channels)"), progress.toString());

    EncoderModel grey = config.arch().create(config.modelOptions(5));
    runner.loadPretrained(grey, null);
    INDArray w = rgb.stateArray("conv1.weight");
    INDArray folded = grey.stateArray("conv1.weight");
    assertEquals(1, folded.size(1));
    for (long o = 0; o < w.size(0); o++) {
      double worst = 0;
      for (long y = 0; y < w.size(2); y++) {
        for (long x = 0; x < w.size(3); x++) {
          double sum = w.getDouble(o, 0, y, x) + w.getDouble(o, 1, y, x) + w.getDouble(o, 2, y, x);
          worst = Math.max(worst, Math.abs(sum - folded.getDouble(o, 0, y, x)) / Math.max(1, Math.abs(sum)));
        }
      }
      assertTrue(worst <= 1e-6, "conv1 filter " + o + ": " + worst);
    }
    int same = 0;
    for (String n : grey.featureParameterNames()) {
      if (!n.equals("conv1.weight")) {
        assertEquals(rgb.stateArray(n), grey.stateArray(n), n + " loads unchanged");
        same++;
      }
    }
    assertTrue(same > 10, "backbone tensors compared: " + same);
  }

  @Test
  void weightsOfAnotherEncoderAreRefusedBeforeAnyRun(@TempDir Path tmp) throws Exception {
    BenchPreset tiny = BenchPreset.tiny(DataSpec.parse("fashion-mnist:" + SyntheticFashion.write(tmp.resolve("data"),
        10, 40, 20, 5)));
    Path file = tmp.resolve("wide.safetensors");
    ModelWeights.export(rgbModel(tiny, 2 * tiny.width()), file);
    BenchRunner runner = new BenchRunner(withWeights(tiny, file), tmp.resolve("out"), null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, runner::run);
    assertTrue(e.getMessage().startsWith("file: " + file + " does not fit the model (")
        && e.getMessage().contains("shape of 'layer1.0.conv1.weight'"), e.getMessage());
    assertTrue(!tmp.resolve("out").resolve(BenchRunner.RUNS_DIR).toFile().exists(), "no run started");
  }
}

package dev.clce.models.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.internal.Npy;
import dev.clce.models.Arch;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Weights for another input: against torchvision's own {@code interpolate_embeddings} and timm's
 * stem folding (fixtures from {@code src/test/python/make_adaptation_fixtures.py}, float64),
 * compared per token or per output channel; and through {@link StateDict} with
 * {@link LoadRule#withInputAdaptation()}.
 */
class InputAdaptationTest {
  private static final Path DIR = Path.of("src", "test", "resources", "fixtures", "adapt");

  private static INDArray fixture(String name) {
    return Npy.read(DIR.resolve(name + ".npy")).castTo(DataType.DOUBLE);
  }

  @ParameterizedTest
  @CsvSource({"14, 2", "14, 5", "3, 7"})
  void positionEmbeddingsMatchTorchvision(int g, int n) {
    INDArray in = fixture("pos_" + g + "_to_" + n + ".in");
    INDArray want = fixture("pos_" + g + "_to_" + n + ".out");
    INDArray got = InputAdaptation.adapt(InputAdaptation.POSITION_EMBEDDING, in, want.shape());
    assertArrayEquals(want.shape(), got.shape());
    for (int t = 0; t < want.size(1); t++) {
      double scale = 0;
      double diff = 0;
      for (int k = 0; k < want.size(2); k++) {
        scale = Math.max(scale, Math.abs(want.getDouble(0, t, k)));
        diff = Math.max(diff, Math.abs(want.getDouble(0, t, k) - got.getDouble(0, t, k)));
      }
      assertTrue(diff <= 1e-12 * Math.max(scale, 1), "grid " + g + " -> " + n + ", token " + t + ": " + diff);
    }
  }

  @ParameterizedTest
  @CsvSource({"3, 1", "1, 3", "3, 2", "3, 5"})
  void stemConvolutionsMatchTimmsFolding(int cf, int c) {
    INDArray in = fixture("conv_" + cf + "_to_" + c + ".in");
    INDArray want = fixture("conv_" + cf + "_to_" + c + ".out");
    INDArray got = InputAdaptation.adapt("conv1.weight", in, want.shape());
    for (int o = 0; o < want.size(0); o++) {
      INDArray w = want.slice(o);
      double diff = w.sub(got.slice(o)).amaxNumber().doubleValue();
      assertTrue(diff <= 1e-12 * Math.max(w.amaxNumber().doubleValue(), 1), cf + " -> " + c + ", output " + o + ": " + diff);
    }
  }

  @Test
  void onlyInputDependentTensorsAreAdapted() {
    assertNull(InputAdaptation.describe("layer1.0.conv1.weight", new long[] {8, 3, 3, 3}, new long[] {8, 1, 3, 3}));
    assertNull(InputAdaptation.describe("conv1.weight", new long[] {8, 3, 7, 7}, new long[] {16, 1, 7, 7}));
    assertNull(InputAdaptation.describe("conv1.weight", new long[] {8, 3, 7, 7}, new long[] {8, 1, 3, 3}));
    assertNull(InputAdaptation.describe(InputAdaptation.POSITION_EMBEDDING, new long[] {1, 197, 8}, new long[] {1, 5, 16}));
    assertNull(InputAdaptation.describe(InputAdaptation.POSITION_EMBEDDING, new long[] {1, 196, 8}, new long[] {1, 5, 8}));
    assertEquals("conv_proj.weight: [8, 3, 4, 4] -> [8, 1, 4, 4] (summed over the 3 input channels)",
        InputAdaptation.describe("conv_proj.weight", new long[] {8, 3, 4, 4}, new long[] {8, 1, 4, 4}));
  }

  private static EncoderModel vit(int channels, int imageSize, long seed) {
    return Arch.VIT_TI_16.create(ModelOptions.builder().optChannels(channels).optImageSize(imageSize).optWidth(0.05)
        .optMaxBlocksPerStage(1).optClasses(3).optSeed(seed).build());
  }

  private static Map<String, INDArray> state(EncoderModel m) {
    Map<String, INDArray> s = new LinkedHashMap<>();
    m.stateNames().forEach(n -> s.put(n, m.stateArray(n).dup()));
    return s;
  }

  /** ImageNet-shaped weights (3 channels, 64 px: a 4 x 4 grid) into a grey 32 px ViT (2 x 2). */
  @Test
  void aViTForAnotherInputLoadsOnlyWithTheRule() {
    Map<String, INDArray> rgb = state(vit(3, 64, 1));
    EncoderModel grey = vit(1, 32, 2);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> StateDict.load(grey, rgb, LoadRule.strict(), Path.of("vit.safetensors")));
    assertTrue(refused.getMessage().contains("shape of 'conv_proj.weight': file [")
        && refused.getMessage().contains("shape of 'encoder.pos_embedding'"), refused.getMessage());

    StateDict.Result r = StateDict.load(grey, rgb, LoadRule.strict().withInputAdaptation(), null);
    assertEquals(2, r.adapted().size(), r.adapted().toString());
    INDArray w = rgb.get("conv_proj.weight");
    INDArray folded = grey.stateArray("conv_proj.weight");
    for (long o = 0; o < w.size(0); o++) {
      for (long y = 0; y < w.size(2); y++) {
        for (long x = 0; x < w.size(3); x++) {
          double sum = w.getDouble(o, 0, y, x) + w.getDouble(o, 1, y, x) + w.getDouble(o, 2, y, x);
          assertEquals(sum, folded.getDouble(o, 0, y, x), 1e-6 * Math.max(1, Math.abs(sum)), "conv_proj " + o);
        }
      }
    }
    INDArray pos = grey.stateArray("encoder.pos_embedding");
    assertEquals(rgb.get("encoder.pos_embedding").slice(0).getRow(0), pos.slice(0).getRow(0), "class token kept");
    for (String n : grey.stateNames()) {
      if (!n.equals("conv_proj.weight") && !n.equals("encoder.pos_embedding")) {
        assertEquals(rgb.get(n), grey.stateArray(n), n + " loads unchanged");
      }
    }
  }

  @Test
  void otherShapeDifferencesAreStillRefused() {
    Map<String, INDArray> rgb = state(vit(3, 64, 1));
    EncoderModel otherWidth = Arch.VIT_TI_16.create(ModelOptions.builder().optChannels(1).optImageSize(32).optWidth(0.1)
        .optMaxBlocksPerStage(1).optClasses(3).build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StateDict.load(otherWidth, rgb, LoadRule.strict().withInputAdaptation(), null));
    assertTrue(e.getMessage().contains("shape of 'class_token'"), e.getMessage());
  }
}

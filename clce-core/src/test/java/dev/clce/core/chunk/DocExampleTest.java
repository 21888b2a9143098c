package dev.clce.core.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.SDClceLoss;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The example of docs/GRADIENT-CACHING.md runs, gives the full-batch gradient, and trains; and the
 * page shows exactly the code between the markers below.
 */
class DocExampleTest {
  private static final Path DOC = Path.of("..", "docs", "GRADIENT-CACHING.md");
  private static final Path SELF = Path.of("src", "test", "java", "dev", "clce", "core", "chunk", "DocExampleTest.java");

  @Test
  void theDocumentedExampleGivesTheFullBatchGradientAndTrains() {
    // --- example ---
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 16);
    SDVariable y = sd.placeHolder("y", DataType.INT32, -1);
    SDVariable w = sd.var("w", Nd4j.randn(42L, new long[] {16, 32}).castTo(DataType.FLOAT).muli(0.25));
    SDVariable head = sd.var("head", Nd4j.randn(43L, new long[] {32, 4}).castTo(DataType.FLOAT).muli(0.25));
    SDVariable z = sd.math.tanh("z", x.mmul(w));          // embeddings [N, 32]
    SDVariable logits = z.mmul("logits", head);           // logits [N, 4]
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).build();
    SDClceLoss.of(sd).loss("loss", cfg, z, y, logits).markAsLoss();   // your own loss stays usable

    ChunkedGradients chunked = ChunkedGradients.builder(sd, cfg)
        .optEmbeddings("z")
        .optLogits("logits")
        .build();                                          // adds the surrogate once

    INDArray xs = Nd4j.randn(7L, new long[] {256, 16}).castTo(DataType.FLOAT);
    int[] labels = new int[256];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (i / 2) % 4;                             // two views of each image, 4 classes
    }
    INDArray ys = Nd4j.createFromArray(labels);

    double first = Double.NaN;
    double last = Double.NaN;
    for (int step = 0; step < 20; step++) {
      ChunkedResult r = chunked.compute(xs, ys, 64);      // batch 256 in chunks of 64
      for (Map.Entry<String, INDArray> g : r.gradients().entrySet()) {
        sd.getArrForVarName(g.getKey()).subi(g.getValue().muli(0.5));   // plain SGD, learning rate 0.5
      }
      first = step == 0 ? r.loss() : first;
      last = r.loss();
    }
    // --- end ---
    assertTrue(last < first - 0.05, "the loss should fall: " + first + " -> " + last);
    // the gradient is the full batch's: SameDiff's autodiff of the same loss on all 256 rows at once
    Map<String, INDArray> ph = new HashMap<>();
    ph.put("x", xs);
    ph.put("y", ys);
    Map<String, INDArray> full = sd.calculateGradients(ph, List.of("w", "head"));
    ChunkedResult r = chunked.compute(xs, ys, 64);
    GradientAssertions.assertSameGradients(full, r.gradients(), 1e-4, "float, batch 256, chunk 64");
    assertEquals(sd.output(ph, "loss").get("loss").getDouble(0), r.loss(), 1e-5);
  }

  @Test
  void thePageShowsThisCode() throws IOException {
    String self = Files.readString(SELF, StandardCharsets.UTF_8);
    String code = self.substring(self.indexOf("// --- example ---\n") + "// --- example ---\n".length(), self.indexOf("    // --- end ---"));
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    assertTrue(normalise(doc).contains(normalise(code)), "docs/GRADIENT-CACHING.md must show the example of " + SELF
        + " between the markers, as it is here");
  }

  /** Drops each line's leading indentation. */
  private static String normalise(String s) {
    StringBuilder b = new StringBuilder();
    for (String line : s.split("\n")) {
      b.append(line.strip()).append('\n');
    }
    return b.toString();
  }
}

package dev.clce.core.gradcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.SDClceLoss;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The gradient-check example of docs/DL4J.md, as written there (keep the two in step). */
class DocExampleTest {

  @Test
  void theDocumentedExamplePasses() {
    Nd4j.getRandom().setSeed(1);
    // --- from docs/DL4J.md ---
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 5);
    SDVariable y = sd.placeHolder("y", DataType.INT32, -1);
    SDVariable w = sd.var("w", Nd4j.randn(DataType.FLOAT, 5, 4));
    SDVariable head = sd.var("head", Nd4j.randn(DataType.FLOAT, 4, 3));
    SDVariable z = sd.math.tanh(x.mmul(w));             // embeddings
    SDVariable logits = z.mmul(head);
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    SDClceLoss.of(sd).loss("loss", cfg, z, y, logits).markAsLoss();

    INDArray xs = Nd4j.randn(DataType.FLOAT, 8, 5);
    INDArray ys = Nd4j.createFromArray(0, 1, 2, 0, 0, 1, 2, 0); // two views of 4 images

    GradientCheckReport report = GradientCheck.builder(sd)
        .setLoss("loss")
        .setVariables("w", "head", "x")         // variables and/or floating placeholders
        .optPlaceholders(Map.of("x", xs, "y", ys))
        .optEpsilon(1e-6)                        // defaults shown
        .optMaxRelativeError(1e-5)
        .optMinAbsoluteError(1e-10)
        .optMaxPerVariable(10)                   // seeded random subset per variable
        .optSeed(12345)
        .build()
        .run();
    // --- end ---
    assertTrue(report.passed(), report::toString);
    assertEquals(30, report.checkedCount());
  }
}

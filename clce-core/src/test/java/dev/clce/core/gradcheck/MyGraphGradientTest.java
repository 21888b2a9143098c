package dev.clce.core.gradcheck;

// --- docs/DL4J.md: JUnit 5 gradient check ---
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.SDClceLoss;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Gradient check of a small encoder + head trained with CLCE: copy and put your own graph in. */
class MyGraphGradientTest {

  /** Builds the graph exactly as the training code does (FLOAT, INT32 labels). */
  static SameDiff buildGraph() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6);
    SDVariable y = sd.placeHolder("y", DataType.INT32, -1);
    SDVariable w = sd.var("w", Nd4j.randn(DataType.FLOAT, 6, 5));
    SDVariable b = sd.var("b", Nd4j.zeros(DataType.FLOAT, 5));
    SDVariable head = sd.var("head", Nd4j.randn(DataType.FLOAT, 5, 3));
    SDVariable z = sd.math.tanh(x.mmul(w).add(b));       // embeddings
    SDVariable logits = z.mmul(head);
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    SDClceLoss.of(sd).loss("loss", cfg, z, y, logits).markAsLoss();
    return sd;
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Nd4j.getRandom().setSeed(42);
    SameDiff sd = buildGraph();
    GradientCheck.builder(sd)
        .setLoss("loss")
        .setVariables("w", "b", "head")
        .optPlaceholders(Map.of(
            "x", Nd4j.randn(DataType.FLOAT, 8, 6),
            "y", Nd4j.createFromArray(0, 1, 2, 1, 0, 1, 2, 1)))   // two views of 4 images
        .build()
        .run()
        .assertPassed();   // on failure: the worst parameter and entry, then the whole report
  }
}
// --- end ---

package dev.clce.models;

import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.SDClceLoss;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Tiny options for each registered variant, and the loss the tests train with (CLCE). */
final class TinyModels {
  static final int CLASSES = 5;
  static final int IMAGE = 32;
  static final String LABELS = "labels";
  static final String LOSS = "loss";

  private TinyModels() {
  }

  /** @return options that make {@code arch} small: narrow, at most 2 blocks per stage, 32 px */
  static ModelOptions options(Arch arch) {
    ModelOptions.Builder b = ModelOptions.builder().optClasses(CLASSES).optImageSize(IMAGE).optMaxBlocksPerStage(2).optSeed(7);
    if (arch.family() == Arch.Family.RESNET) {
      b.optWidth(1.0 / 16);
    } else {
      b.optWidth(1.0 / 32);
    }
    return b.build();
  }

  /**
   * Adds CLCE with the paper's defaults (tau 0.5, lambda 0.9) on the model's contrastive embedding,
   * the labels placeholder and the logits: the contrastive term reaches every parameter (including
   * a ViT's, whose classifier starts at zero), cross-entropy the classifier.
   */
  static SDVariable addLoss(EncoderModel m) {
    SameDiff sd = m.sameDiff();
    SDVariable labels = sd.placeHolder(LABELS, DataType.INT32, -1);
    SDVariable loss = SDClceLoss.of(sd).loss(LOSS, LossConfig.builder(LossKind.CLCE).build(), m.contrastiveEmbedding(), labels,
        m.logits());
    loss.markAsLoss();
    return loss;
  }

  static INDArray input(ModelOptions o, int n, long seed) {
    return Nd4j.randn(seed, new long[] {n, o.channels(), o.imageSize(), o.imageSize()}).castTo(o.dataType());
  }

  /** @return labels 0, 0, 1, 1, 2, 2, ... (mod CLASSES): every example of an even batch has a positive */
  static INDArray labels(int n) {
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = (i / 2) % CLASSES;
    }
    return Nd4j.createFromArray(l);
  }
}

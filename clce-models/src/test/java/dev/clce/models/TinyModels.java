package dev.clce.models;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Tiny options for each registered variant, and the loss the tests train with. */
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
   * Adds the training loss: softmax cross-entropy on the logits plus a term on the embedding so
   * that every parameter (including a ViT's, whose classifier starts at zero) gets a gradient.
   * TODO switch to SDClceLoss.of(sd).loss(...) once clce-core implements it.
   */
  static SDVariable addLoss(EncoderModel m) {
    SameDiff sd = m.sameDiff();
    SDVariable labels = sd.placeHolder(LABELS, DataType.INT32, -1);
    SDVariable oneHot = sd.oneHot(labels, m.spec().options().classes()).castTo(m.logits().dataType());
    SDVariable ce = sd.loss().softmaxCrossEntropy(oneHot, m.logits(), null);
    SDVariable e = m.contrastiveEmbedding();
    SDVariable reg = e.mul(e).mean().mul(0.01);
    SDVariable loss = ce.add(LOSS, reg);
    loss.markAsLoss();
    return loss;
  }

  static INDArray input(ModelOptions o, int n, long seed) {
    return Nd4j.randn(seed, new long[] {n, o.channels(), o.imageSize(), o.imageSize()}).castTo(o.dataType());
  }

  static INDArray labels(int n) {
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = i % CLASSES;
    }
    return Nd4j.createFromArray(l);
  }
}

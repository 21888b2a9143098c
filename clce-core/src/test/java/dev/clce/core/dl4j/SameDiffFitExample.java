package dev.clce.core.dl4j;

// --- docs/DL4J.md: sd.fit ---
import dev.clce.core.loss.SDClceLoss;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.XavierInitScheme;

class SameDiffFitExample {
  /**
   * Trains a SameDiff encoder with CLCE through sd.fit: the labels placeholder takes class indices.
   *
   * @param images any DL4J iterator of [N, 784] images with one-hot labels [N, 10]
   * @param epochs passes over the data
   * @return the trained graph: "z" embeddings, "logits"
   */
  static SameDiff trainSameDiff(DataSetIterator images, int epochs) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 784);
    SDVariable y = sd.placeHolder("y", DataType.INT32, -1);               // class indices [2N]
    SDVariable w = sd.var("w", new XavierInitScheme('c', 784, 128), DataType.FLOAT, 784, 128);
    SDVariable b = sd.zero("b", DataType.FLOAT, 128);
    SDVariable h = sd.nn.relu(x.mmul(w).add(b), 0);
    SDVariable z = h.mmul("z", sd.var("wz", new XavierInitScheme('c', 128, 32), DataType.FLOAT, 128, 32));
    SDVariable logits = h.mmul("logits", sd.var("wo", new XavierInitScheme('c', 128, 10), DataType.FLOAT, 128, 10));
    SDClceLoss.of(sd).clce("loss", z, y, logits, 0.5, 0.9).markAsLoss();   // tau, lambda

    sd.setTrainingConfig(TrainingConfig.builder()
        .updater(new Adam(1e-3))
        .dataSetFeatureMapping("x")     // the iterator's features: both views, 2N rows
        .dataSetLabelMapping("y")       // its one labels array
        .build());
    MultiDataSetIterator twoViews = TwoViewIterator.builder(images)
        .optAugmenter(ViewAugmenter.randomShiftFlip(1, 28, 28, 2, false))
        .optLabelFormat(TwoViewIterator.LabelFormat.CLASS_INDEX)   // one-hot [N, 10] -> indices [2N], INT32
        .optOutputs(1)
        .optSeed(1)
        .build();
    sd.fit(twoViews, epochs);
    return sd;
  }
// --- end ---
}

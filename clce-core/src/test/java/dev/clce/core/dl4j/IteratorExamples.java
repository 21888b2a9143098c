package dev.clce.core.dl4j;

// --- docs/DL4J.md: net.fit ---
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;

class IteratorExamples {
  /**
   * Trains a small ComputationGraph with CLCE on 28x28 grey images.
   *
   * @param images any DL4J iterator of [N, 784] images with one-hot labels [N, 10] (MnistDataSetIterator,
   *     a DataVec RecordReaderDataSetIterator, ...)
   * @param epochs passes over the data
   * @return the trained graph: outputs "emb" (embeddings) and "logits" (class probabilities)
   */
  static ComputationGraph trainGraph(DataSetIterator images, int epochs) {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(42)
        .updater(new Adam(1e-3))
        .weightInit(WeightInit.XAVIER)
        .graphBuilder()
        .addInputs("in")
        .addLayer("enc", new DenseLayer.Builder().nIn(784).nOut(128).activation(Activation.RELU).build(), "in")
        .addLayer("emb", Dl4jClce.embeddingOutput(128, 32, cfg), "enc")
        .addLayer("logits", Dl4jClce.logitsOutput(128, 10, cfg), "enc")
        .setOutputs("emb", "logits")
        .build();
    ComputationGraph net = new ComputationGraph(conf);
    net.init();

    // Each minibatch of N images becomes 2N rows: two randomly shifted views of every image.
    MultiDataSetIterator twoViews = TwoViewIterator.builder(images)
        .optAugmenter(ViewAugmenter.randomShiftFlip(1, 28, 28, 2, false))
        .optSeed(1)
        .build();
    net.fit(twoViews, epochs);
    return net;
  }
// --- end ---
}

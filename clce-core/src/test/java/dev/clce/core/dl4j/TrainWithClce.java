package dev.clce.core.dl4j;

import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The DL4J example of docs/DL4J.md, verbatim (keep the two in step; {@code TrainWithClceTest} runs
 * it for a few steps).
 */
public class TrainWithClce {
  static final int FEATURES = 20, HIDDEN = 32, EMBEDDING_DIM = 8, CLASSES = 4, IMAGES_PER_BATCH = 16;

  /** @param args unused */
  public static void main(String[] args) {
    train(200);
  }

  /** @param steps minibatches to train on @return the trained network */
  static ComputationGraph train(int steps) {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();

    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(42)
        .updater(new Adam(1e-2))
        .weightInit(WeightInit.XAVIER)
        .graphBuilder()
        .addInputs("in")
        .addLayer("enc", new DenseLayer.Builder().nIn(FEATURES).nOut(HIDDEN)
            .activation(Activation.TANH).build(), "in")
        .addLayer("emb", Dl4jClce.embeddingOutput(HIDDEN, EMBEDDING_DIM, cfg), "enc")
        .addLayer("logits", Dl4jClce.logitsOutput(HIDDEN, CLASSES, cfg), "enc")
        .setOutputs("emb", "logits")
        .build();
    ComputationGraph net = new ComputationGraph(conf);
    net.init();

    Random rng = new Random(7);
    INDArray centres = Nd4j.randn(42, new long[] {CLASSES, FEATURES}).muli(2);
    for (int step = 0; step < steps; step++) {
      // N images with their labels, and two "augmented views" of each (here: added noise).
      int[] classes = new int[IMAGES_PER_BATCH];
      INDArray images = Nd4j.create(IMAGES_PER_BATCH, FEATURES);
      INDArray labels = Nd4j.create(IMAGES_PER_BATCH, CLASSES);
      for (int i = 0; i < IMAGES_PER_BATCH; i++) {
        classes[i] = rng.nextInt(CLASSES);
        images.putRow(i, centres.getRow(classes[i]));
        labels.putScalar(i, classes[i], 1.0);
      }
      INDArray view1 = images.add(Nd4j.randn(rng.nextLong(), images.shape()).muli(0.5));
      INDArray view2 = images.add(Nd4j.randn(rng.nextLong(), images.shape()).muli(0.5));

      // Both views in ONE minibatch (2N rows), the labels once per output.
      MultiDataSet batch = Dl4jClce.twoViewBatch(view1, view2, labels);
      net.fit(batch);
      if (step % 50 == 0) {
        System.out.println("step " + step + "  CLCE " + net.score());
      }
    }
    // Inference: embeddings from "emb", class probabilities from "logits".
    INDArray[] out = net.output(centres);
    System.out.println("predicted classes of the centres: " + out[1].argMax(1));
    return net;
  }
}

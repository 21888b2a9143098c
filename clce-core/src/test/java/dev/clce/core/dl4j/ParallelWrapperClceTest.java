package dev.clce.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * ParallelWrapper with a CLCE graph on two CPU workers. The contrastive loss couples the rows of a
 * minibatch, so what matters is which rows a worker's loss sees. Plain SGD makes the expected
 * parameters computable from single-device gradients:
 * <ul>
 *   <li>each worker trains on whole minibatches of the iterator (2N rows: both views of its N
 *       images), and its loss couples only those rows: after one round with averaging frequency 1
 *       the parameters are {@code P0 - lr * mean_k grad(L(batch_k))};
 *   <li>that is not one device at the total batch: {@code P0 - lr * grad(L(batch_0 + batch_1))}
 *       differs, because there each row also sees the other worker's rows as negatives and
 *       positives;
 *   <li>averaging frequency f: parameters are averaged every f rounds; the rows a loss couples stay
 *       one minibatch, and an epoch shorter than f rounds is never averaged.
 * </ul>
 */
class ParallelWrapperClceTest {
  private static final double LR = 0.5;
  private static final int IMAGES = 6;

  private static ComputationGraph newNet() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(3)
        .dataType(DataType.DOUBLE)
        .updater(new Sgd(LR))
        .weightInit(WeightInit.XAVIER)
        .graphBuilder()
        .addInputs("in")
        .addLayer("enc", new DenseLayer.Builder().nIn(8).nOut(6).activation(Activation.TANH).build(), "in")
        .addLayer("emb", Dl4jClce.embeddingOutput(6, 4, cfg), "enc")
        .addLayer("logits", Dl4jClce.logitsOutput(6, 3, cfg), "enc")
        .setOutputs("emb", "logits")
        .build();
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    return net;
  }

  /** {@code batches} minibatches of IMAGES images of 3 classes, two noisy views each. */
  private static TwoViewIterator data(int batches) {
    int n = batches * IMAGES;
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.rand(DataType.DOUBLE, n, 8);
    INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 3);
    for (int i = 0; i < n; i++) {
      y.putScalar(i, i % 3, 1.0);
    }
    return TwoViewIterator.builder(new ViewIterator(new DataSet(x, y), IMAGES))
        .optAugmenter(ViewAugmenter.gaussianNoise(0.1)).optSeed(5).build();
  }

  /** The minibatches a fresh iterator with the same seed yields (the views are drawn from its seed). */
  private static List<MultiDataSet> all(TwoViewIterator it) {
    List<MultiDataSet> out = new ArrayList<>();
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /**
   * The gradient a single device applies for one minibatch at parameters p: DL4J's backprop gradient
   * divided by the minibatch's rows, as its updater does (the score is the mean over rows).
   */
  private static INDArray gradient(INDArray p, MultiDataSet batch) {
    ComputationGraph c = newNet();
    c.setParams(p.dup());
    c.setInputs(batch.getFeatures());
    c.setLabels(batch.getLabels());
    c.computeGradientAndScore();
    return c.gradient().gradient().div(batch.getFeatures(0).rows());
  }

  /** One plain SGD step on one minibatch. */
  private static INDArray sgd(INDArray p, MultiDataSet batch) {
    return p.sub(gradient(p, batch).mul(LR));
  }

  private static MultiDataSet union(MultiDataSet a, MultiDataSet b) {
    return new MultiDataSet(new INDArray[] {Nd4j.concat(0, a.getFeatures(0), b.getFeatures(0))},
        new INDArray[] {Nd4j.concat(0, a.getLabels(0), b.getLabels(0)), Nd4j.concat(0, a.getLabels(1), b.getLabels(1))});
  }

  private static double maxAbsDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }

  /**
   * Repeated because the outcome used to depend on thread timing: without the example's
   * {@link ParallelExample.StartTogether} barrier, 3 of 30 repetitions here ended with worker 1's
   * replica copying parameters worker 0 had already stepped.
   */
  @org.junit.jupiter.api.RepeatedTest(10)
  void eachWorkerSeesOnlyItsOwnMinibatch() {
    Nd4j.getRandom().setSeed(7);
    ComputationGraph net = newNet();
    INDArray p0 = net.params().dup();
    List<MultiDataSet> b = all(data(2));

    ParallelExample.fitParallel(net, data(2), 2, 1);
    INDArray got = net.params();

    INDArray perWorker = p0.sub(gradient(p0, b.get(0)).add(gradient(p0, b.get(1))).mul(LR / 2));
    INDArray oneDevice = sgd(p0, union(b.get(0), b.get(1)));
    double toPerWorker = maxAbsDiff(got, perWorker);
    double toOneDevice = maxAbsDiff(got, oneDevice);
    double step = maxAbsDiff(got, p0);
    assertTrue(step > 1e-3, "the parameters did not move: " + step);
    assertTrue(toPerWorker < 1e-9, "ParallelWrapper vs mean of per-minibatch SGD steps: " + toPerWorker
        + " (vs one device at the total batch: " + toOneDevice + ", step " + step + ")");
    assertTrue(toOneDevice > 1e-3 * step,
        "ParallelWrapper should differ from one device at the total batch: " + toOneDevice + " (step " + step + ")");
  }

  /**
   * Averaging frequency 2 over four minibatches: each worker takes two local SGD steps on its own
   * minibatches (worker k gets minibatches k and 2 + k), then the parameters are averaged once.
   */
  @org.junit.jupiter.api.RepeatedTest(5)
  void frequencyTwoAveragesTwoLocalStepsPerWorker() {
    Nd4j.getRandom().setSeed(7);
    ComputationGraph net = newNet();
    INDArray p0 = net.params().dup();
    List<MultiDataSet> b = all(data(4));

    ParallelExample.fitParallel(net, data(4), 2, 2);
    INDArray got = net.params();

    INDArray worker0 = sgd(sgd(p0, b.get(0)), b.get(2));
    INDArray worker1 = sgd(sgd(p0, b.get(1)), b.get(3));
    INDArray averaged = worker0.add(worker1).mul(0.5);
    double toAveraged = maxAbsDiff(got, averaged);
    double toWorker0 = maxAbsDiff(got, worker0);
    assertTrue(maxAbsDiff(got, p0) > 1e-3, "the parameters did not move");
    assertTrue(toAveraged < 1e-9, "ParallelWrapper vs the mean of two local steps per worker: " + toAveraged
        + " (vs worker 0 alone: " + toWorker0 + ")");
    assertTrue(toWorker0 > 1e-4, "averaging should change worker 0's parameters: " + toWorker0);
  }

  /**
   * Averaging frequency f: parameters are averaged after every f rounds (a round is one minibatch per
   * worker). An epoch shorter than f rounds is never averaged: the graph keeps only worker 0's
   * steps (worker 0 trains the graph itself), the other replicas' work is dropped.
   */
  @Test
  void anEpochShorterThanTheAveragingFrequencyKeepsOnlyWorkerZero() {
    Nd4j.getRandom().setSeed(7);
    ComputationGraph net = newNet();
    INDArray p0 = net.params().dup();
    List<MultiDataSet> b = all(data(2));

    ParallelExample.fitParallel(net, data(2), 2, 2);
    INDArray got = net.params();

    double toWorker0 = maxAbsDiff(got, sgd(p0, b.get(0)));
    double toAveraged = maxAbsDiff(got, sgd(p0, b.get(0)).add(sgd(p0, b.get(1))).mul(0.5));
    assertTrue(toWorker0 < 1e-9, "ParallelWrapper vs worker 0's step alone: " + toWorker0 + " (vs averaged: " + toAveraged + ")");
    assertTrue(toAveraged > 1e-4, "averaged: " + toAveraged);
  }
}

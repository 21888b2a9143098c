package dev.clce.core.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.loss.EagerLoss;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.testing.DoubleDefaults;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The DL4J ComputationGraph path: chunked gradients equal the one-chunk gradient per parameter for
 * every loss, the one-chunk gradient equals central finite differences of the loss (an independent
 * reference), and BatchNorm's running-statistics entries move once per step.
 */
@ExtendWith(DoubleDefaults.class)
class Dl4jChunkedGradientsTest {
  private static final int BATCH = 10;

  /** in [N, 4] -> tanh hidden (6) [-> BatchNorm] -> embeddings (3, identity) and logits (3, identity), both outputs. */
  static ComputationGraph net(boolean batchNorm) {
    ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(12).dataType(DataType.DOUBLE)
        .updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
        .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build(), "in");
    String last = "hidden";
    if (batchNorm) {
      b.addLayer("bn", new BatchNormalization.Builder().nOut(6).build(), "hidden");
      last = "bn";
    }
    ComputationGraphConfiguration conf = b
        .addLayer("emb", new DenseLayer.Builder().nIn(6).nOut(3).activation(Activation.IDENTITY).build(), last)
        .addLayer("logits", new DenseLayer.Builder().nIn(6).nOut(3).activation(Activation.IDENTITY).build(), last)
        .setOutputs("emb", "logits").build();
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    return net;
  }

  static Map<String, INDArray> copy(Map<String, INDArray> g) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    g.forEach((k, v) -> m.put(k, v.dup()));
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(LossKind.class)
  void chunksEqualOneChunkForEveryLoss(LossKind kind) {
    ComputationGraph net = net(false);
    LossConfig cfg = LossConfig.builder(kind).build();
    Dl4jChunkedGradients cg = Dl4jChunkedGradients.of(net, cfg, "emb", "logits");
    INDArray x = Nd4j.randn(3L, new long[] {BATCH, 4});
    INDArray y = ChunkedGradientsTest.labels(BATCH, 3);
    Dl4jChunkedResult whole = cg.compute(new INDArray[] {x}, y, BATCH);
    Map<String, INDArray> ref = copy(whole.gradient().gradientForVariable());
    INDArray refFlat = whole.gradient().gradient().dup();
    Dl4jChunkedResult r = cg.compute(new INDArray[] {x}, y, 4);
    assertEquals(whole.loss(), r.loss(), 1e-12 * Math.max(1, Math.abs(whole.loss())), "loss");
    GradientAssertions.assertSameGradients(ref, r.gradient().gradientForVariable(), GradientAssertions.TOLERANCE, kind.cliName());
    double rel = refFlat.sub(r.gradient().gradient()).norm2Number().doubleValue() / refFlat.norm2Number().doubleValue();
    assertTrue(rel <= GradientAssertions.TOLERANCE, "flat gradient: relative difference " + rel);
  }

  /** The one-chunk gradient against central finite differences of EagerLoss on the network's outputs. */
  @Test
  void oneChunkEqualsFiniteDifferences() {
    ComputationGraph net = net(false);
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).build();
    INDArray x = Nd4j.randn(5L, new long[] {BATCH, 4});
    INDArray y = ChunkedGradientsTest.labels(BATCH, 3);
    Dl4jChunkedResult r = Dl4jChunkedGradients.of(net, cfg, "emb", "logits").compute(new INDArray[] {x}, y, 3);
    Map<String, INDArray> grads = copy(r.gradient().gradientForVariable());
    Random rnd = new Random(1);
    double eps = 1e-6;
    for (Map.Entry<String, INDArray> e : grads.entrySet()) {
      INDArray p = net.getParam(e.getKey());
      for (int k = 0; k < 3; k++) {
        long i = rnd.nextInt((int) p.length());
        double orig = at(p, i);
        put(p, i, orig + eps);
        double up = loss(net, cfg, x, y);
        put(p, i, orig - eps);
        double down = loss(net, cfg, x, y);
        put(p, i, orig);
        double fd = (up - down) / (2 * eps);
        double an = at(e.getValue(), i);
        assertTrue(Math.abs(fd - an) <= 1e-6 * Math.max(Math.abs(fd), Math.abs(an)) + 1e-9,
            e.getKey() + "[" + i + "]: chunked " + an + ", finite differences " + fd);
      }
    }
  }

  /** Element i in row-major order of the logical matrix (parameters are 'f'-ordered views, copies 'c'). */
  private static double at(INDArray a, long i) {
    return a.rank() == 2 ? a.getDouble(i / a.columns(), i % a.columns()) : a.getDouble(i);
  }

  private static void put(INDArray a, long i, double v) {
    if (a.rank() == 2) {
      a.putScalar(new long[] {i / a.columns(), i % a.columns()}, v);
    } else {
      a.putScalar(i, v);
    }
  }

  private static double loss(ComputationGraph net, LossConfig cfg, INDArray x, INDArray y) {
    INDArray[] out = net.output(false, x);
    return EagerLoss.compute(cfg, out[0], y, out[1]).value();
  }

  /**
   * DL4J moves BatchNorm's running mean through the gradient, {@code (1 - decay)(running - batch mean)};
   * with chunks that entry is the mean over chunks, {@code (1 - decay)(running - mean of the chunks'
   * means)}, computed here from the BatchNorm input of each chunk.
   */
  @Test
  void batchNormRunningMeanMovesOncePerStep() {
    ComputationGraph net = net(true);
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).build();
    INDArray x = Nd4j.randn(7L, new long[] {BATCH, 4});
    INDArray y = ChunkedGradientsTest.labels(BATCH, 3);
    Dl4jChunkedResult r = Dl4jChunkedGradients.of(net, cfg, "emb", "logits").compute(new INDArray[] {x}, y, 4);
    assertEquals(org.deeplearning4j.nn.conf.WorkspaceMode.ENABLED, net.getConfiguration().getTrainingWorkspaceMode(),
        "the network's workspace mode is put back");
    String key = "bn_" + BatchNormalizationParamInitializer.GLOBAL_MEAN;
    INDArray running = net.getParam(key).dup();
    INDArray hidden = net.feedForward(new INDArray[] {x}, false, true).get("hidden");
    INDArray meanOfMeans = Nd4j.zeros(DataType.DOUBLE, 1, 6);
    int[][] chunks = {{0, 4}, {4, 8}, {8, 10}};
    for (int[] c : chunks) {
      meanOfMeans.addi(hidden.get(NDArrayIndex.interval(c[0], c[1]), NDArrayIndex.all()).mean(0).reshape(1, 6));
    }
    meanOfMeans.divi(chunks.length);
    double decay = ((BatchNormalization) net.getLayer("bn").conf().getLayer()).getDecay();
    INDArray expected = running.reshape(1, 6).sub(meanOfMeans).mul(1 - decay);
    INDArray got = r.gradient().gradientForVariable().get(key).reshape(1, 6);
    double rel = expected.sub(got).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    assertTrue(rel < 1e-12, "running-mean entry: relative difference " + rel + ", expected " + expected + ", got " + got);
    // the flat gradient, which DL4J's updater reads, holds the same averaged entry
    INDArray flat = r.gradient().gradient().reshape(r.gradient().gradient().length());
    long offset = 0;
    for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
      if (e.getKey().equals(key)) {
        break;
      }
      offset += e.getValue().length();
    }
    INDArray flatEntry = flat.get(NDArrayIndex.interval(offset, offset + 6)).reshape(1, 6);
    assertTrue(expected.sub(flatEntry).norm2Number().doubleValue() / expected.norm2Number().doubleValue() < 1e-12,
        "flat running-mean entry " + flatEntry + ", expected " + expected);
  }

  @Test
  void refusesBadInput() {
    ComputationGraph net = net(false);
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).build();
    ChunkedGradientsTest.assertMessage(() -> Dl4jChunkedGradients.of(net, cfg, "hidden", "logits"), "embeddings", "'hidden'");
    ChunkedGradientsTest.assertMessage(() -> Dl4jChunkedGradients.of(net, cfg, "emb", null), "logits", "clce");
    Dl4jChunkedGradients cg = Dl4jChunkedGradients.of(net, cfg, "emb", "logits");
    INDArray x = Nd4j.randn(3L, new long[] {BATCH, 4});
    ChunkedGradientsTest.assertMessage(() -> cg.compute(new INDArray[] {x}, ChunkedGradientsTest.labels(BATCH, 3), 0), "chunkSize", "got 0");
    ChunkedGradientsTest.assertMessage(() -> cg.compute(new INDArray[] {x}, ChunkedGradientsTest.labels(BATCH, 3), 11), "chunkSize", "got 11");
    ChunkedGradientsTest.assertMessage(() -> cg.compute(new INDArray[] {x}, ChunkedGradientsTest.labels(4, 3), 2), "labels", "[4]");
    ChunkedGradientsTest.assertMessage(() -> cg.compute(new INDArray[] {x, x}, ChunkedGradientsTest.labels(BATCH, 3), 2), "features", "2 arrays");
  }
}

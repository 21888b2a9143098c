package dev.clce.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.reference.ReferenceLosses;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The DL4J path: a two-output ComputationGraph scores CLCE exactly, trains, and passes DL4J's own
 * gradient check in double.
 */
class Dl4jClceTest {
  private static final String IN = "in";
  private static final String HIDDEN = "hidden";
  private static final String EMB = "emb";
  private static final String LOGITS = "logits";
  private static final int FEATURES = 3;
  private static final int WIDTH = 5;
  private static final int DIM = 3;
  private static final int CLASSES = 3;
  /** Images per minibatch; the minibatch has two views of each, 2 * IMAGES rows. */
  private static final int IMAGES = 6;

  private static DataType defaultFloat;
  private static DataType defaultFloatSecond;

  @BeforeAll
  static void doublePrecision() {
    defaultFloat = Nd4j.dataType();
    defaultFloatSecond = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  @AfterAll
  static void restorePrecision() {
    Nd4j.setDefaultDataTypes(defaultFloat, defaultFloatSecond);
  }

  private static ComputationGraph graph(LossConfig cfg, IUpdater updater, long seed) {
    return graph(cfg, updater, seed, DataType.DOUBLE);
  }

  private static ComputationGraph graph(LossConfig cfg, IUpdater updater, long seed, DataType dt) {
    ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(dt)
        .updater(updater)
        .weightInit(WeightInit.XAVIER)
        .graphBuilder()
        .addInputs(IN)
        .addLayer(HIDDEN, new DenseLayer.Builder().nIn(FEATURES).nOut(WIDTH).activation(Activation.TANH).build(), IN)
        .addLayer(EMB, Dl4jClce.embeddingOutput(WIDTH, DIM, cfg), HIDDEN);
    if (cfg.kind().usesLogits()) {
      gb.addLayer(LOGITS, Dl4jClce.logitsOutput(WIDTH, CLASSES, cfg), HIDDEN).setOutputs(EMB, LOGITS);
    } else {
      gb.setOutputs(EMB);
    }
    ComputationGraph net = new ComputationGraph(gb.build());
    net.init();
    return net;
  }

  /**
   * Two noisy views of IMAGES points around class centres that are far apart (separable), one-hot
   * labels, every class present at least twice.
   */
  private static MultiDataSet batch(long seed, boolean twoOutputs) {
    Random r = new Random(seed);
    double[][] centres = new double[CLASSES][FEATURES];
    Random c = new Random(1);
    for (double[] centre : centres) {
      for (int f = 0; f < FEATURES; f++) {
        centre[f] = 2.0 * c.nextGaussian();
      }
    }
    INDArray v1 = Nd4j.create(DataType.DOUBLE, IMAGES, FEATURES);
    INDArray v2 = Nd4j.create(DataType.DOUBLE, IMAGES, FEATURES);
    INDArray labels = Nd4j.create(DataType.DOUBLE, IMAGES, CLASSES);
    for (int i = 0; i < IMAGES; i++) {
      int y = i % CLASSES;
      labels.putScalar(i, y, 1.0);
      for (int f = 0; f < FEATURES; f++) {
        double x = centres[y][f] + 0.5 * r.nextGaussian();
        v1.putScalar(i, f, x + 0.1 * r.nextGaussian());
        v2.putScalar(i, f, x + 0.1 * r.nextGaussian());
      }
    }
    MultiDataSet mds = Dl4jClce.twoViewBatch(v1, v2, labels);
    if (!twoOutputs) {
      return new MultiDataSet(mds.getFeatures(), new INDArray[] {mds.getLabels(0)});
    }
    return mds;
  }

  private static int[] classes(INDArray oneHot) {
    return oneHot.argMax(1).toIntVector();
  }

  /** The graph's score against the plain-loop reference on the graph's own outputs. */
  private static void assertScoreIsTheLoss(LossConfig cfg) {
    ComputationGraph net = graph(cfg, new NoOp(), 3);
    MultiDataSet mds = batch(5, cfg.kind().usesLogits());
    double score = net.score(mds, false);

    INDArray[] out = net.output(false, mds.getFeatures());
    double[][] z = out[0].toDoubleMatrix();
    int[] y = classes(mds.getLabels(0));
    // log softmax(o) differs from o by a per-row constant, which CE ignores.
    INDArray logProbs = cfg.kind().usesLogits() ? Transforms.log(out[1], true) : null;
    double expected = ReferenceLosses.compute(cfg, z, y, logProbs == null ? null : logProbs.toDoubleMatrix()).value();
    assertEquals(expected, score, 1e-9 * Math.abs(expected), cfg.toString());
  }

  /**
   * The embedding output's gradient, row by row, against the plain-loop reference: DL4J receives
   * d(M * lambda * term)/dz from {@link LossContrastive#computeGradient} and divides by M.
   */
  @Test
  void embeddingGradientIsTheReferencesRowByRow() {
    for (LossConfig cfg : new LossConfig[] {
        LossConfig.builder(LossKind.CLCE).optTau(0.2).optLambda(0.7).build(),
        LossConfig.builder(LossKind.CE_SUPCON).optTau(0.5).optLambda(0.4).build(),
        LossConfig.builder(LossKind.HSCL).optTau(0.3).optBeta(1.0).build()}) {
      LossContrastive loss = Dl4jClce.embeddingLoss(cfg);
      LossConfig term = loss.lossConfig();
      Random r = new Random(17);
      int m = 10;
      double[][] z = new double[m][DIM];
      int[] y = new int[m];
      double[][] idx = new double[m][1];
      for (int i = 0; i < m; i++) {
        y[i] = i % 3;
        idx[i][0] = y[i];
        for (int k = 0; k < DIM; k++) {
          z[i][k] = r.nextGaussian();
        }
      }
      z[3] = new double[DIM]; // an all-zero row: its gradient is about 1e12 times the others'
      INDArray g = loss.computeGradient(Nd4j.createFromArray(idx), Nd4j.createFromArray(z),
          new ActivationIdentity(), null);
      double[][] ref = ReferenceLosses.compute(term, z, y, null).gradEmbeddings();
      double[][] got = g.toDoubleMatrix();
      double factor = m * loss.weight();
      for (int i = 0; i < m; i++) {
        double diff = 0;
        double scale = Double.MIN_NORMAL;
        for (int k = 0; k < DIM; k++) {
          diff = Math.max(diff, Math.abs(got[i][k] - factor * ref[i][k]));
          scale = Math.max(scale, Math.abs(factor * ref[i][k]));
        }
        double e = diff / scale;
        int row = i;
        assertTrue(e < 1e-9, () -> cfg + " row " + row + ": relative error " + e);
      }
    }
  }

  @Test
  void scoreOfTwoOutputGraphIsClce() {
    assertScoreIsTheLoss(LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build());
    assertScoreIsTheLoss(LossConfig.builder(LossKind.CLCE).optTau(0.1).optLambda(0.3)
        .optAggregation(Aggregation.MEAN_OF_LOG).build());
  }

  @Test
  void scoreOfTwoOutputGraphIsCeSupConOrCeCl() {
    assertScoreIsTheLoss(LossConfig.builder(LossKind.CE_SUPCON).optTau(0.5).optLambda(0.9).build());
    assertScoreIsTheLoss(LossConfig.builder(LossKind.CE_SUPCON).optTau(0.2).optLambda(0.4).build());
    assertScoreIsTheLoss(LossConfig.builder(LossKind.CE_CL).optTau(0.5).optLambda(0.9).build());
    assertScoreIsTheLoss(LossConfig.builder(LossKind.CE_CL).optTau(0.1).optLambda(0.3)
        .optAggregation(Aggregation.MEAN_OF_LOG).build());
  }

  @Test
  void combinationsWeightTheirContrastiveTermByLambda() {
    LossContrastive sup = Dl4jClce.embeddingLoss(LossConfig.builder(LossKind.CE_SUPCON).optTau(0.3).optLambda(0.6)
        .optAggregation(Aggregation.MEAN_OF_LOG).build());
    assertEquals(LossKind.SUPCON, sup.lossConfig().kind());
    assertEquals(0.6, sup.weight(), 0.0);
    assertEquals(0.3, sup.lossConfig().tau(), 0.0);
    LossContrastive cl = Dl4jClce.embeddingLoss(LossConfig.builder(LossKind.CE_CL).optLambda(0.25)
        .optAggregation(Aggregation.MEAN_OF_LOG).build());
    assertEquals(LossKind.CL, cl.lossConfig().kind());
    assertEquals(0.25, cl.weight(), 0.0);
    assertEquals(Aggregation.MEAN_OF_LOG, cl.lossConfig().aggregation());
  }

  @Test
  void scoreOfOneOutputGraphIsTheContrastiveLoss() {
    assertScoreIsTheLoss(LossConfig.builder(LossKind.SUPCON).optTau(0.2).build());
    assertScoreIsTheLoss(LossConfig.builder(LossKind.HSCL).optTau(0.5).optBeta(1.0).build());
  }

  @Test
  void worksInALossLayerAfterAnEmbeddingLayer() {
    LossConfig cfg = LossConfig.builder(LossKind.LACLN).optTau(0.3).build();
    ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder()
        .seed(2)
        .dataType(DataType.DOUBLE)
        .updater(new NoOp())
        .graphBuilder()
        .addInputs(IN)
        .addLayer(HIDDEN, new DenseLayer.Builder().nIn(FEATURES).nOut(DIM).activation(Activation.TANH).build(), IN)
        .addLayer(EMB, new LossLayer.Builder(Dl4jClce.embeddingLoss(cfg)).activation(Activation.IDENTITY).build(), HIDDEN)
        .setOutputs(EMB)
        .build());
    net.init();
    MultiDataSet mds = batch(31, false);
    double score = net.score(mds, false);
    INDArray z = net.output(false, mds.getFeatures())[0];
    double expected = ReferenceLosses.compute(cfg, z.toDoubleMatrix(), classes(mds.getLabels(0)), null).value();
    assertEquals(expected, score, 1e-9 * expected);
  }

  @Test
  void trainsOnASeparableProblemAndTheLossFalls() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    ComputationGraph net = graph(cfg, new Adam(0.03), 42);
    MultiDataSet[] batches = {batch(10, true), batch(11, true), batch(12, true)};
    MultiDataSet held = batch(99, true);
    double before = net.score(held, false);
    for (int it = 0; it < 24; it++) {
      net.fit(batches[it % batches.length]);
    }
    double after = net.score(held, false);
    // LACLN (log of the mean) cannot go below log|P(i)| per anchor even with perfect separation,
    // so measure the fall against that floor: lambda * mean_i log(|P(i)|), CE's floor being 0.
    int[] y = classes(held.getLabels(0));
    double floor = 0;
    for (int yi : y) {
      floor += Math.log(java.util.Arrays.stream(y).filter(v -> v == yi).count() - 1);
    }
    floor *= cfg.lambda() / y.length;
    assertTrue(after - floor < 0.4 * (before - floor),
        "CLCE on a held-out batch: before " + before + ", after " + after + ", floor " + floor);
    INDArray[] out = net.output(false, held.getFeatures());
    assertEquals(held.getLabels(1).argMax(1), out[1].argMax(1), "held-out predictions");
    // And the trained network still scores exactly CLCE.
    double expected = ReferenceLosses.compute(cfg, out[0].toDoubleMatrix(), y,
        Transforms.log(out[1], true).toDoubleMatrix()).value();
    assertEquals(expected, after, 1e-9 * expected);
  }

  @Test
  void floatNetworkScoresClceAndTakesAStep() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    ComputationGraph net = graph(cfg, new Adam(0.03), 4, DataType.FLOAT);
    MultiDataSet mds = batch(8, true);
    MultiDataSet f = new MultiDataSet(new INDArray[] {mds.getFeatures(0).castTo(DataType.FLOAT)},
        new INDArray[] {mds.getLabels(0).castTo(DataType.FLOAT), mds.getLabels(1).castTo(DataType.FLOAT)});
    double score = net.score(f, false);
    INDArray[] out = net.output(false, f.getFeatures());
    assertEquals(DataType.FLOAT, out[0].dataType());
    double expected = ReferenceLosses.compute(cfg, out[0].castTo(DataType.DOUBLE).toDoubleMatrix(),
        classes(mds.getLabels(0)), Transforms.log(out[1].castTo(DataType.DOUBLE), true).toDoubleMatrix()).value();
    assertEquals(expected, score, 1e-4 * expected);
    INDArray paramsBefore = net.params().dup();
    net.fit(f);
    assertTrue(net.params().sub(paramsBefore).norm2Number().doubleValue() > 0, "a float step changed nothing");
    assertTrue(Double.isFinite(net.score()));
  }

  @Test
  void dl4jGradientCheckPassesInDouble() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    ComputationGraph net = graph(cfg, new NoOp(), 7);
    MultiDataSet mds = batch(21, true);
    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
        .net(net)
        .inputs(mds.getFeatures())
        .labels(mds.getLabels())
        .epsilon(1e-6)
        .maxRelError(1e-5)
        .minAbsoluteError(1e-10));
    assertTrue(ok, "DL4J GradientCheckUtil failed (see the log for the entries)");
  }

  /** Plain-loop -log softmax(o)[y] per row, for an independent check. */
  private static double[] crossEntropyRows(double[][] o, int[] y) {
    double[] out = new double[o.length];
    for (int i = 0; i < o.length; i++) {
      double mx = Double.NEGATIVE_INFINITY;
      for (double v : o[i]) {
        mx = Math.max(mx, v);
      }
      double sum = 0;
      for (double v : o[i]) {
        sum += Math.exp(v - mx);
      }
      out[i] = mx + Math.log(sum) - o[i][y[i]];
    }
    return out;
  }

  @Test
  void crossEntropyIsExactWhereLossMcxentClips() {
    // The true class at a probability of about e^-40, far below LossMCXENT's clip at 1e-10.
    double[][] logits = {{0, 40, 0}, {0, 0, 45}, {3, 1, 0}, {1, 2, 3}};
    int[] y = {0, 1, 0, 2};
    INDArray oneHot = Nd4j.create(DataType.DOUBLE, 4, 3);
    for (int i = 0; i < 4; i++) {
      oneHot.putScalar(i, y[i], 1.0);
    }
    INDArray pre = Nd4j.createFromArray(logits);
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optLambda(0.25).build();
    LossCrossEntropy ce = Dl4jClce.logitsLoss(cfg, 3);
    double[] rows = crossEntropyRows(logits, y);
    double mean = java.util.Arrays.stream(rows).average().orElseThrow();
    double score = ce.computeScore(oneHot, pre, new org.nd4j.linalg.activations.impl.ActivationSoftmax(), null, true);
    assertEquals(0.75 * mean, score, 1e-12 * mean);
    INDArray perExample = ce.computeScoreArray(oneHot, pre, new org.nd4j.linalg.activations.impl.ActivationSoftmax(), null);
    for (int i = 0; i < 4; i++) {
      assertEquals(0.75 * rows[i], perExample.getDouble(i, 0), 1e-12 * rows[i], "example " + i);
    }
    // What DL4J's own LossMCXENT makes of the first example: about -log(1e-10) = 23, not 40.
    double clipped = new org.nd4j.linalg.lossfunctions.impl.LossMCXENT().computeScoreArray(oneHot, pre.dup(),
        new org.nd4j.linalg.activations.impl.ActivationSoftmax(), null).getDouble(0, 0);
    assertTrue(clipped < 30 && rows[0] > 39, "LossMCXENT " + clipped + ", exact " + rows[0]);
  }

  @Test
  void scoreExamplesSplitTheScore() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.3).optLambda(0.6).build();
    ComputationGraph net = graph(cfg, new NoOp(), 13);
    MultiDataSet mds = batch(14, true);
    double score = net.score(mds, false);
    INDArray examples = net.scoreExamples(mds, false);
    long m = mds.getFeatures(0).size(0);
    assertEquals(m, examples.length());
    assertEquals(score, examples.sumNumber().doubleValue() / m, 1e-12 * score);
    assertTrue(examples.maxNumber().doubleValue() > examples.minNumber().doubleValue(), "every example scored alike");
    // The logits output's share, example by example, against a plain loop.
    INDArray[] out = net.output(false, mds.getFeatures());
    int[] y = classes(mds.getLabels(1));
    double[] ce = crossEntropyRows(Transforms.log(out[1], true).toDoubleMatrix(), y);
    LossContrastive emb = Dl4jClce.embeddingLoss(cfg);
    INDArray embRows = emb.computeScoreArray(mds.getLabels(0), out[0], new ActivationIdentity(), null);
    assertEquals(cfg.lambda() * ReferenceLosses.compute(emb.lossConfig(), out[0].toDoubleMatrix(), y, null).value(),
        embRows.sumNumber().doubleValue() / m, 1e-12);
    for (int i = 0; i < m; i++) {
      double expected = embRows.getDouble(i, 0) + (1 - cfg.lambda()) * ce[i];
      assertEquals(expected, examples.getDouble(i), 1e-9 * Math.abs(expected), "example " + i);
    }
  }

  /** Bad input through net.fit: refused naming the argument, before any parameter changes. */
  @Test
  void fitRefusesBadInputBeforeAnyUpdate() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    ComputationGraph net = graph(cfg, new Adam(0.03), 23);
    MultiDataSet good = batch(24, true);
    net.fit(good);
    INDArray features = good.getFeatures(0);
    INDArray oneHot = good.getLabels(0);
    long m = features.size(0);
    INDArray indices = oneHot.argMax(1).reshape(m, 1).castTo(DataType.DOUBLE);
    INDArray nan = features.dup();
    nan.putScalar(1, 0, Double.NaN);
    INDArray outside = indices.dup();
    outside.putScalar(2, 0, CLASSES);
    INDArray negative = indices.dup();
    negative.putScalar(0, 0, -1);
    Object[][] bad = {
        {"M < 2", new MultiDataSet(new INDArray[] {features.getRows(0)},
            new INDArray[] {oneHot.getRows(0), oneHot.getRows(0)}), "embeddings:|logits:", "M = 1"},
        {"NaN in the features", new MultiDataSet(new INDArray[] {nan}, new INDArray[] {oneHot, oneHot}),
            "embeddings:|logits:", "NaN"},
        {"label >= C", new MultiDataSet(new INDArray[] {features}, new INDArray[] {outside, outside}),
            "labels:", String.valueOf(CLASSES)},
        {"label < 0", new MultiDataSet(new INDArray[] {features}, new INDArray[] {negative, negative}),
            "labels:", "-1"},
    };
    for (Object[] b : bad) {
      INDArray before = net.params().dup();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.fit((MultiDataSet) b[1]),
          (String) b[0]);
      // Which output DL4J scores first decides which argument is named.
      assertTrue(java.util.Arrays.stream(((String) b[2]).split("\\|")).anyMatch(e.getMessage()::startsWith)
          && e.getMessage().contains((String) b[3]),
          () -> b[0] + ": " + e.getMessage());
      assertEquals(before, net.params(), b[0] + ": parameters changed");
    }
    net.fit(good); // still trains
  }

  @Test
  void configurationSurvivesJson() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.25).optLambda(0.7)
        .optAggregation(Aggregation.MEAN_OF_LOG).optDetachWeights(true).build();
    ComputationGraphConfiguration conf = graph(cfg, new NoOp(), 1).getConfiguration();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    OutputLayer emb = (OutputLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get(EMB))
        .getLayerConf().getLayer();
    LossContrastive loss = (LossContrastive) emb.getLossFn();
    assertEquals(Dl4jClce.embeddingLoss(cfg), loss);
    assertEquals(0.7, loss.weight(), 0.0);
    assertEquals(LossKind.LACLN, loss.lossConfig().kind());
    assertEquals(0.25, loss.lossConfig().tau(), 0.0);
    OutputLayer logits = (OutputLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get(LOGITS))
        .getLayerConf().getLayer();
    assertEquals(Dl4jClce.logitsLoss(cfg, CLASSES), logits.getLossFn());
    assertEquals(0.3, ((LossCrossEntropy) logits.getLossFn()).weight(), 1e-15);
  }

  @Test
  void scoreReusesTheGradientsValueOnlyForTheSameOutputs() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.8).build();
    LossContrastive loss = Dl4jClce.embeddingLoss(cfg);
    LossConfig lacln = LossConfig.builder(LossKind.LACLN).optTau(0.5).build();
    ActivationIdentity id = new ActivationIdentity();
    INDArray labels = Nd4j.createFromArray(new double[][] {{0}, {1}, {0}, {1}, {2}, {2}});
    int[] y = {0, 1, 0, 1, 2, 2};
    Nd4j.getRandom().setSeed(9);
    INDArray a = Nd4j.randn(DataType.DOUBLE, 6, DIM);
    INDArray b = a.dup();
    b.putScalar(2, 1, b.getDouble(2, 1) + 1e-3);
    loss.computeGradient(labels, a, id, null);
    double sa = loss.computeScore(labels, a, id, null, true);
    double sb = loss.computeScore(labels, b, id, null, true);
    assertEquals(0.8 * ReferenceLosses.compute(lacln, a.toDoubleMatrix(), y, null).value(), sa, 1e-12);
    assertEquals(0.8 * ReferenceLosses.compute(lacln, b.toDoubleMatrix(), y, null).value(), sb, 1e-12);
    assertTrue(sa != sb);
    INDArray otherLabels = Nd4j.createFromArray(new double[][] {{0}, {1}, {1}, {0}, {2}, {2}});
    double sc = loss.computeScore(otherLabels, a, id, null, false);
    assertEquals(6 * 0.8 * ReferenceLosses.compute(lacln, a.toDoubleMatrix(), new int[] {0, 1, 1, 0, 2, 2}, null)
        .value(), sc, 1e-11);
  }

  @Test
  void lossFunctionSurvivesJavaSerialization() throws Exception {
    LossContrastive loss = Dl4jClce.embeddingLoss(LossConfig.builder(LossKind.HSCL).optTau(0.2).optBeta(0.7).build());
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(loss);
    }
    LossContrastive back;
    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      back = (LossContrastive) in.readObject();
    }
    assertEquals(loss, back);
    assertEquals(loss.lossConfig(), back.lossConfig());
    INDArray pre = Nd4j.randn(DataType.DOUBLE, 4, DIM);
    INDArray labels = Nd4j.createFromArray(new double[][] {{0}, {1}, {0}, {1}});
    assertEquals(loss.computeScore(labels, pre, new ActivationIdentity(), null, true),
        back.computeScore(labels, pre, new ActivationIdentity(), null, true), 0.0);
  }

  @Test
  void readsClassIndicesAndOneHotRows() {
    INDArray idx = Nd4j.createFromArray(new double[][] {{2}, {0}, {1}});
    INDArray hot = Nd4j.createFromArray(new double[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}});
    assertEquals(java.util.List.of(2L, 0L, 1L), java.util.Arrays.stream(LossContrastive.classIndices(idx)).boxed().toList());
    assertEquals(java.util.List.of(2L, 0L, 1L), java.util.Arrays.stream(LossContrastive.classIndices(hot)).boxed().toList());
  }

  @Test
  void refusesBadInputNamingTheArgument() {
    LossConfig clce = LossConfig.builder(LossKind.CLCE).build();
    LossContrastive loss = Dl4jClce.embeddingLoss(clce);
    INDArray pre = Nd4j.rand(DataType.DOUBLE, 3, DIM);
    ActivationIdentity id = new ActivationIdentity();
    assertMessage("config: loss ce has no embedding term",
        () -> Dl4jClce.embeddingLoss(LossConfig.builder(LossKind.CE).build()));
    assertMessage("config: loss lacln has no cross-entropy term",
        () -> Dl4jClce.logitsLoss(LossConfig.builder(LossKind.LACLN).build(), CLASSES));
    assertMessage("numClasses: must be >= 1, got 0", () -> Dl4jClce.logitsLoss(clce, 0));
    assertMessage("kind: must be a contrastive loss", () -> new LossContrastive(LossKind.CLCE, 0.5, 0.5,
        Aggregation.LOG_OF_MEAN, false, 1.0));
    assertMessage("weight: must be finite and >= 0, got -1.0", () -> new LossContrastive(LossKind.LACLN, 0.5, 0.5,
        Aggregation.LOG_OF_MEAN, false, -1.0));
    assertMessage("tau: must be finite and > 0, got 0.0", () -> new LossContrastive(LossKind.LACLN, 0.0, 0.5,
        Aggregation.LOG_OF_MEAN, false, 1.0));
    assertMessage("labels: row 1 must be one-hot", () -> loss.computeScore(
        Nd4j.createFromArray(new double[][] {{1, 0}, {0.5, 0.5}, {0, 1}}), pre, id, null, true));
    assertMessage("labels: row 0 must be a non-negative integer", () -> loss.computeScore(
        Nd4j.createFromArray(new double[][] {{-1}, {0}, {1}}), pre, id, null, true));
    assertMessage("labels: must be [M, C]", () -> loss.computeScore(
        Nd4j.createFromArray(new double[][] {{1}, {0}}), pre, id, null, true));
    assertMessage("mask: masking is not supported", () -> loss.computeGradient(
        Nd4j.createFromArray(new double[][] {{1}, {0}, {1}}), pre, id, Nd4j.createFromArray(new double[][] {{1}, {0}, {1}})));
    assertMessage("view2: must have the shape of view1", () -> Dl4jClce.twoViewBatch(
        Nd4j.rand(DataType.DOUBLE, 2, 3), Nd4j.rand(DataType.DOUBLE, 3, 3), Nd4j.rand(DataType.DOUBLE, 2, 2)));
    assertMessage("labels: must be [N, C] with N = 2", () -> Dl4jClce.twoViewBatch(
        Nd4j.rand(DataType.DOUBLE, 2, 3), Nd4j.rand(DataType.DOUBLE, 2, 3), Nd4j.rand(DataType.DOUBLE, 3, 2)));
  }

  private static void assertMessage(String prefix, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().startsWith(prefix), () -> "expected '" + prefix + "...', got: " + e.getMessage());
  }
}

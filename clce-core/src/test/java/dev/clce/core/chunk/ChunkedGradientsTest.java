package dev.clce.core.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.core.loss.SDClceLoss;
import dev.clce.core.random.NdRandom;
import dev.clce.core.testing.DoubleDefaults;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Chunked gradients of a small hand-made SameDiff MLP against SameDiff's own autodiff of the whole
 * batch ({@code sd.calculateGradients} with the loss built by {@link SDClceLoss}), in double, per
 * parameter, for every loss and several chunk sizes with uneven last chunks.
 */
@ExtendWith(DoubleDefaults.class)
class ChunkedGradientsTest {
  private static final double TOLERANCE = GradientAssertions.TOLERANCE;
  private static final int BATCH = 10;
  private static final int IN = 6;
  private static final int HIDDEN = 7;
  private static final int EMBED = 4;
  private static final int CLASSES = 3;

  /** input x [N, 6] -> tanh hidden [N, 7] -> embedding [N, 4] and logits [N, 3]; the loss "loss" on labels "labels". */
  static final class Mlp {
    final SameDiff sd = SameDiff.create();
    final SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, IN);
    final SDVariable labels = sd.placeHolder("labels", DataType.INT32, -1);
    final SDVariable hidden;
    final SDVariable z;
    final SDVariable o;

    Mlp(long seed, SDVariable noise) {
      SDVariable w1 = sd.var("w1", NdRandom.randn(seed, DataType.DOUBLE, IN, HIDDEN).muli(0.5));
      SDVariable b1 = sd.var("b1", NdRandom.randn(seed + 1, DataType.DOUBLE, 1, HIDDEN).muli(0.1));
      SDVariable w2 = sd.var("w2", NdRandom.randn(seed + 2, DataType.DOUBLE, HIDDEN, EMBED).muli(0.5));
      SDVariable b2 = sd.var("b2", NdRandom.randn(seed + 3, DataType.DOUBLE, 1, EMBED).muli(0.1));
      SDVariable w3 = sd.var("w3", NdRandom.randn(seed + 4, DataType.DOUBLE, HIDDEN, CLASSES).muli(0.5));
      SDVariable b3 = sd.var("b3", NdRandom.randn(seed + 5, DataType.DOUBLE, 1, CLASSES).muli(0.1));
      hidden = sd.math().tanh("hidden", x.mmul(w1).add(b1));
      z = hidden.mmul(w2).add("embedding", b2);
      o = hidden.mmul(w3).add("logits", b3);
    }

    Mlp(long seed) {
      this(seed, null);
    }

    SDVariable addLoss(LossConfig cfg) {
      SDVariable loss = SDClceLoss.of(sd).loss("loss", cfg, cfg.kind().usesEmbeddings() ? z : null, labels,
          cfg.kind().usesLogits() ? o : null);
      loss.markAsLoss();
      return loss;
    }

    ChunkedGradients.Builder chunked(LossConfig cfg) {
      return ChunkedGradients.builder(sd, cfg).optEmbeddings(z.name()).optLogits(o.name());
    }

    Map<String, INDArray> reference(INDArray in, INDArray y) {
      Map<String, INDArray> ph = new HashMap<>();
      ph.put("x", in);
      ph.put("labels", y);
      return sd.calculateGradients(ph, List.of("w1", "b1", "w2", "b2", "w3", "b3"));
    }

    double loss(INDArray in, INDArray y) {
      Map<String, INDArray> ph = new HashMap<>();
      ph.put("x", in);
      ph.put("labels", y);
      return sd.output(ph, "loss").get("loss").getDouble(0);
    }
  }

  static INDArray input(int n, long seed) {
    return NdRandom.randn(seed, DataType.DOUBLE, n, IN);
  }

  /** @return 0, 0, 1, 1, 2, 2, 0, 0, ...: every row has a positive when n is even */
  static INDArray labels(int n, int classes) {
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = (i / 2) % classes;
    }
    return Nd4j.createFromArray(l);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(LossKind.class)
  void equalsTheFullBatchGradientForEveryLoss(LossKind kind) {
    LossConfig cfg = LossConfig.builder(kind).build();
    Mlp m = new Mlp(11);
    m.addLoss(cfg);
    INDArray x = input(BATCH, 21);
    INDArray y = labels(BATCH, CLASSES);
    Map<String, INDArray> ref = m.reference(x, y);
    double refLoss = m.loss(x, y);
    ChunkedGradients cg = m.chunked(cfg).build();
    assertEquals(List.of("x"), cg.inputs());
    for (int chunk : new int[] {1, 3, 4, BATCH}) {
      ChunkedResult r = cg.compute(x, y, chunk);
      assertEquals(refLoss, r.loss(), 1e-12 * Math.max(1, Math.abs(refLoss)), kind + " chunk " + chunk + ": loss");
      GradientAssertions.assertSameGradients(ref, r.gradients(), TOLERANCE, kind + " chunk " + chunk);
      assertEquals((BATCH + chunk - 1) / chunk, r.chunks().size(), "number of chunks");
      assertEquals(BATCH % chunk == 0 ? chunk : BATCH % chunk, r.chunks().get(r.chunks().size() - 1).size(), "last chunk");
      assertEquals(kind.usesEmbeddings(), r.embeddings() != null, "embeddings returned");
      assertEquals(kind.usesLogits(), r.logits() != null, "logits returned");
    }
    // the user's own loss and gradient function are back: the same gradients as before, bit for bit
    Map<String, INDArray> again = m.reference(x, y);
    for (String p : ref.keySet()) {
      assertEquals(ref.get(p), again.get(p), kind + ": user's gradient of " + p + " after chunking");
    }
    assertEquals(List.of("loss"), m.sd.getLossVariables());
  }

  @Test
  void worksWithoutAUserLossAndReturnsTheBatchEmbeddingsAndLogits() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.1).build();
    Mlp m = new Mlp(5);
    INDArray x = input(BATCH, 8);
    INDArray y = labels(BATCH, CLASSES);
    ChunkedGradients cg = m.chunked(cfg).optOutputs(List.of("embedding", "hidden")).build();
    ChunkedResult r = cg.compute(x, y, 4);
    assertTrue(m.sd.getLossVariables().isEmpty(), "no loss variable was set before, none after");
    assertNull(m.sd.getFunction("grad"), "no gradient function was built before, none after");
    Map<String, INDArray> full = m.sd.output(Map.of("x", x), "embedding", "logits");
    assertEquals(full.get("embedding"), r.embeddings());
    assertEquals(full.get("logits"), r.logits());
    // the second pass sees the same rows as the first: its embeddings are the first pass's, chunk by chunk
    int[][] expected = {{0, 4}, {4, 8}, {8, 10}};
    for (int c = 0; c < 3; c++) {
      ChunkOutputs ch = r.chunks().get(c);
      assertEquals(expected[c][0], ch.from());
      assertEquals(expected[c][1], ch.to());
      assertEquals(r.embeddings().get(NDArrayIndex.interval(ch.from(), ch.to()), NDArrayIndex.all()), ch.outputs().get("embedding"));
      assertTrue(java.util.Arrays.equals(new long[] {ch.size(), HIDDEN}, ch.outputs().get("hidden").shape()), "hidden's shape");
    }
    // and the gradients match a graph with the loss added afterwards
    m.addLoss(cfg);
    GradientAssertions.assertSameGradients(m.reference(x, y), r.gradients(), TOLERANCE, "loss added later");
  }

  @Test
  void runsTheAfterChunkHookAfterEveryPassOverAChunk() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).build();
    Mlp m = new Mlp(6);
    INDArray x = input(BATCH, 8);
    INDArray y = labels(BATCH, CLASSES);
    int[] calls = new int[1];
    ChunkedResult r = m.chunked(cfg).optAfterChunk(() -> calls[0]++).build().compute(x, y, 4);
    // BATCH 10 in chunks of 4: 3 chunks, each passed over twice
    assertEquals(6, calls[0]);
    m.addLoss(cfg);
    GradientAssertions.assertSameGradients(m.reference(x, y), r.gradients(), TOLERANCE, "with the hook");
  }

  @Test
  void refusesBadInputBeforeAnyWork() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).build();
    Mlp m = new Mlp(3);
    INDArray x = input(BATCH, 4);
    INDArray y = labels(BATCH, CLASSES);
    ChunkedGradients cg = m.chunked(cfg).build();
    assertMessage(() -> cg.compute(x, y, 0), "chunkSize", "got 0");
    assertMessage(() -> cg.compute(x, y, BATCH + 1), "chunkSize", "got 11");
    assertMessage(() -> cg.compute(x, labels(BATCH - 1, CLASSES), 2), "labels", "[9]");
    assertMessage(() -> cg.compute(x, null, 2), "labels", "null");
    assertMessage(() -> cg.compute(Map.of("y", x), y, 2), "features", "'x'");
    assertMessage(() -> cg.compute(Map.of("x", x, "labels", labels(BATCH + 2, CLASSES)), y, 2), "features", "'labels' has 12 rows");
    assertMessage(() -> cg.compute(Map.of("x", x, "hidden", x), y, 2), "features", "'hidden' is not a placeholder");
    assertMessage(() -> cg.compute(input(1, 4), labels(1, CLASSES), 1), "features", "B = 1");
    assertNull(m.sd.getFunction("grad"), "a refused call built no gradient function");

    Mlp n = new Mlp(3);
    assertMessage(() -> ChunkedGradients.builder(n.sd, cfg).optEmbeddings("nope").optLogits("logits").build(), "embeddings", "'nope'");
    assertMessage(() -> ChunkedGradients.builder(n.sd, cfg).optEmbeddings("embedding").build(), "logits", "clce");
    assertMessage(() -> ChunkedGradients.builder(n.sd, cfg).optEmbeddings("x").optLogits("logits").build(), "embeddings", "PLACEHOLDER");
    assertMessage(() -> ChunkedGradients.builder(n.sd, cfg).optEmbeddings("embedding").optLogits("logits")
        .optParameters(List.of("w1", "hidden")).build(), "parameters", "'hidden'");
    assertMessage(() -> ChunkedGradients.builder(n.sd, cfg).optEmbeddings("embedding").optLogits("logits")
        .optOutputs(List.of("nope")).build(), "outputs", "'nope'");
    assertMessage(() -> ChunkedGradients.builder(null, cfg), "sd", "null");
    assertMessage(() -> ChunkedGradients.builder(n.sd, null), "config", "null");
    assertFalse(n.sd.hasVariable(ChunkedGradients.SURROGATE), "a refused build added nothing");
    // CE reads logits only: no embeddings needed
    assertNotNull(ChunkedGradients.builder(n.sd, LossConfig.builder(LossKind.CE).build()).optLogits("logits").build());
    assertMessage(() -> m.chunked(cfg).build(), "sd", "reserved");
    // a graph with two inputs needs the map form
    SameDiff two = SameDiff.create();
    SDVariable a = two.placeHolder("a", DataType.DOUBLE, -1, 2);
    SDVariable b = two.placeHolder("b", DataType.DOUBLE, -1, 2);
    SDVariable w = two.var("w", Nd4j.ones(DataType.DOUBLE, 2, 2));
    a.add(b).mmul(w).rename("e");
    ChunkedGradients cg2 = ChunkedGradients.builder(two, LossConfig.builder(LossKind.SUPCON).build()).optEmbeddings("e").build();
    assertEquals(List.of("a", "b"), cg2.inputs());
    assertMessage(() -> cg2.compute(Nd4j.ones(DataType.DOUBLE, 4, 2), labels(4, 2), 2), "features", "[a, b]");
  }

  /**
   * The second pass over a chunk sees the random state of the first: with noise drawn inside the
   * graph and one chunk, the chunked gradient equals the full-batch gradient after the same seed
   * (without the restored state the second pass would draw other noise).
   */
  @Test
  void secondPassSeesTheRandomStateOfTheFirst() {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).build();
    Mlp m = new Mlp(9);
    SDVariable noise = m.sd.random().normal("noise", 0, 1, DataType.DOUBLE, BATCH, EMBED);
    SDVariable zn = m.z.mul("noisy", noise.mul(0.5).add(1.0));   // multiplicative: the gradient depends on the draw
    SDClceLoss.of(m.sd).loss("loss", cfg, zn, m.labels, m.o).markAsLoss();
    INDArray x = input(BATCH, 31);
    INDArray y = labels(BATCH, CLASSES);
    Nd4j.getRandom().setSeed(1234);
    Map<String, INDArray> ref = m.reference(x, y);
    long after = Nd4j.getRandom().nextLong();
    ChunkedGradients cg = ChunkedGradients.builder(m.sd, cfg).optEmbeddings("noisy").optLogits("logits").build();
    Nd4j.getRandom().setSeed(1234);
    ChunkedResult r = cg.compute(x, y, BATCH);
    GradientAssertions.assertSameGradients(ref, r.gradients(), TOLERANCE, "noise in the graph");
    assertEquals(after, Nd4j.getRandom().nextLong(), "the generator ends where one forward pass leaves it");
  }

  static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should contain '" + p + "'");
    }
  }
}

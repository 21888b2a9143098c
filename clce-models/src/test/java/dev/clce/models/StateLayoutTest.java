package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.models.layers.ParamSpec;
import dev.clce.models.layers.StateLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.shape.Permute;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolution weights live in ND4J's YXIO layout in the graph and in torchvision's OIHW layout
 * everywhere else: the conversion against a plain index loop, and the built graphs.
 */
class StateLayoutTest {
  private static final int O = 5;
  private static final int I = 3;
  private static final int KH = 2;
  private static final int KW = 4;

  /** value of element [o, i, y, x] of the OIHW test tensor: every element distinct */
  private static double oihw(int o, int i, int y, int x) {
    return 1000 * o + 100 * i + 10 * y + x;
  }

  private static INDArray oihwTensor() {
    double[] v = new double[O * I * KH * KW];
    int k = 0;
    for (int o = 0; o < O; o++) {
      for (int i = 0; i < I; i++) {
        for (int y = 0; y < KH; y++) {
          for (int x = 0; x < KW; x++) {
            v[k++] = oihw(o, i, y, x);
          }
        }
      }
    }
    return Nd4j.createFromArray(v).reshape(O, I, KH, KW);
  }

  @Test
  void convWeightShapesAndValuesFollowYxio() {
    StateLayout l = StateLayout.CONV2D_YXIO;
    assertArrayEquals(new long[] {KH, KW, I, O}, l.graphShape(new long[] {O, I, KH, KW}));
    assertArrayEquals(new long[] {O, I, KH, KW}, l.stateShape(new long[] {KH, KW, I, O}));
    INDArray g = l.graphView(oihwTensor()).dup('c');
    assertArrayEquals(new long[] {KH, KW, I, O}, g.shape());
    for (int y = 0; y < KH; y++) {
      for (int x = 0; x < KW; x++) {
        for (int i = 0; i < I; i++) {
          for (int o = 0; o < O; o++) {
            assertEquals(oihw(o, i, y, x), g.getDouble(y, x, i, o), 0.0, "[" + y + "," + x + "," + i + "," + o + "]");
          }
        }
      }
    }
    assertEquals(oihwTensor(), l.stateView(g).dup('c'), "round trip");
  }

  @Test
  void stateViewWritesThroughToTheGraphArray() {
    INDArray g = Nd4j.zeros(DataType.DOUBLE, KH, KW, I, O);
    StateLayout.CONV2D_YXIO.stateView(g).assign(oihwTensor());
    assertEquals(oihw(4, 2, 1, 3), g.getDouble(1, 3, 2, 4), 0.0);
    assertEquals(oihw(1, 0, 0, 2), g.getDouble(0, 2, 0, 1), 0.0);
  }

  @Test
  void sameIsTheIdentity() {
    INDArray a = Nd4j.rand(DataType.FLOAT, 3, 4);
    assertSame(a, StateLayout.SAME.stateView(a));
    assertSame(a, StateLayout.SAME.graphView(a));
    assertSame(a, StateLayout.SAME.flatToState(a, new long[] {3, 4}));
    assertArrayEquals(new long[] {3, 4}, StateLayout.SAME.graphShape(new long[] {3, 4}));
  }

  @Test
  void optimiserStateIsConvertedCopyByCopy() {
    // Two copies (Adam's m and v) of a YXIO weight, flattened in graph C order, as ND4J's updater holds them.
    INDArray g = StateLayout.CONV2D_YXIO.graphView(oihwTensor()).dup('c');
    INDArray row = g.reshape('c', new long[] {g.length()});
    INDArray flat = Nd4j.concat(0, row, row.add(0.5)).reshape(1, 2 * g.length());
    INDArray state = StateLayout.CONV2D_YXIO.flatToState(flat, g.shape());
    assertArrayEquals(flat.shape(), state.shape());
    int k = 0;
    for (int copy = 0; copy < 2; copy++) {
      for (int o = 0; o < O; o++) {
        for (int i = 0; i < I; i++) {
          for (int y = 0; y < KH; y++) {
            for (int x = 0; x < KW; x++) {
              assertEquals(oihw(o, i, y, x) + 0.5 * copy, state.getDouble(0, k++), 0.0);
            }
          }
        }
      }
    }
    assertEquals(flat, StateLayout.CONV2D_YXIO.flatToGraph(state, new long[] {O, I, KH, KW}), "round trip");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StateLayout.CONV2D_YXIO.flatToState(Nd4j.zeros(1, 7), g.shape()));
    assertTrue(e.getMessage().startsWith("flat: length must be a multiple of 120"), e.getMessage());
  }

  @Test
  void badRanksAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StateLayout.CONV2D_YXIO.graphShape(new long[] {3, 4}));
    assertTrue(e.getMessage().startsWith("stateShape: CONV2D_YXIO needs rank 4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ParamSpec("w", new long[] {3, 4}, ParamSpec.Role.TRAINABLE,
        ParamSpec.Init.constant(0), StateLayout.CONV2D_YXIO));
    assertTrue(e.getMessage().startsWith("layout: CONV2D_YXIO needs rank 4"), e.getMessage());
  }

  /** Every op that reads a variable. */
  private static List<SameDiffOp> consumers(SameDiff sd, String name) {
    Variable v = sd.getVariables().get(name);
    List<SameDiffOp> out = new ArrayList<>();
    if (v.getInputsForOp() != null) {
      for (String op : v.getInputsForOp()) {
        out.add(sd.getOps().get(op));
      }
    }
    return out;
  }

  private static void assertConvWeightsFeedConv2dDirectly(EncoderModel m, int expectedConvs) {
    SameDiff sd = m.sameDiff();
    int convWeights = 0;
    for (ParamSpec p : m.spec().stateEntries()) {
      if (!p.name().endsWith(".weight") || p.shape().length != 4) {
        continue;
      }
      convWeights++;
      assertEquals(StateLayout.CONV2D_YXIO, p.layout(), p.name());
      long[] s = p.shape(); // torchvision [out, in, kH, kW]
      assertArrayEquals(new long[] {s[2], s[3], s[1], s[0]}, sd.getArrForVarName(p.name()).shape(), p.name() + " is YXIO");
      List<SameDiffOp> ops = consumers(sd, p.name());
      assertEquals(1, ops.size(), p.name() + " feeds one op");
      assertTrue(ops.get(0).getOp() instanceof Conv2D, p.name() + " feeds " + ops.get(0).getOp().opName() + ", not conv2d");
    }
    assertEquals(expectedConvs, convWeights, "convolution weights found");
  }

  @Test
  void resnetForwardGraphHasNoPermute() {
    EncoderModel m = Arch.RESNET18.create(TinyModels.options(Arch.RESNET18));
    // ResNet-18 capped at 2 blocks per stage: stem + 8 blocks x 2 convs + 3 downsample convs
    assertConvWeightsFeedConv2dDirectly(m, 20);
    long permutes = m.sameDiff().getOps().values().stream().filter(o -> o.getOp() instanceof Permute).count();
    assertEquals(0, permutes, "permute ops in the ResNet forward graph");
  }

  @Test
  void vitPatchEmbeddingIsYxio() {
    EncoderModel m = Arch.VIT_TI_16.create(TinyModels.options(Arch.VIT_TI_16));
    assertConvWeightsFeedConv2dDirectly(m, 1);
  }

  @Test
  void stateArrayIsTheGraphArrayInTorchvisionLayout() {
    // Two builds with one seed agree, and a conv weight's state view is its graph array, OIHW.
    EncoderModel a = Arch.RESNET18.create(TinyModels.options(Arch.RESNET18));
    EncoderModel b = Arch.RESNET18.create(TinyModels.options(Arch.RESNET18));
    assertEquals(a.stateArray("conv1.weight"), b.stateArray("conv1.weight"));
    assertEquals(a.sameDiff().getArrForVarName("conv1.weight").permute(3, 2, 0, 1), a.stateArray("conv1.weight"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.stateArray("nope"));
    assertTrue(e.getMessage().startsWith("name: not a state entry"), e.getMessage());
  }
}

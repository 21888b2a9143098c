package dev.clce.models.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.graph.DType;
import org.nd4j.graph.FlatArray;
import org.nd4j.graph.FlatGraph;
import org.nd4j.graph.FlatNode;
import org.nd4j.graph.FlatProperties;
import org.nd4j.graph.FlatVariable;
import org.nd4j.graph.IntPair;
import org.nd4j.graph.VarType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link FlatBuffersCheck} against hand-made model files: a one-variable graph built with ND4J's own
 * FlatBuffers classes (which SameDiff loads, checked here), then changed in one place each, and the
 * fuzzer's input that exhausted the heap.
 */
class FlatBuffersCheckTest {

  private static final Path INPUTS = Path.of("src", "test", "resources", "dev", "clce", "models", "weights",
      "ReaderFuzzTestInputs", "modelCheckpoint");

  @TempDir Path dir;

  /** A 2x3 FLOAT array's shape information as ND4J writes it (rank, shape, strides, extras, ews, order). */
  private static long[] info2x3() {
    return Nd4j.create(DataType.FLOAT, 2, 3).shapeInfoJava().clone();
  }

  /** The values 1..n as big-endian floats (the byte order the files declare). */
  private static byte[] floats(int n) {
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.BIG_ENDIAN);
    for (int i = 1; i <= n; i++) {
      b.putFloat(i);
    }
    return b.array();
  }

  /** A graph and where its parts are (positions in {@code bytes}). */
  private record Graph(byte[] bytes, int variables, int arrayShape, int name) {
    byte[] withInt(int pos, int value) {
      byte[] b = bytes.clone();
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(pos, value);
      return b;
    }
  }

  /**
   * A FlatGraph whose variables vector holds {@code copies} references to one variable "w" (a
   * VARIABLE with a FLOAT array of the given shape information and buffer).
   */
  private static Graph graph(long[] shapeInfo, byte[] buffer, long[] varShape, int copies) {
    FlatBufferBuilder b = new FlatBufferBuilder(1024);
    int shape = FlatArray.createShapeVector(b, shapeInfo);
    int data = FlatArray.createBufferVector(b, buffer);
    int array = FlatArray.createFlatArray(b, shape, data, DType.FLOAT, org.nd4j.graph.ByteOrder.BE);
    int name = b.createString("w");
    int vshape = FlatVariable.createShapeVector(b, varShape);
    int id = IntPair.createIntPair(b, 0, 0);
    FlatVariable.startFlatVariable(b);
    FlatVariable.addId(b, id);
    FlatVariable.addName(b, name);
    FlatVariable.addDtype(b, DType.FLOAT);
    FlatVariable.addShape(b, vshape);
    FlatVariable.addNdarray(b, array);
    FlatVariable.addVariabletype(b, VarType.VARIABLE);
    int variable = FlatVariable.endFlatVariable(b);
    int[] refs = new int[copies];
    Arrays.fill(refs, variable);
    int variables = FlatGraph.createVariablesVector(b, refs);
    FlatGraph.startFlatGraph(b);
    FlatGraph.addVariables(b, variables);
    b.finish(FlatGraph.endFlatGraph(b));
    byte[] bytes = b.sizedByteArray();
    // the builder's offsets count from the end of the buffer
    return new Graph(bytes, bytes.length - variables, bytes.length - shape, bytes.length - name);
  }

  private static Graph graph(long[] shapeInfo, byte[] buffer) {
    return graph(shapeInfo, buffer, new long[] {2, 3}, 1);
  }

  private static Graph valid() {
    return graph(info2x3(), floats(6));
  }

  private Path file(byte[] bytes) throws IOException {
    Path f = dir.resolve("model.sd");
    Files.write(f, bytes);
    return f;
  }

  private static void refused(byte[] bytes, String... parts) {
    String problem = FlatBuffersCheck.problem(bytes);
    assertNotNull(problem, "accepted");
    for (String p : parts) {
      assertTrue(problem.contains(p), () -> "'" + p + "' not in: " + problem);
    }
  }

  @Test
  void handMadeGraphPassesAndSameDiffLoadsIt() throws IOException {
    Graph g = valid();
    assertNull(FlatBuffersCheck.problem(g.bytes()));
    SameDiff sd = ModelCheckpoint.load(file(g.bytes()), false);
    assertArrayEquals(new float[][] {{1, 2, 3}, {4, 5, 6}}, sd.getArrForVarName("w").toFloatMatrix());
  }

  @Test
  void committedSeedPasses() throws IOException {
    assertNull(FlatBuffersCheck.problem(Files.readAllBytes(INPUTS.resolve("seed-resnet18-tiny.sd"))));
  }

  /** The input Jazzer found: one byte made a node's output-name vector declare 838,860,801 names (it has 1). */
  @Test
  void fuzzerInputIsRefusedNamingTheField() throws IOException {
    Path crash = INPUTS.resolve("crash-2bab2b3fd0c605ab567a7e1d1ba64f7c96b32ba1");
    refused(Files.readAllBytes(crash), "FlatNode.outputNames", "declares 838860801 entries, past the end of the file");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.load(crash, false));
    assertTrue(e.getMessage().startsWith("file: " + crash + " is not a readable SameDiff model: FlatNode.outputNames"),
        e.getMessage());
  }

  @Test
  void truncatedFileIsRefused() throws IOException {
    byte[] b = valid().bytes();
    for (int keep : new int[] {0, 4, 7, b.length / 2, b.length - 1}) {
      String problem = FlatBuffersCheck.problem(Arrays.copyOf(b, keep));
      assertNotNull(problem, "kept " + keep + " bytes");
    }
    Path f = file(Arrays.copyOf(b, b.length - 8));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.load(f, false));
    assertTrue(e.getMessage().startsWith("file: " + f + " is not a readable SameDiff model: "), e.getMessage());
  }

  @Test
  void hugeOrNegativeVectorLengthIsRefused() {
    Graph g = valid();
    refused(g.withInt(g.variables(), Integer.MAX_VALUE), "FlatGraph.variables at byte " + g.variables(),
        "declares 2147483647 entries, past the end of the file (" + g.bytes().length + " bytes)");
    refused(g.withInt(g.variables(), -1), "FlatGraph.variables", "declares -1 entries");
    refused(g.withInt(g.arrayShape(), 1 << 28), "FlatArray.shape", "declares 268435456 entries");
  }

  @Test
  void stringPastTheEndIsRefused() {
    Graph g = valid();
    refused(g.withInt(g.name(), 1_000_000), "FlatVariable.name", "declares a string of 1000000 bytes");
    refused(g.withInt(g.name(), -5), "FlatVariable.name", "declares a string of -5 bytes");
  }

  @Test
  void offsetOutsideTheFileIsRefused() {
    Graph g = valid();
    refused(g.withInt(0, g.bytes().length), "the root offset at byte 0 points to byte " + g.bytes().length);
    refused(g.withInt(0, -4), "the root offset at byte 0 points to byte -4");
  }

  @Test
  void overflowingShapeIsRefused() {
    long[] info = info2x3();
    info[1] = 1L << 32;
    info[2] = 1L << 32;
    refused(graph(info, floats(6)).bytes(), "has the shape [4294967296, 4294967296]",
        "has more elements than a 64-bit byte count can hold");
  }

  @Test
  void shapeLargerThanTheBufferIsRefused() {
    long[] info = info2x3();
    info[1] = 1000;
    info[2] = 1000;
    info[3] = 1000;   // c-order strides of [1000, 1000]
    refused(graph(info, floats(6)).bytes(), "declares 1000000 FLOAT elements (4000000 bytes) but holds 24 bytes");
  }

  @Test
  void negativeDimensionRankAndStridesAreRefused() {
    long[] negative = info2x3();
    negative[1] = -2;
    refused(graph(negative, floats(6)).bytes(), "has a negative dimension");
    refused(graph(new long[] {40}, floats(6)).bytes(), "declares rank 40");
    refused(graph(new long[] {-1}, floats(6)).bytes(), "declares rank -1");
    refused(graph(new long[] {2, 2, 3}, floats(6)).bytes(), "holds 3 shape-information values, fewer than the 8");
    long[] strides = info2x3();
    strides[3] = 30;
    refused(graph(strides, floats(6)).bytes(), "has the strides [30, 1], which reach past its 6 elements");
    strides[3] = -3;
    refused(graph(strides, floats(6)).bytes(), "has the negative stride -3");
  }

  @Test
  void variableShapeIsChecked() {
    refused(graph(info2x3(), floats(6), new long[40], 1).bytes(), "FlatVariable at byte", "has 40 dimensions");
    refused(graph(info2x3(), floats(6), new long[] {-7, 3}, 1).bytes(), "has the dimension -7");
    assertNull(FlatBuffersCheck.problem(graph(info2x3(), floats(6), new long[] {-1, 3}, 1).bytes()));
  }

  /** Sharing is allowed in moderation; a small file may not stand for an enormous graph. */
  @Test
  void sharedPartsAreBoundedByTheFileSize() {
    long[] info = Nd4j.create(DataType.FLOAT, 1000).shapeInfoJava().clone();
    Graph twice = graph(info, floats(1000), new long[] {1000}, 2);
    assertNull(FlatBuffersCheck.problem(twice.bytes()));
    Graph many = graph(info, floats(1000), new long[] {1000}, 2000);
    refused(many.bytes(), "refers to its parts so often", "times the file's " + many.bytes().length);
  }

  /** SameDiff reshapes a node property's values with its 2- or 3-dimensional shape. */
  @Test
  void propertyShapeMustFitItsValues() {
    assertNull(FlatBuffersCheck.problem(withProperty(new int[] {2, 2})));
    refused(withProperty(new int[] {100_000, 100_000}), "FlatProperties at byte", "has the dimension 100000 for 4 values");
    refused(withProperty(new int[] {0, 4}), "has the dimension 0 for 4 values");
    refused(withProperty(new int[] {4, 4, 4}), "has a shape of 64 elements for 4 values");
  }

  /** A graph with one node holding one int property of 4 values with the given shape. */
  private static byte[] withProperty(int[] shape) {
    FlatBufferBuilder b = new FlatBufferBuilder(256);
    int pname = b.createString("p");
    int values = FlatProperties.createIVector(b, new int[] {1, 2, 3, 4});
    int pshape = FlatProperties.createShapeVector(b, shape);
    FlatProperties.startFlatProperties(b);
    FlatProperties.addName(b, pname);
    FlatProperties.addI(b, values);
    FlatProperties.addShape(b, pshape);
    int property = FlatProperties.endFlatProperties(b);
    int properties = FlatNode.createPropertiesVector(b, new int[] {property});
    int name = b.createString("n");
    FlatNode.startFlatNode(b);
    FlatNode.addName(b, name);
    FlatNode.addProperties(b, properties);
    int node = FlatNode.endFlatNode(b);
    int nodes = FlatGraph.createNodesVector(b, new int[] {node});
    FlatGraph.startFlatGraph(b);
    FlatGraph.addNodes(b, nodes);
    b.finish(FlatGraph.endFlatGraph(b));
    return b.sizedByteArray();
  }

  @Test
  void tooShortIsRefused() {
    assertEquals("has 0 bytes, too few for a FlatBuffers graph", FlatBuffersCheck.problem(new byte[0]));
  }
}

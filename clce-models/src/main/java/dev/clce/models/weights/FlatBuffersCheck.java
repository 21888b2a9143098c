package dev.clce.models.weights;

import dev.clce.core.internal.Shapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.serde.FlatBuffersMapper;
import org.nd4j.graph.DType;
import org.nd4j.graph.FlatArray;
import org.nd4j.graph.FlatProperties;
import org.nd4j.graph.FlatVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Checks a SameDiff model file (ND4J 1.0.0-M2.1's FlatBuffers {@code FlatGraph}) before
 * {@code SameDiff.fromFlatBuffers} reads it.
 *
 * <p>Why: FlatBuffers' generated Java readers trust the bytes. Every vector length, string length and
 * offset is read from the file and used as is, and SameDiff sizes its arrays from them before it reads
 * a single element: {@code new String[fn.outputNamesLength()]}, {@code new ArrayList<>(n)},
 * {@code new long[2 * rank + 4]} from an array's declared rank, {@code new float[prod]} from its
 * declared shape with whatever buffer is present, a native allocation of the declared shape for
 * {@code UINT8}/{@code BFLOAT16}/{@code UINT16} and for arrays flagged empty. One changed byte in a
 * length turns a 90 KB file into a request for gigabytes: the {@code OutOfMemoryError} that the fuzzer
 * found. Out-of-range reads would only throw {@code IndexOutOfBoundsException}; allocations from
 * declared sizes cannot be caught reliably, so they are checked here first.
 *
 * <p>What: the whole table tree as ND4J's {@code org.nd4j.graph} schema defines it, from the root
 * {@code FlatGraph} down (variables, nodes, their properties, arrays, updater state, configuration,
 * sequence items): every table, vtable, scalar field, string and vector lies inside the file, and no
 * length is negative. Each array ({@code FlatArray}) has a rank of at most {@value Shapes#MAX_RANK}, a
 * shape-information vector as long as its rank needs, a known data type, dimensions that
 * {@link Shapes#problem} accepts, strides that stay inside its elements, and at least as many buffer
 * bytes as its shape declares. A variable's shape has at most {@value Shapes#MAX_RANK} dimensions, none
 * below -1 (unknown). A node property's 2- and 3-dimensional shape (SameDiff reshapes the values with
 * it) has positive dimensions whose product does not exceed the values present. Last, since tables
 * and strings may be shared, the bytes that reading the tree touches with every sharing expanded must
 * stay within {@value #EXPANSION} times the file's size, so that a small file cannot make SameDiff
 * build an enormous graph.
 *
 * <p>What it does not check: anything SameDiff's own reader reports with an ordinary exception (an
 * unknown op, a dangling input, bad JSON in the training configuration); {@link ModelCheckpoint}
 * turns those into its refusal as before. Strings of a {@code UTF8} array are only checked for their
 * header's size.
 */
final class FlatBuffersCheck {

  /** How many times the file's size reading the tree may touch when shared parts are expanded. */
  static final int EXPANSION = 16;

  private FlatBuffersCheck() {}

  /**
   * What is wrong with a model file's bytes, for a refusal message.
   *
   * @param bytes the whole file
   * @return null when SameDiff can be handed the bytes, else what is wrong (for example
   *     {@code "FlatNode.outputNames at byte 2936 declares 838860801 entries, past the end of the
   *     file (92152 bytes)"})
   */
  static String problem(byte[] bytes) {
    try {
      new Walk(bytes).root();
      return null;
    } catch (Refusal r) {
      return r.getMessage();
    }
  }

  /** What a field holds. */
  private enum Kind { SCALAR, STRING, TABLE, SCALARS, STRINGS, TABLES }

  /**
   * One field of a table: its vtable slot ({@code 4 + 2 * index}), what it holds, the width of a
   * scalar or of a vector's element, and the table type it refers to.
   */
  private record Field(String name, int slot, Kind kind, int width, Table table) {
    static Field scalar(String name, int slot, int width) {
      return new Field(name, slot, Kind.SCALAR, width, null);
    }

    static Field string(String name, int slot) {
      return new Field(name, slot, Kind.STRING, 4, null);
    }

    static Field table(String name, int slot, Table t) {
      return new Field(name, slot, Kind.TABLE, 4, t);
    }

    static Field scalars(String name, int slot, int width) {
      return new Field(name, slot, Kind.SCALARS, width, null);
    }

    static Field strings(String name, int slot) {
      return new Field(name, slot, Kind.STRINGS, 4, null);
    }

    static Field tables(String name, int slot, Table t) {
      return new Field(name, slot, Kind.TABLES, 4, t);
    }
  }

  /**
   * The tables of ND4J's {@code graph.fbs} that a {@code FlatGraph} reaches, with their fields as the
   * generated classes in {@code org.nd4j.graph} (M2.1) read them. Declared leaves first: a table
   * refers only to tables above it, so the tree has no cycles.
   */
  private enum Table {
    INT_PAIR("IntPair", List.of(Field.scalar("first", 4, 4), Field.scalar("second", 6, 4))),
    ARRAY("FlatArray", List.of(Field.scalars("shape", 4, 8), Field.scalars("buffer", 6, 1),
        Field.scalar("dtype", 8, 1), Field.scalar("byteOrder", 10, 1))),
    PROPERTIES("FlatProperties", List.of(Field.string("name", 4), Field.scalars("i", 6, 4),
        Field.scalars("l", 8, 8), Field.scalars("d", 10, 8), Field.tables("a", 12, ARRAY),
        Field.scalars("b", 14, 1), Field.strings("s", 16), Field.scalars("shape", 18, 4))),
    CONFIGURATION("FlatConfiguration", List.of(Field.scalar("id", 4, 8), Field.scalar("executionMode", 6, 1),
        Field.scalar("profilingMode", 8, 1), Field.scalar("outputMode", 10, 1), Field.scalar("timestats", 12, 1),
        Field.scalar("footprintForward", 14, 8), Field.scalar("footprintBackward", 16, 8),
        Field.scalar("direction", 18, 1))),
    VARIABLE("FlatVariable", List.of(Field.table("id", 4, INT_PAIR), Field.string("name", 6),
        Field.scalar("dtype", 8, 1), Field.scalars("shape", 10, 8), Field.table("ndarray", 12, ARRAY),
        Field.scalar("device", 14, 4), Field.scalar("variabletype", 16, 1), Field.strings("controlDeps", 18),
        Field.strings("controlDepForOp", 20), Field.strings("controlDepsForVar", 22))),
    NODE("FlatNode", List.of(Field.scalar("id", 4, 4), Field.string("name", 6), Field.scalar("opType", 8, 1),
        Field.scalar("opNum", 10, 8), Field.tables("properties", 12, PROPERTIES), Field.scalars("input", 14, 4),
        Field.tables("inputPaired", 16, INT_PAIR), Field.scalars("output", 18, 4),
        Field.scalars("extraParams", 20, 8), Field.scalars("extraInteger", 22, 8),
        Field.scalars("extraBools", 24, 1), Field.scalars("dimensions", 26, 4), Field.scalar("device", 28, 4),
        Field.scalar("scopeId", 30, 4), Field.string("scopeName", 32), Field.strings("outputNames", 34),
        Field.string("opName", 36), Field.scalars("outputTypes", 38, 1), Field.table("scalar", 40, ARRAY),
        Field.strings("controlDeps", 42), Field.strings("varControlDeps", 44), Field.strings("controlDepFor", 46),
        Field.scalars("extraTypes", 48, 1), Field.strings("extraStrings", 50))),
    UPDATER_STATE("UpdaterState", List.of(Field.string("paramName", 4), Field.strings("updaterStateKeys", 6),
        Field.tables("updaterStateValues", 8, ARRAY))),
    SEQUENCE_ITEM("SequenceItem", List.of(Field.string("name", 4), Field.tables("associatedVariable", 6, ARRAY))),
    SEQUENCE_ROOT("SequenceItemRoot", List.of(Field.tables("sequenceItems", 4, SEQUENCE_ITEM))),
    GRAPH("FlatGraph", List.of(Field.scalar("id", 4, 8), Field.tables("variables", 6, VARIABLE),
        Field.tables("nodes", 8, NODE), Field.tables("outputs", 10, INT_PAIR),
        Field.table("configuration", 12, CONFIGURATION), Field.strings("placeholders", 14),
        Field.strings("lossVariables", 16), Field.string("trainingConfig", 18),
        Field.tables("updaterState", 20, UPDATER_STATE), Field.table("sequenceItems", 22, SEQUENCE_ROOT)));

    final String name;
    final List<Field> fields;

    Table(String name, List<Field> fields) {
      this.name = name;
      this.fields = fields;
    }
  }

  /** A refusal on the way down; its message says what and where. */
  private static final class Refusal extends RuntimeException {
    Refusal(String message) {
      super(message, null, false, false);
    }
  }

  /** One check of one file: the bytes, and each table already checked with its expanded size. */
  private static final class Walk {
    private final ByteBuffer bb;
    private final long size;
    private final long limit;
    private final Map<Long, Long> done = new HashMap<>();

    Walk(byte[] bytes) {
      this.bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      this.size = bytes.length;
      this.limit = EXPANSION * size + (1 << 20);
    }

    void root() {
      if (size < 8) {
        throw new Refusal("has " + size + " bytes, too few for a FlatBuffers graph");
      }
      long total = table(Table.GRAPH, reference(0, "the root offset"));
      if (total > limit) {
        throw expanded(total);
      }
    }

    /** Where the offset stored at {@code at} points (FlatBuffers' uoffset, read as Java reads it). */
    private long reference(long at, String what) {
      inside(at, 4, what);
      long to = at + bb.getInt((int) at);
      if (to < 0 || to >= size) {
        throw new Refusal(what + " at byte " + at + " points to byte " + to + ", outside the file (" + size + " bytes)");
      }
      return to;
    }

    private void inside(long at, long bytes, String what) {
      if (at < 0 || bytes < 0 || at + bytes > size) {
        throw new Refusal(what + " at byte " + at + " (" + bytes + " bytes) lies outside the file (" + size + " bytes)");
      }
    }

    private Refusal expanded(long total) {
      return new Refusal("refers to its parts so often that reading it would touch more than " + total
          + " bytes, over " + EXPANSION + " times the file's " + size);
    }

    /** Checks the table of type {@code t} at {@code pos} and what it refers to; returns its expanded size. */
    private long table(Table t, long pos) {
      long key = (pos << 4) | t.ordinal();
      Long known = done.get(key);
      if (known != null) {
        return known;
      }
      inside(pos, 4, t.name);
      long vtable = pos - bb.getInt((int) pos);
      inside(vtable, 2, t.name + "'s vtable");
      int vtableSize = bb.getShort((int) vtable);
      long total = 4;
      for (Field f : t.fields) {
        if (f.slot >= vtableSize) {
          continue;   // absent, as the generated reader sees it
        }
        String what = t.name + "." + f.name;
        inside(vtable + f.slot, 2, what + "'s vtable entry");
        int o = bb.getShort((int) (vtable + f.slot));
        if (o == 0) {
          continue;
        }
        long at = pos + o;
        total += field(f, what, at);
        if (total > limit) {
          throw expanded(total);
        }
      }
      semantics(t, (int) pos);
      done.put(key, total);
      return total;
    }

    private long field(Field f, String what, long at) {
      switch (f.kind) {
        case SCALAR:
          inside(at, f.width, what);
          return f.width;
        case STRING:
          return string(reference(at, what), what);
        case TABLE:
          return table(f.table, reference(at, what));
        default:
          break;
      }
      long vector = reference(at, what);
      inside(vector, 4, what + "'s length");
      long n = bb.getInt((int) vector);
      if (n < 0) {
        throw new Refusal(what + " at byte " + vector + " declares " + n + " entries");
      }
      long data = vector + 4;
      if (data + n * f.width > size) {
        throw new Refusal(what + " at byte " + vector + " declares " + n + " entries, past the end of the file ("
            + size + " bytes)");
      }
      long total = 4 + n * f.width;
      if (f.kind == Kind.SCALARS) {
        return total;
      }
      for (long j = 0; j < n; j++) {
        long element = reference(data + 4 * j, what + "[" + j + "]");
        total += f.kind == Kind.STRINGS ? string(element, what + "[" + j + "]") : table(f.table, element);
        if (total > limit) {
          throw expanded(total);
        }
      }
      return total;
    }

    private long string(long pos, String what) {
      inside(pos, 4, what + "'s length");
      long n = bb.getInt((int) pos);
      if (n < 0 || pos + 4 + n > size) {
        throw new Refusal(what + " at byte " + pos + " declares a string of " + n + " bytes, past the end of the file ("
            + size + " bytes)");
      }
      return 4 + n;
    }

    /** The checks beyond the layout, on a table whose layout is checked. */
    private void semantics(Table t, int pos) {
      switch (t) {
        case ARRAY -> array(new FlatArray().__assign(pos, bb), pos);
        case VARIABLE -> variable(new FlatVariable().__assign(pos, bb), pos);
        case PROPERTIES -> properties(new FlatProperties().__assign(pos, bb), pos);
        default -> { }
      }
    }

    /** What {@code Nd4j.createFromFlatArray} allocates is what the array's buffer holds. */
    private void array(FlatArray a, int pos) {
      String where = "FlatArray at byte " + pos;
      int infoLength = a.shapeLength();
      if (infoLength < 1) {
        throw new Refusal(where + " has no shape information");
      }
      long rank = a.shape(0);
      if (rank < 0 || rank > Shapes.MAX_RANK) {
        throw new Refusal(where + " declares rank " + rank + ", ND4J arrays have 0 to " + Shapes.MAX_RANK);
      }
      int needed = Shape.shapeInfoLength(rank);
      if (infoLength < needed) {
        throw new Refusal(where + " declares rank " + rank + " but holds " + infoLength
            + " shape-information values, fewer than the " + needed + " that needs");
      }
      long[] info = new long[needed];
      for (int i = 0; i < needed; i++) {
        info[i] = a.shape(i);
      }
      long[] shape = Shape.shapeOf(info);
      DataType type;
      try {
        type = FlatBuffersMapper.getDataTypeFromByte(a.dtype());
      } catch (RuntimeException e) {
        throw new Refusal(where + " has the unknown data type " + a.dtype());
      }
      boolean strings = a.dtype() == DType.UTF8;
      int itemSize = strings ? 8 : type.width();
      String problem = Shapes.problem(shape, itemSize);
      if (problem != null) {
        throw new Refusal(where + " has the shape " + Arrays.toString(shape) + ", which " + problem);
      }
      if (Shape.isEmpty(info) && rank == 0) {
        return;   // Nd4j.empty(): nothing is allocated
      }
      long count = Shapes.count(shape);
      long bytes = itemSize * count;   // no overflow: Shapes.problem checked it
      // UTF8: an offset per string and one more before the text (ND4J's string buffer header)
      long header = strings ? itemSize : 0;
      long present = a.bufferLength();
      if (bytes > present - header) {
        throw new Refusal(where + " declares " + count + " " + type + " elements (" + bytes + " bytes"
            + (strings ? " of offsets" : "") + ") but holds " + present + " bytes");
      }
      if (count > 0 && !strings) {
        long[] strides = Shape.stridesOf(info);
        long last = 0;
        for (int i = 0; i < shape.length; i++) {
          if (strides[i] < 0) {
            throw new Refusal(where + " has the negative stride " + strides[i]);
          }
          // each dimension is 1 to count here, and last stays below count: no overflow
          last += (shape[i] - 1) * Math.min(strides[i], count);
          if (last >= count) {
            throw new Refusal(where + " has the strides " + Arrays.toString(strides) + ", which reach past its "
                + count + " elements");
          }
        }
      }
    }

    /** A variable's shape is metadata, but still an ND4J shape: -1 marks an unknown dimension. */
    private void variable(FlatVariable v, int pos) {
      int rank = v.shapeLength();
      if (rank > Shapes.MAX_RANK) {
        throw new Refusal("FlatVariable at byte " + pos + " has " + rank + " dimensions, ND4J arrays have at most "
            + Shapes.MAX_RANK);
      }
      for (int i = 0; i < rank; i++) {
        if (v.shape(i) < -1) {
          throw new Refusal("FlatVariable at byte " + pos + " has the dimension " + v.shape(i));
        }
      }
    }

    /** SameDiff reshapes a property's values into a 2- or 3-dimensional Java array of its shape. */
    private void properties(FlatProperties p, int pos) {
      int rank = p.shapeLength();
      if (rank != 2 && rank != 3) {
        return;
      }
      // the values SameDiff picks, in its order
      int[] lengths = {p.iLength(), p.dLength(), p.lLength(), p.bLength(), p.sLength(), p.aLength()};
      long values = 0;
      for (int n : lengths) {
        if (n > 0) {
          values = n;
          break;
        }
      }
      if (values == 0) {
        return;
      }
      long product = 1;
      for (int i = 0; i < rank; i++) {
        int d = p.shape(i);
        if (d < 1 || d > values) {
          throw new Refusal("FlatProperties at byte " + pos + " has the dimension " + d + " for " + values + " values");
        }
        product *= d;   // at most values^3 < 2^63
      }
      if (product > values) {
        throw new Refusal("FlatProperties at byte " + pos + " has a shape of " + product + " elements for " + values
            + " values");
      }
    }
  }
}

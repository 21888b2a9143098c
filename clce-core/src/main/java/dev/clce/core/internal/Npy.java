package dev.clce.core.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), C order,
 * little-endian, for the data types
 *
 * <table>
 *   <caption>NumPy type codes and ND4J data types</caption>
 *   <tr><th>.npy</th><th>ND4J</th></tr>
 *   <tr><td>{@code <f8}</td><td>DOUBLE</td></tr>
 *   <tr><td>{@code <f4}</td><td>FLOAT</td></tr>
 *   <tr><td>{@code <f2}</td><td>HALF</td></tr>
 *   <tr><td>{@code <i8}</td><td>LONG</td></tr>
 *   <tr><td>{@code <i4}</td><td>INT</td></tr>
 *   <tr><td>{@code <i2}</td><td>SHORT</td></tr>
 *   <tr><td>{@code |i1}</td><td>BYTE</td></tr>
 *   <tr><td>{@code <u8}</td><td>UINT64</td></tr>
 *   <tr><td>{@code <u4}</td><td>UINT32</td></tr>
 *   <tr><td>{@code <u2}</td><td>UINT16</td></tr>
 *   <tr><td>{@code |u1}</td><td>UBYTE</td></tr>
 *   <tr><td>{@code |b1}</td><td>BOOL</td></tr>
 * </table>
 *
 * <p>Anything else is refused with an {@link IllegalArgumentException} that names the file (or
 * source) and what is wrong: a bad magic string, an unsupported version, Fortran order, big-endian
 * or unknown data types, a malformed header, a truncated file, or a file whose size does not match
 * its header's shape. Writing goes to a temporary file in the target's directory that is then moved
 * into place, so a reader never sees a half-written file.
 */
public final class Npy {

  /** The six bytes every .npy file starts with. */
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** The header (magic, version, length and dictionary) is padded to a multiple of this. */
  private static final int ALIGN = 64;
  private static final int PREAMBLE_V1 = MAGIC.length + 2 + 2;
  private static final int PREAMBLE_V2 = MAGIC.length + 2 + 4;
  private static final String KEY_DESCR = "descr";
  private static final String KEY_FORTRAN = "fortran_order";
  private static final String KEY_SHAPE = "shape";

  private Npy() {}

  /**
   * Reads a .npy file.
   *
   * @param file the file
   * @return a C-order array with the file's shape and the matching ND4J data type (a rank-0 array
   *     for a NumPy scalar)
   * @throws IllegalArgumentException naming the file when it is missing, unreadable or not a
   *     supported .npy file
   */
  public static INDArray read(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file: must not be null");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": no such file");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException | OutOfMemoryError e) {
      throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    return fromBytes(bytes, file.toString());
  }

  /**
   * Parses the bytes of a .npy file.
   *
   * @param bytes the whole file
   * @param source a name for the bytes, used in error messages (for example the file name)
   * @return the array, as {@link #read(Path)} returns it
   * @throws IllegalArgumentException starting with {@code source} when the bytes are not a supported
   *     .npy file
   */
  public static INDArray fromBytes(byte[] bytes, String source) {
    Header h = parseHeader(bytes, source);
    long count = Shapes.count(h.shape);
    long expected;
    try {
      expected = Math.addExact(h.dataOffset, count * h.type.itemSize);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(source + ": shape " + shapeString(h.shape) + " is too large", e);
    }
    if (bytes.length < expected) {
      throw new IllegalArgumentException(source + ": truncated: header shape " + shapeString(h.shape) + " of "
          + h.type.descr + " needs " + expected + " bytes, the file has " + bytes.length);
    }
    if (bytes.length > expected) {
      throw new IllegalArgumentException(source + ": size does not match the header: shape "
          + shapeString(h.shape) + " of " + h.type.descr + " needs " + expected + " bytes, the file has "
          + bytes.length + " (" + (bytes.length - expected) + " extra)");
    }
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(source + ": too many elements (" + count + ")");
    }
    INDArray out;
    if (count == 0) {
      out = Nd4j.create(h.type.nd4j, h.shape, 'c');
      return out;
    }
    out = h.shape.length == 0 ? Nd4j.scalar(h.type.nd4j, 0) : Nd4j.create(h.type.nd4j, h.shape, 'c');
    ByteBuffer src = ByteBuffer.wrap(bytes, h.dataOffset, (int) (count * h.type.itemSize)).slice()
        .order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer dst = out.data().asNio().order(ByteOrder.nativeOrder());
    copy(src, dst, h.type.itemSize, (int) count);
    return out;
  }

  /**
   * Writes an array as a .npy file (format 1.0, or 2.0 when the header needs it), in C order,
   * little-endian. The file is written to a temporary file in the same directory and then moved
   * into place, replacing any existing file.
   *
   * @param file the target file (its directory must exist)
   * @param array the array (any ordering; views are copied)
   * @throws IllegalArgumentException when the array's data type has no .npy equivalent or the
   *     directory does not exist
   * @throws UncheckedIOException when writing fails (no partial file is left behind)
   */
  public static void write(Path file, INDArray array) {
    if (file == null) {
      throw new IllegalArgumentException("file: must not be null");
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(file + ": directory " + dir + " does not exist");
    }
    AtomicFiles.write(file, toBytes(array));
  }

  /**
   * Encodes an array as the bytes of a .npy file.
   *
   * @param array the array
   * @return the file content
   * @throws IllegalArgumentException when the array is null or its data type has no .npy
   *     equivalent
   */
  public static byte[] toBytes(INDArray array) {
    if (array == null) {
      throw new IllegalArgumentException("array: must not be null");
    }
    NpyType type = NpyType.of(array.dataType());
    long[] shape = array.shape();
    StringBuilder dict = new StringBuilder();
    dict.append("{'descr': '").append(type.descr).append("', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      dict.append(shape[i]);
      if (shape.length == 1 || i < shape.length - 1) {
        dict.append(',');
      }
      if (i < shape.length - 1) {
        dict.append(' ');
      }
    }
    dict.append("), }");
    byte[] dictBytes = dict.toString().getBytes(StandardCharsets.US_ASCII);
    int preamble = PREAMBLE_V1;
    int total = padded(preamble + dictBytes.length + 1);
    if (total - preamble > 0xFFFF) {
      preamble = PREAMBLE_V2;
      total = padded(preamble + dictBytes.length + 1);
    }
    int headerLen = total - preamble;
    long count = array.length();
    long dataLen = count * type.itemSize;
    if (total + dataLen > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("array: too large for one byte array (" + dataLen + " bytes)");
    }
    ByteBuffer out = ByteBuffer.allocate((int) (total + dataLen)).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC);
    if (preamble == PREAMBLE_V1) {
      out.put((byte) 1).put((byte) 0).putShort((short) headerLen);
    } else {
      out.put((byte) 2).put((byte) 0).putInt(headerLen);
    }
    out.put(dictBytes);
    for (int i = dictBytes.length; i < headerLen - 1; i++) {
      out.put((byte) ' ');
    }
    out.put((byte) '\n');
    if (count > 0) {
      INDArray c = array.dup('c');
      ByteBuffer src = c.data().asNio().order(ByteOrder.nativeOrder());
      src.limit((int) dataLen);
      copy(src, out.slice().order(ByteOrder.LITTLE_ENDIAN), type.itemSize, (int) count);
    }
    return out.array();
  }

  private static int padded(int n) {
    return (n + ALIGN - 1) / ALIGN * ALIGN;
  }

  /** Copies {@code count} items between buffers whose byte orders may differ. */
  private static void copy(ByteBuffer src, ByteBuffer dst, int itemSize, int count) {
    switch (itemSize) {
      case 1 -> dst.put(src.slice().limit(count));
      case 2 -> dst.asShortBuffer().put(src.asShortBuffer().limit(count));
      case 4 -> dst.asIntBuffer().put(src.asIntBuffer().limit(count));
      case 8 -> dst.asLongBuffer().put(src.asLongBuffer().limit(count));
      default -> throw new IllegalStateException("item size " + itemSize);
    }
  }

  private static String shapeString(long[] shape) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      b.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return b.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /** The parsed header: data type, shape and where the data starts. */
  private record Header(NpyType type, long[] shape, int dataOffset) {}

  private static Header parseHeader(byte[] b, String source) {
    if (b.length < MAGIC.length + 2) {
      throw new IllegalArgumentException(source + ": not a .npy file (only " + b.length + " bytes)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (b[i] != MAGIC[i]) {
        throw new IllegalArgumentException(source + ": not a .npy file (bad magic string)");
      }
    }
    int major = b[6] & 0xFF;
    int minor = b[7] & 0xFF;
    if (major < 1 || major > 3 || minor != 0) {
      throw new IllegalArgumentException(source + ": unsupported .npy format version " + major + "." + minor
          + " (supported: 1.0, 2.0, 3.0)");
    }
    int preamble = major == 1 ? PREAMBLE_V1 : PREAMBLE_V2;
    if (b.length < preamble) {
      throw new IllegalArgumentException(source + ": truncated inside the header");
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    long headerLen = major == 1 ? (bb.getShort(8) & 0xFFFF) : (bb.getInt(8) & 0xFFFFFFFFL);
    if (preamble + headerLen > b.length) {
      throw new IllegalArgumentException(source + ": truncated inside the header (header length " + headerLen
          + ", file " + b.length + " bytes)");
    }
    String text = new String(b, preamble, (int) headerLen,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Map<String, Object> dict = new DictParser(text, source).parse();
    if (!dict.keySet().equals(java.util.Set.of(KEY_DESCR, KEY_FORTRAN, KEY_SHAPE))) {
      throw new IllegalArgumentException(source + ": header must have exactly the keys descr, fortran_order, shape;"
          + " got " + dict.keySet());
    }
    if (!(dict.get(KEY_DESCR) instanceof String descr)) {
      throw new IllegalArgumentException(source + ": unsupported dtype " + dict.get(KEY_DESCR)
          + " (structured arrays are not supported)");
    }
    if (!(dict.get(KEY_FORTRAN) instanceof Boolean fortran)) {
      throw new IllegalArgumentException(source + ": fortran_order must be True or False, got "
          + dict.get(KEY_FORTRAN));
    }
    if (fortran) {
      throw new IllegalArgumentException(source + ": fortran_order=True is not supported (write the array in C order,"
          + " e.g. np.ascontiguousarray)");
    }
    if (!(dict.get(KEY_SHAPE) instanceof long[] shape)) {
      throw new IllegalArgumentException(source + ": shape must be a tuple of integers, got " + dict.get(KEY_SHAPE));
    }
    NpyType type = NpyType.parse(descr, source);
    String problem = Shapes.problem(shape, type.itemSize);
    if (problem != null) {
      throw new IllegalArgumentException(source + ": shape " + shapeString(shape) + " " + problem);
    }
    return new Header(type, shape, (int) (preamble + headerLen));
  }

  /** The supported element types. */
  private enum NpyType {
    F8("f8", 8, DataType.DOUBLE),
    F4("f4", 4, DataType.FLOAT),
    F2("f2", 2, DataType.HALF),
    I8("i8", 8, DataType.LONG),
    I4("i4", 4, DataType.INT),
    I2("i2", 2, DataType.SHORT),
    I1("i1", 1, DataType.BYTE),
    U8("u8", 8, DataType.UINT64),
    U4("u4", 4, DataType.UINT32),
    U2("u2", 2, DataType.UINT16),
    U1("u1", 1, DataType.UBYTE),
    B1("b1", 1, DataType.BOOL);

    final String code;
    final int itemSize;
    final DataType nd4j;
    final String descr;

    NpyType(String code, int itemSize, DataType nd4j) {
      this.code = code;
      this.itemSize = itemSize;
      this.nd4j = nd4j;
      this.descr = (itemSize == 1 ? "|" : "<") + code;
    }

    static NpyType parse(String descr, String source) {
      if (descr.length() >= 2) {
        char order = descr.charAt(0);
        String code = descr.substring(1);
        for (NpyType t : values()) {
          if (t.code.equals(code)) {
            if (order == '>' && t.itemSize > 1) {
              throw new IllegalArgumentException(source + ": big-endian dtype '" + descr
                  + "' is not supported (use little-endian, e.g. arr.astype('<" + code + "'))");
            }
            if (order == '<' || order == '|' || (order == '>' && t.itemSize == 1)) {
              return t;
            }
          }
        }
      }
      throw new IllegalArgumentException(source + ": unsupported dtype '" + descr
          + "' (supported: <f8 <f4 <f2 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 |b1)");
    }

    static NpyType of(DataType dt) {
      for (NpyType t : values()) {
        if (t.nd4j == dt) {
          return t;
        }
      }
      throw new IllegalArgumentException("array: data type " + dt + " has no .npy equivalent");
    }
  }

  /**
   * Parses the Python dictionary literal of a .npy header: string keys, and values that are
   * strings, True/False, or tuples of integers.
   */
  private static final class DictParser {
    private final String s;
    private final String source;
    private int pos;

    DictParser(String s, String source) {
      this.s = s;
      this.source = source;
    }

    Map<String, Object> parse() {
      Map<String, Object> out = new LinkedHashMap<>();
      skipWs();
      expect('{');
      skipWs();
      while (peek() != '}') {
        String key = string();
        skipWs();
        expect(':');
        skipWs();
        Object value = value();
        if (out.put(key, value) != null) {
          throw bad("duplicate key '" + key + "'");
        }
        skipWs();
        if (peek() == ',') {
          pos++;
          skipWs();
        } else if (peek() != '}') {
          throw bad("expected ',' or '}'");
        }
      }
      pos++;
      skipWs();
      if (pos != s.length()) {
        throw bad("unexpected text after the dictionary");
      }
      return out;
    }

    private Object value() {
      char c = peek();
      if (c == '\'' || c == '"') {
        return string();
      }
      if (s.startsWith("True", pos)) {
        pos += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", pos)) {
        pos += 5;
        return Boolean.FALSE;
      }
      if (c == '(') {
        return tuple();
      }
      if (c == '[') {
        throw bad("structured dtypes are not supported");
      }
      throw bad("unexpected value");
    }

    private long[] tuple() {
      expect('(');
      List<Long> dims = new ArrayList<>();
      skipWs();
      while (peek() != ')') {
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
        if (start == pos) {
          throw bad("expected a non-negative integer in the shape");
        }
        try {
          dims.add(Long.parseLong(s.substring(start, pos)));
        } catch (NumberFormatException e) {
          throw bad("dimension too large: " + s.substring(start, pos));
        }
        if (peek() == 'L') {
          pos++;
        }
        skipWs();
        if (peek() == ',') {
          pos++;
          skipWs();
        } else if (peek() != ')') {
          throw bad("expected ',' or ')' in the shape");
        }
      }
      pos++;
      long[] out = new long[dims.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = dims.get(i);
      }
      return out;
    }

    private String string() {
      char q = peek();
      if (q != '\'' && q != '"') {
        throw bad("expected a quoted string");
      }
      int end = s.indexOf(q, pos + 1);
      if (end < 0) {
        throw bad("unterminated string");
      }
      String v = s.substring(pos + 1, end);
      pos = end + 1;
      return v;
    }

    private char peek() {
      if (pos >= s.length()) {
        throw bad("unexpected end of header");
      }
      return s.charAt(pos);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw bad("expected '" + c + "'");
      }
      pos++;
    }

    private void skipWs() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    private IllegalArgumentException bad(String what) {
      return new IllegalArgumentException(source + ": malformed header (" + what + " at position " + pos + " of \""
          + s.strip() + "\")");
    }
  }
}

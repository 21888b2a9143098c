package dev.clce.models.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clce.core.internal.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format.
 *
 * <p>Layout: an 8-byte little-endian unsigned header length {@code N}, then {@code N} bytes of UTF-8
 * JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an
 * optional {@code "__metadata__"} string map), then the data section: every tensor's elements in
 * row-major order, little-endian, at its offsets relative to the start of the data section.
 *
 * <p>Supported dtypes: {@code F32}, {@code F64}, {@code F16}, {@code BF16}, {@code I64},
 * {@code I32} (see {@link SafetensorsDtype} for the ND4J type each one is read as).
 *
 * <p>Reading checks the whole header before any data is read and refuses, with an
 * {@link IllegalArgumentException} naming the file and the tensor: a file too short for its header
 * or its data, a header that is not a JSON object (or has duplicate keys), an unsupported dtype, a
 * negative or non-integer shape, offsets out of range, a byte range whose size does not fit the
 * shape and dtype, and overlapping tensors. Gaps between tensors are tolerated.
 *
 * <p>Writing goes to a temporary file in the target directory that is then moved over the target,
 * so the target is either the old file or the complete new one.
 */
public final class Safetensors {

  /** The reserved header key of the free-form string metadata. */
  public static final String METADATA_KEY = "__metadata__";
  /** Header key of a tensor's element type. */
  public static final String KEY_DTYPE = "dtype";
  /** Header key of a tensor's shape. */
  public static final String KEY_SHAPE = "shape";
  /** Header key of a tensor's byte range. */
  public static final String KEY_DATA_OFFSETS = "data_offsets";
  /** The largest JSON header accepted (as the reference implementation: 100 MB). */
  public static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;

  private static final int LENGTH_PREFIX_BYTES = 8;
  private static final int HEADER_ALIGNMENT = 8;
  private static final int IO_CHUNK = 1 << 20;
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private Safetensors() {}

  /**
   * Reads and checks the header of a safetensors file, without reading tensor data.
   *
   * @param file the file
   * @return the checked header
   * @throws IllegalArgumentException if the file is missing or is not a well-formed safetensors file
   *     of supported dtypes (the message names the file and, where it applies, the tensor)
   * @throws UncheckedIOException on an I/O error
   */
  public static SafetensorsHeader readHeader(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file: must not be null");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(file, ch);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("file: no such file, got " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
  }

  /**
   * Reads every tensor of a safetensors file, in header order.
   *
   * @param file the file
   * @return name to array (ordered as in the header); F16 and BF16 become FLOAT
   * @throws IllegalArgumentException as {@link #readHeader(Path)}, or if the file changed size
   * @throws UncheckedIOException on an I/O error
   */
  public static Map<String, INDArray> read(Path file) {
    SafetensorsHeader header = readHeader(file);
    return read(header, header.tensors().keySet());
  }

  /**
   * Reads some tensors of a file whose header was read with {@link #readHeader(Path)}.
   *
   * @param header the file's header
   * @param names the tensors to read (each must be in the header)
   * @return name to array, in the order of {@code names}; F16 and BF16 become FLOAT
   * @throws IllegalArgumentException if a name is not in the header or the file changed size
   * @throws UncheckedIOException on an I/O error
   */
  public static Map<String, INDArray> read(SafetensorsHeader header, Iterable<String> names) {
    Path file = header.file();
    for (String n : names) {
      if (!header.tensors().containsKey(n)) {
        throw new IllegalArgumentException("names: tensor '" + n + "' is not in " + file);
      }
    }
    Map<String, INDArray> out = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      if (ch.size() != header.fileSize()) {
        throw new IllegalArgumentException("file: " + file + " changed size since its header was read ("
            + header.fileSize() + " -> " + ch.size() + " bytes)");
      }
      for (String n : names) {
        SafetensorsTensorInfo t = header.tensors().get(n);
        out.put(n, readTensor(file, ch, header.dataStart(), t));
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("file: no such file, got " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
    return out;
  }

  /**
   * Writes tensors (and optional metadata) as a safetensors file, atomically.
   *
   * <p>Each array is stored in the dtype matching its ND4J type (DOUBLE F64, FLOAT F32, HALF F16,
   * BFLOAT16 BF16, LONG I64, INT I32), row-major, in the map's iteration order.
   *
   * @param file the target; its directory must exist; an existing file is replaced
   * @param tensors name to array; names must be non-empty and not {@value #METADATA_KEY}
   * @param metadata string metadata for the {@value #METADATA_KEY} entry; null or empty for none
   * @throws IllegalArgumentException for a bad name, a null array, an unsupported type or a missing
   *     directory, before anything is written
   * @throws UncheckedIOException on an I/O error (the target is then unchanged)
   */
  public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) {
    if (file == null) {
      throw new IllegalArgumentException("file: must not be null");
    }
    if (tensors == null) {
      throw new IllegalArgumentException("tensors: must not be null");
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("file: directory does not exist, got " + file);
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("file: is a directory, got " + file);
    }
    List<SafetensorsTensorInfo> infos = new ArrayList<>();
    ObjectNode root = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = root.putObject(METADATA_KEY);
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new IllegalArgumentException("metadata: keys and values must not be null, got " + metadata);
        }
        meta.put(e.getKey(), e.getValue());
      }
    }
    long offset = 0;
    for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
      String name = e.getKey();
      INDArray arr = e.getValue();
      if (name == null || name.isEmpty() || METADATA_KEY.equals(name)) {
        throw new IllegalArgumentException("tensors: a name must be non-empty and not " + METADATA_KEY
            + ", got '" + name + "'");
      }
      if (arr == null) {
        throw new IllegalArgumentException("tensors: array of '" + name + "' is null");
      }
      SafetensorsDtype dtype;
      try {
        dtype = SafetensorsDtype.forDataType(arr.dataType());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("tensors: '" + name + "' has unsupported type " + arr.dataType()
            + " (supported: DOUBLE, FLOAT, HALF, BFLOAT16, LONG, INT)", ex);
      }
      long[] shape = arr.shape();
      long bytes = Math.multiplyExact(arr.length(), (long) dtype.bytes());
      SafetensorsTensorInfo info = new SafetensorsTensorInfo(name, dtype, shape, offset, offset + bytes);
      infos.add(info);
      ObjectNode t = root.putObject(name);
      t.put(KEY_DTYPE, dtype.name());
      ArrayNode s = t.putArray(KEY_SHAPE);
      for (long d : shape) {
        s.add(d);
      }
      ArrayNode o = t.putArray(KEY_DATA_OFFSETS);
      o.add(info.begin());
      o.add(info.end());
      offset += bytes;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("could not serialise the safetensors header", ex);
    }
    int padded = (json.length + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
    byte[] header = Arrays.copyOf(json, padded);
    Arrays.fill(header, json.length, padded, (byte) ' ');

    AtomicFiles.writeChannel(file, ch -> {
      ByteBuffer len = ByteBuffer.allocate(LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      len.putLong(header.length).flip();
      writeFully(ch, len);
      writeFully(ch, ByteBuffer.wrap(header));
      for (SafetensorsTensorInfo info : infos) {
        writeTensor(ch, info, tensors.get(info.name()));
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Header

  private static SafetensorsHeader readHeader(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < LENGTH_PREFIX_BYTES) {
      throw new IllegalArgumentException("file: " + file + " is truncated: " + size
          + " bytes, shorter than the 8-byte header length");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, lenBuf, 0, file);
    long n = lenBuf.flip().getLong();
    if (n < 0 || n > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException("file: " + file + " declares a header of " + Long.toUnsignedString(n)
          + " bytes (at most " + MAX_HEADER_BYTES + " allowed): not a safetensors file");
    }
    if (LENGTH_PREFIX_BYTES + n > size) {
      throw new IllegalArgumentException("file: " + file + " is truncated: header of " + n + " bytes declared, "
          + (size - LENGTH_PREFIX_BYTES) + " bytes follow the length");
    }
    ByteBuffer hb = ByteBuffer.allocate((int) n);
    readFully(ch, hb, LENGTH_PREFIX_BYTES, file);
    JsonNode root;
    try {
      root = JSON.readTree(hb.array());
    } catch (JsonProcessingException ex) {
      throw new IllegalArgumentException("file: " + file + " has a header that is not valid JSON: "
          + ex.getOriginalMessage(), ex);
    } catch (IOException ex) {
      // from bytes in memory: the encoding, e.g. a UTF-32 byte-order mark (the header must be UTF-8)
      throw new IllegalArgumentException("file: " + file + " has a header that is not UTF-8 JSON: "
          + ex.getMessage(), ex);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("file: " + file + " has a header that is not a JSON object");
    }
    long dataStart = LENGTH_PREFIX_BYTES + n;
    long dataSize = size - dataStart;
    Map<String, SafetensorsTensorInfo> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = root.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode v = e.getValue();
      if (METADATA_KEY.equals(name)) {
        readMetadata(file, v, metadata);
        continue;
      }
      tensors.put(name, readEntry(file, name, v, dataSize));
    }
    List<SafetensorsTensorInfo> byOffset = new ArrayList<>(tensors.values());
    byOffset.sort(Comparator.comparingLong(SafetensorsTensorInfo::begin)
        .thenComparingLong(SafetensorsTensorInfo::end));
    SafetensorsTensorInfo prev = null;
    for (SafetensorsTensorInfo t : byOffset) {
      if (prev != null && t.begin() < prev.end() && t.end() > t.begin()) {
        throw new IllegalArgumentException("file: " + file + ": tensor '" + t.name() + "' bytes ["
            + t.begin() + ", " + t.end() + ") overlap tensor '" + prev.name() + "' bytes ["
            + prev.begin() + ", " + prev.end() + ")");
      }
      if (prev == null || t.end() > prev.end()) {
        prev = t;
      }
    }
    return new SafetensorsHeader(file, tensors, metadata, dataStart, size);
  }

  private static void readMetadata(Path file, JsonNode v, Map<String, String> metadata) {
    if (!v.isObject()) {
      throw new IllegalArgumentException("file: " + file + ": " + METADATA_KEY + " must be a JSON object of strings, got "
          + v.getNodeType());
    }
    Iterator<Map.Entry<String, JsonNode>> it = v.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> m = it.next();
      if (!m.getValue().isTextual()) {
        throw new IllegalArgumentException("file: " + file + ": " + METADATA_KEY + " value of '" + m.getKey()
            + "' must be a string, got " + m.getValue());
      }
      metadata.put(m.getKey(), m.getValue().textValue());
    }
  }

  private static SafetensorsTensorInfo readEntry(Path file, String name, JsonNode v, long dataSize) {
    String where = "file: " + file + ": tensor '" + name + "'";
    if (!v.isObject()) {
      throw new IllegalArgumentException(where + " must be a JSON object, got " + v);
    }
    JsonNode dt = v.get(KEY_DTYPE);
    if (dt == null || !dt.isTextual()) {
      throw new IllegalArgumentException(where + " has no string \"" + KEY_DTYPE + "\", got " + dt);
    }
    SafetensorsDtype dtype = SafetensorsDtype.fromHeader(dt.textValue());
    if (dtype == null) {
      throw new IllegalArgumentException(where + " has unsupported dtype " + dt.textValue()
          + " (supported: " + Arrays.toString(SafetensorsDtype.values()) + ")");
    }
    JsonNode sh = v.get(KEY_SHAPE);
    if (sh == null || !sh.isArray()) {
      throw new IllegalArgumentException(where + " has no \"" + KEY_SHAPE + "\" array, got " + sh);
    }
    long[] shape = new long[sh.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = sh.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
        throw new IllegalArgumentException(where + " has a bad shape " + sh + ": dimensions must be integers >= 0");
      }
      shape[i] = d.longValue();
      try {
        count = Math.multiplyExact(count, shape[i]);
      } catch (ArithmeticException ex) {
        throw new IllegalArgumentException(where + " has a shape " + sh + " too large to address", ex);
      }
    }
    String problem = dev.clce.core.internal.Shapes.problem(shape, dtype.bytes());
    if (problem != null) {
      throw new IllegalArgumentException(where + " has a shape " + sh + " that " + problem);
    }
    JsonNode off = v.get(KEY_DATA_OFFSETS);
    if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber()
        || !off.get(1).isIntegralNumber() || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
      throw new IllegalArgumentException(where + " needs \"" + KEY_DATA_OFFSETS + "\": [begin, end] integers, got " + off);
    }
    long begin = off.get(0).longValue();
    long end = off.get(1).longValue();
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(where + " has bad data_offsets [" + begin + ", " + end
          + "]: need 0 <= begin <= end");
    }
    if (end > dataSize) {
      throw new IllegalArgumentException(where + " data_offsets [" + begin + ", " + end
          + "] run past the end of the data section (" + dataSize + " bytes): file truncated or corrupt");
    }
    long expected;
    try {
      expected = Math.multiplyExact(count, (long) dtype.bytes());
    } catch (ArithmeticException ex) {
      throw new IllegalArgumentException(where + " has a shape " + sh + " too large to address", ex);
    }
    if (end - begin != expected) {
      throw new IllegalArgumentException(where + " has " + (end - begin) + " bytes of data but shape "
          + Arrays.toString(shape) + " of " + dtype + " needs " + expected);
    }
    return new SafetensorsTensorInfo(name, dtype, shape, begin, end);
  }

  // ---------------------------------------------------------------------------------------------
  // Data

  private static INDArray readTensor(Path file, FileChannel ch, long dataStart, SafetensorsTensorInfo t)
      throws IOException {
    long bytes = t.end() - t.begin();
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("file: " + file + ": tensor '" + t.name() + "' has " + bytes
          + " bytes, more than one Java buffer holds (2 GiB)");
    }
    long[] shape = t.shape();
    int n = (int) t.length();
    DataType as = t.dtype().readAs();
    if (n == 0) {
      return Nd4j.create(as, shape);
    }
    ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, buf, dataStart + t.begin(), file);
    buf.flip();
    switch (t.dtype()) {
      case F32: {
        float[] a = new float[n];
        buf.asFloatBuffer().get(a);
        return Nd4j.create(a, shape, as);
      }
      case F64: {
        double[] a = new double[n];
        buf.asDoubleBuffer().get(a);
        return Nd4j.create(a, shape, as);
      }
      case F16: {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = HalfFloats.halfToFloat(buf.getShort());
        }
        return Nd4j.create(a, shape, as);
      }
      case BF16: {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = HalfFloats.bfloat16ToFloat(buf.getShort());
        }
        return Nd4j.create(a, shape, as);
      }
      case I64: {
        long[] a = new long[n];
        buf.asLongBuffer().get(a);
        return Nd4j.create(a, shape, as);
      }
      case I32: {
        int[] a = new int[n];
        buf.asIntBuffer().get(a);
        return Nd4j.create(a, shape, as);
      }
      default:
        throw new IllegalStateException("unhandled dtype " + t.dtype());
    }
  }

  private static void writeTensor(FileChannel ch, SafetensorsTensorInfo info, INDArray arr) throws IOException {
    long n = arr.length();
    if (n == 0) {
      return;
    }
    INDArray flat = arr.reshape('c', new long[] {n});
    int elem = info.dtype().bytes();
    int perChunk = Math.max(1, IO_CHUNK / elem);
    ByteBuffer buf = ByteBuffer.allocate(perChunk * elem).order(ByteOrder.LITTLE_ENDIAN);
    for (long start = 0; start < n; start += perChunk) {
      int m = (int) Math.min(perChunk, n - start);
      INDArray part = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, start + m));
      buf.clear();
      switch (info.dtype()) {
        case F32:
          for (float f : part.toFloatVector()) {
            buf.putFloat(f);
          }
          break;
        case F64:
          for (double d : part.toDoubleVector()) {
            buf.putDouble(d);
          }
          break;
        case F16:
          for (float f : part.castTo(DataType.FLOAT).toFloatVector()) {
            buf.putShort(HalfFloats.floatToHalf(f));
          }
          break;
        case BF16:
          for (float f : part.castTo(DataType.FLOAT).toFloatVector()) {
            buf.putShort(HalfFloats.floatToBfloat16(f));
          }
          break;
        case I64:
          for (long l : part.toLongVector()) {
            buf.putLong(l);
          }
          break;
        case I32:
          for (int i : part.toIntVector()) {
            buf.putInt(i);
          }
          break;
        default:
          throw new IllegalStateException("unhandled dtype " + info.dtype());
      }
      buf.flip();
      writeFully(ch, buf);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new IllegalArgumentException("file: " + file + " is truncated: ended at byte " + pos);
      }
      pos += r;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}

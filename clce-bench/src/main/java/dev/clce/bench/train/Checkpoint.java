package dev.clce.bench.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.core.internal.AtomicFiles;
import dev.clce.core.internal.Shapes;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training checkpoint file: a JSON header (format version, step, data position, seed, the run's
 * configuration, and the name, type, shape and place of every tensor), the tensors as raw
 * little-endian bytes, and a SHA-256 of everything before it.
 *
 * <pre>
 * "CLCECKPT" | int32 LE version | int32 LE header length | header (UTF-8 JSON) | tensors | SHA-256 (32 bytes)
 * </pre>
 *
 * <p>Tensor names are {@code model/<state-dict key>} (parameters and BatchNorm buffers) and
 * {@code optimizer/<parameter>} (the ND4J updater's state view). Both are in torchvision's
 * state-dict layout (convolution weights {@code [out, in, kH, kW]}, and the updater state of a
 * convolution weight flattened in that order), whatever layout the graph holds them in
 * ({@link dev.clce.models.layers.StateLayout}). Files are named
 * {@code checkpoint-<step, 9 digits>.ckpt} and written with {@link AtomicFiles}. {@link #read}
 * checks the size, the checksum, the version and that the tensors fill the file exactly before
 * returning anything: a damaged file throws {@link CheckpointException}.
 */
public final class Checkpoint {

  /** First bytes of every checkpoint. */
  public static final byte[] MAGIC = "CLCECKPT".getBytes(StandardCharsets.US_ASCII);
  /** Current format version. */
  public static final int VERSION = 1;
  /** File name prefix. */
  public static final String PREFIX = "checkpoint-";
  /** File name suffix. */
  public static final String SUFFIX = ".ckpt";
  /** Prefix of model tensors (parameters and buffers). */
  public static final String MODEL_GROUP = "model/";
  /** Prefix of optimiser state tensors. */
  public static final String OPTIMIZER_GROUP = "optimizer/";
  /** Header key: completed steps. */
  public static final String KEY_STEP = "step";
  /** Header key: the run configuration. */
  public static final String KEY_CONFIG = "config";
  /** Header key: the tensor table. */
  public static final String KEY_TENSORS = "tensors";

  /** A checkpoint's whole file name ({@link #path}); group 1 is the step. */
  static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d{9})" + Pattern.quote(SUFFIX));
  private static final int DIGEST_BYTES = 32;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<String, Object> header;
  private final Map<String, INDArray> tensors;

  private Checkpoint(Path file, Map<String, Object> header, Map<String, INDArray> tensors) {
    this.file = file;
    this.header = Collections.unmodifiableMap(header);
    this.tensors = Collections.unmodifiableMap(tensors);
  }

  /**
   * The file of a step's checkpoint.
   *
   * @param dir the run directory
   * @param step completed steps
   * @return {@code dir/checkpoint-000000123.ckpt}
   */
  public static Path path(Path dir, long step) {
    return dir.resolve(String.format(java.util.Locale.ROOT, "%s%09d%s", PREFIX, step, SUFFIX));
  }

  /**
   * The checkpoints of a run directory, oldest first (by step in the file name).
   *
   * @param dir the run directory
   * @return the files (empty when the directory does not exist)
   */
  public static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("could not list " + dir, e);
    }
  }

  /**
   * The newest checkpoint of a run directory.
   *
   * @param dir the run directory
   * @return the file with the highest step, if any
   */
  public static Optional<Path> newest(Path dir) {
    List<Path> all = list(dir);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * The step in a checkpoint's file name.
   *
   * @param file a checkpoint file
   * @return the step, or -1 when the name is not a checkpoint's
   */
  public static long stepOf(Path file) {
    Matcher m = NAME.matcher(file.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /**
   * Resolves a {@code --checkpoint} argument: a checkpoint file, or a run directory (its newest).
   *
   * @param fileOrDir the argument
   * @return the checkpoint file
   * @throws CheckpointException when there is none
   */
  public static Path resolve(Path fileOrDir) {
    if (fileOrDir == null) {
      throw new CheckpointException("must name a checkpoint file or a run directory, got null");
    }
    if (Files.isDirectory(fileOrDir)) {
      return newest(fileOrDir).orElseThrow(() -> new CheckpointException(fileOrDir + " holds no " + PREFIX + "*" + SUFFIX + " file"));
    }
    if (!Files.isRegularFile(fileOrDir)) {
      throw new CheckpointException(fileOrDir + " does not exist");
    }
    return fileOrDir;
  }

  /**
   * Writes a checkpoint atomically.
   *
   * @param file the target
   * @param meta header entries (step, configuration, position, ...); {@link #KEY_TENSORS} is added
   * @param tensors the tensors in order
   */
  public static void write(Path file, Map<String, Object> meta, Map<String, INDArray> tensors) {
    List<Map<String, Object>> table = new ArrayList<>();
    long offset = 0;
    for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
      INDArray a = e.getValue();
      long bytes = a.length() * TensorBytes.elementSize(a.dataType());
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("name", e.getKey());
      t.put("dtype", a.dataType().name());
      t.put("shape", a.shape());
      t.put("offset", offset);
      t.put("bytes", bytes);
      table.add(t);
      offset += bytes;
    }
    Map<String, Object> header = new LinkedHashMap<>(meta);
    header.put(KEY_TENSORS, table);
    header.put("payload_bytes", offset);
    byte[] headerBytes;
    try {
      headerBytes = JSON.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new IllegalStateException("could not encode the checkpoint header", e);
    }
    AtomicFiles.writeStream(file, out -> {
      MessageDigest md = TensorBytes.sha256();
      DigestOutputStream dout = new DigestOutputStream(out, md);
      dout.write(MAGIC);
      ByteBuffer ints = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(VERSION).putInt(headerBytes.length);
      dout.write(ints.array());
      dout.write(headerBytes);
      for (INDArray a : tensors.values()) {
        dout.write(TensorBytes.encode(a));
      }
      dout.flush();
      new DataOutputStream(out).write(md.digest());
    });
  }

  /**
   * Reads and checks a checkpoint. Nothing is returned unless the whole file is intact.
   *
   * @param file the checkpoint
   * @return its content
   * @throws CheckpointException naming the file and what is wrong
   */
  public static Checkpoint read(Path file) {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot be read (" + e.getMessage() + ")", e);
    } catch (OutOfMemoryError e) {
      throw new CheckpointException(file + ": too large to read", e);
    }
    int min = MAGIC.length + 8 + DIGEST_BYTES;
    if (all.length < min) {
      throw new CheckpointException(file + ": truncated (" + all.length + " bytes, a checkpoint has at least " + min + ")");
    }
    if (!Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
      throw new CheckpointException(file + ": not a clce checkpoint (bad magic bytes)");
    }
    MessageDigest md = TensorBytes.sha256();
    md.update(all, 0, all.length - DIGEST_BYTES);
    byte[] expected = Arrays.copyOfRange(all, all.length - DIGEST_BYTES, all.length);
    byte[] actual = md.digest();
    ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int version = bb.getInt(MAGIC.length);
    int headerLen = bb.getInt(MAGIC.length + 4);
    if (!MessageDigest.isEqual(expected, actual)) {
      throw new CheckpointException(file + ": damaged (SHA-256 mismatch: stored " + HexFormat.of().formatHex(expected)
          + ", computed " + HexFormat.of().formatHex(actual) + "; the file is truncated or corrupted)");
    }
    if (version != VERSION) {
      throw new CheckpointException(file + ": format version " + version + ", this build reads version " + VERSION);
    }
    int headerStart = MAGIC.length + 8;
    if (headerLen < 2 || headerStart + (long) headerLen > all.length - DIGEST_BYTES) {
      throw new CheckpointException(file + ": bad header length " + headerLen);
    }
    Map<String, Object> header;
    try {
      header = JSON.readValue(Arrays.copyOfRange(all, headerStart, headerStart + headerLen),
          new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new CheckpointException(file + ": unreadable header (" + e.getMessage() + ")", e);
    }
    int payloadStart = headerStart + headerLen;
    long payloadLen = (long) all.length - DIGEST_BYTES - payloadStart;
    Object tableObj = header.get(KEY_TENSORS);
    if (!(tableObj instanceof List<?> table)) {
      throw new CheckpointException(file + ": header has no tensor table");
    }
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    long expectedOffset = 0;
    for (Object o : table) {
      if (!(o instanceof Map<?, ?> t)) {
        throw new CheckpointException(file + ": bad tensor entry " + o);
      }
      try {
        String name = (String) t.get("name");
        DataType dtype = DataType.valueOf((String) t.get("dtype"));
        List<?> shapeList = (List<?>) t.get("shape");
        long[] shape = new long[shapeList.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = ((Number) shapeList.get(i)).longValue();
          if (shape[i] < 0) {
            throw new CheckpointException(file + ": tensor " + name + " has a negative dimension");
          }
          n *= shape[i];
        }
        String problem = Shapes.problem(shape, TensorBytes.elementSize(dtype));
        if (problem != null) {
          throw new CheckpointException(file + ": tensor " + name + " has a shape " + Arrays.toString(shape)
              + " that " + problem);
        }
        long offset = ((Number) t.get("offset")).longValue();
        long bytes = ((Number) t.get("bytes")).longValue();
        if (offset != expectedOffset || bytes != n * TensorBytes.elementSize(dtype) || offset + bytes > payloadLen) {
          throw new CheckpointException(file + ": tensor " + name + " does not fit the file (offset " + offset
              + ", " + bytes + " bytes, payload " + payloadLen + ")");
        }
        if (tensors.containsKey(name)) {
          throw new CheckpointException(file + ": tensor " + name + " appears twice");
        }
        tensors.put(name, TensorBytes.decode(all, Math.toIntExact(payloadStart + offset), dtype, shape));
        expectedOffset = offset + bytes;
      } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
        if (e instanceof CheckpointException ce) {
          throw ce;
        }
        throw new CheckpointException(file + ": bad tensor entry " + t + " (" + e.getMessage() + ")", e);
      }
    }
    if (expectedOffset != payloadLen) {
      throw new CheckpointException(file + ": " + (payloadLen - expectedOffset) + " bytes after the last tensor");
    }
    if (!(header.get(KEY_STEP) instanceof Number)) {
      throw new CheckpointException(file + ": header has no step");
    }
    if (!(header.get(KEY_CONFIG) instanceof Map)) {
      throw new CheckpointException(file + ": header has no configuration");
    }
    return new Checkpoint(file, header, tensors);
  }

  /** @return the file read */
  public Path file() {
    return file;
  }

  /** @return completed training steps */
  public long step() {
    return ((Number) header.get(KEY_STEP)).longValue();
  }

  /** @return the header (without interpretation) */
  public Map<String, Object> header() {
    return header;
  }

  /**
   * The run configuration stored in the header.
   *
   * @return the configuration
   * @throws CheckpointException when it cannot be parsed
   */
  @SuppressWarnings("unchecked")
  public TrainConfig config() {
    try {
      return TrainJson.config(TrainJson.mapper().valueToTree(header.get(KEY_CONFIG)));
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file + ": bad configuration (" + e.getMessage() + ")", e);
    }
  }

  /** @return the tensors by name ({@link #MODEL_GROUP} and {@link #OPTIMIZER_GROUP} prefixes) */
  public Map<String, INDArray> tensors() {
    return tensors;
  }

  /** Releases the tensors' off-heap memory; the checkpoint is unusable afterwards. */
  public void release() {
    for (INDArray a : tensors.values()) {
      if (!a.wasClosed()) {
        a.close();
      }
    }
  }
}

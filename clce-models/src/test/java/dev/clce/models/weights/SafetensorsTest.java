package dev.clce.models.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The safetensors reader and writer against byte layouts written by hand. */
class SafetensorsTest {

  @TempDir Path dir;

  /** Builds a safetensors file from a header string and raw data bytes. */
  private Path file(String name, String json, byte[] data) throws IOException {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path p = dir.resolve(name);
    Files.write(p, b.array());
    return p;
  }

  private static byte[] le(int bytes, java.util.function.Consumer<ByteBuffer> fill) {
    ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    fill.accept(b);
    return b.array();
  }

  @Test
  void readsEveryDtypeFromHandWrittenBytes() throws IOException {
    byte[] data = le(4 * 4 + 2 * 8 + 6 * 2 + 3 * 2 + 2 * 8 + 2 * 4, b -> {
      b.putFloat(1.5f).putFloat(-2f).putFloat(0.25f).putFloat(3e-8f);          // F32 [2,2]  0..16
      b.putDouble(Math.PI).putDouble(-1e300);                                  // F64 [2]    16..32
      // F16 [6] 32..44: 1.0, -2.0, 65504 (max), 2^-24 (smallest subnormal), +inf, 0.333251953125
      b.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x7BFF)
          .putShort((short) 0x0001).putShort((short) 0x7C00).putShort((short) 0x3555);
      // BF16 [3] 44..50: 1.0, 3.140625, -0.0
      b.putShort((short) 0x3F80).putShort((short) 0x4049).putShort((short) 0x8000);
      b.putLong(123456789012345L).putLong(-7);                                 // I64 [2]    50..66
      b.putInt(2147483647).putInt(-3);                                         // I32 [2]    66..74
    });
    String json = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
        + "\"b\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[16,32]},"
        + "\"c\":{\"dtype\":\"F16\",\"shape\":[6],\"data_offsets\":[32,44]},"
        + "\"d\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[44,50]},"
        + "\"e\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[50,66]},"
        + "\"f\":{\"dtype\":\"I32\",\"shape\":[1,2],\"data_offsets\":[66,74]}}";
    Path p = file("all.safetensors", json, data);

    SafetensorsHeader h = Safetensors.readHeader(p);
    assertEquals(Map.of("format", "pt"), h.metadata());
    assertEquals(Arrays.asList("a", "b", "c", "d", "e", "f"), new java.util.ArrayList<>(h.tensors().keySet()));
    assertEquals(SafetensorsDtype.BF16, h.tensors().get("d").dtype());

    Map<String, INDArray> t = Safetensors.read(p);
    assertEquals(DataType.FLOAT, t.get("a").dataType());
    assertArrayEquals(new long[] {2, 2}, t.get("a").shape());
    assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 3e-8f}, t.get("a").reshape(4).toFloatVector());
    assertEquals(-2f, t.get("a").getFloat(0, 1));
    assertEquals(DataType.DOUBLE, t.get("b").dataType());
    assertArrayEquals(new double[] {Math.PI, -1e300}, t.get("b").toDoubleVector());
    assertEquals(DataType.FLOAT, t.get("c").dataType());
    assertArrayEquals(new float[] {1f, -2f, 65504f, 5.9604645e-8f, Float.POSITIVE_INFINITY, 0.333251953125f},
        t.get("c").toFloatVector());
    assertEquals(DataType.FLOAT, t.get("d").dataType());
    float[] d = t.get("d").toFloatVector();
    assertEquals(1f, d[0]);
    assertEquals(3.140625f, d[1]);
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(d[2]));
    assertEquals(DataType.LONG, t.get("e").dataType());
    assertArrayEquals(new long[] {123456789012345L, -7}, t.get("e").toLongVector());
    assertEquals(DataType.INT, t.get("f").dataType());
    assertArrayEquals(new long[] {1, 2}, t.get("f").shape());
    assertArrayEquals(new int[] {2147483647, -3}, t.get("f").reshape(2).toIntVector());
  }

  @Test
  void readsScalarsAndEmptyTensors() throws IOException {
    byte[] data = le(8, b -> b.putLong(42));
    Path p = file("scalar.safetensors",
        "{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
            + "\"z\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[8,8]}}", data);
    Map<String, INDArray> t = Safetensors.read(p);
    assertEquals(0, t.get("n").rank());
    assertEquals(42L, t.get("n").getLong(0));
    assertArrayEquals(new long[] {0, 3}, t.get("z").shape());
  }

  @Test
  void writesTheDocumentedByteLayout() throws IOException {
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put("w", Nd4j.createFromArray(new float[][] {{1f, 2f, 3f}, {4f, 5f, 6f}}));
    m.put("n", Nd4j.scalar(DataType.LONG, 9L));
    Path p = dir.resolve("w.safetensors");
    Safetensors.write(p, m, Map.of("format", "pt"));
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong();
    assertEquals(0, n % 8, "header padded to 8 bytes");
    byte[] h = new byte[(int) n];
    b.get(h);
    String json = new String(h, StandardCharsets.UTF_8).trim();
    assertEquals("{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
        + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[24,32]}}", json);
    for (float f = 1; f <= 6; f++) {
      assertEquals(f, b.getFloat());
    }
    assertEquals(9L, b.getLong());
    assertEquals(0, b.remaining());
  }

  @Test
  void roundTripsEveryTypeIncludingViewsAndFortranOrder() {
    Map<String, INDArray> m = new LinkedHashMap<>();
    INDArray base = Nd4j.linspace(DataType.DOUBLE, -3, 0.37, 24).reshape(2, 3, 4);
    m.put("f64", base);
    m.put("f32_view", base.castTo(DataType.FLOAT).get(
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3),
        org.nd4j.linalg.indexing.NDArrayIndex.all()));
    m.put("f32_f", base.castTo(DataType.FLOAT).dup('f'));
    m.put("f16", base.castTo(DataType.HALF));
    m.put("bf16", base.castTo(DataType.BFLOAT16));
    m.put("i64", Nd4j.createFromArray(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}));
    m.put("i32", Nd4j.createFromArray(new int[] {Integer.MIN_VALUE, 5}));
    Path p = dir.resolve("rt.safetensors");
    Safetensors.write(p, m, null);
    Map<String, INDArray> r = Safetensors.read(p);
    assertEquals(m.keySet(), r.keySet());
    assertEquals(base, r.get("f64"));
    assertEquals(m.get("f32_view").dup('c'), r.get("f32_view"));
    assertEquals(base.castTo(DataType.FLOAT), r.get("f32_f"));
    // 16-bit values come back as float32 holding exactly the 16-bit value
    assertEquals(base.castTo(DataType.HALF).castTo(DataType.FLOAT), r.get("f16"));
    assertEquals(base.castTo(DataType.BFLOAT16).castTo(DataType.FLOAT), r.get("bf16"));
    assertEquals(m.get("i64"), r.get("i64"));
    assertEquals(m.get("i32"), r.get("i32"));
    assertTrue(Safetensors.readHeader(p).metadata().isEmpty());
  }

  @Test
  void halfConversionsRoundToNearestEven() {
    // every binary16 value survives half -> float -> half
    for (int bits = 0; bits <= 0xffff; bits++) {
      float f = HalfFloats.halfToFloat((short) bits);
      if (Float.isNaN(f)) {
        continue;
      }
      assertEquals(bits, HalfFloats.floatToHalf(f) & 0xffff, "bits " + Integer.toHexString(bits));
    }
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1.0); just above rounds up
    assertEquals(0x3C00, HalfFloats.floatToHalf(1f + 0x1p-11f) & 0xffff);
    assertEquals(0x3C01, HalfFloats.floatToHalf(1f + 0x1p-11f + 0x1p-20f) & 0xffff);
    assertEquals(0x7C00, HalfFloats.floatToHalf(70000f) & 0xffff);
    assertEquals(0x0000, HalfFloats.floatToHalf(0x1p-26f) & 0xffff);
    assertEquals(0x3F80, HalfFloats.floatToBfloat16(1f + 0x1p-8f) & 0xffff);
    assertEquals(0x3F81, HalfFloats.floatToBfloat16(1f + 0x1p-8f + 0x1p-20f) & 0xffff);
  }

  private String refusal(Path p) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(p));
    assertTrue(e.getMessage().startsWith("file: "), e.getMessage());
    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    return e.getMessage();
  }

  private static final String GOOD = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

  @Test
  void refusesTruncatedFiles() throws IOException {
    Path ok = file("ok.safetensors", GOOD, new byte[8]);
    byte[] all = Files.readAllBytes(ok);
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, Arrays.copyOf(all, all.length - 1));
    String m = refusal(cut);
    assertTrue(m.contains("'w'") && m.contains("truncated"), m);
    Files.write(cut, Arrays.copyOf(all, 20));
    assertTrue(refusal(cut).contains("truncated"));
    Files.write(cut, Arrays.copyOf(all, 5));
    assertTrue(refusal(cut).contains("truncated"));
  }

  @Test
  void refusesBadHeaders() throws IOException {
    assertTrue(refusal(file("j.safetensors", "{\"w\":{\"dtype\":\"F32\",", new byte[8])).contains("not valid JSON"));
    assertTrue(refusal(file("arr.safetensors", "[1,2]", new byte[0])).contains("not a JSON object"));
    assertTrue(refusal(file("dup.safetensors",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8])).contains("JSON"));
    String m = refusal(file("u8.safetensors", "{\"w\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}",
        new byte[8]));
    assertTrue(m.contains("'w'") && m.contains("unsupported dtype U8"), m);
    m = refusal(file("neg.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
        new byte[8]));
    assertTrue(m.contains("'w'") && m.contains("shape"), m);
    m = refusal(file("size.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
        new byte[16]));
    assertTrue(m.contains("'w'") && m.contains("needs 12"), m);
    m = refusal(file("meta.safetensors", "{\"__metadata__\":{\"a\":1}}", new byte[0]));
    assertTrue(m.contains("__metadata__"), m);
    // a declared header length far beyond the file
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).putLong(0);
    Path huge = dir.resolve("huge.safetensors");
    Files.write(huge, b.array());
    assertTrue(refusal(huge).contains("not a safetensors file"));
  }

  @Test
  void refusesOffsetsOutOfRangeOrOverlapping() throws IOException {
    String m = refusal(file("range.safetensors",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[12]));
    assertTrue(m.contains("'w'") && m.contains("[8, 16]"), m);
    m = refusal(file("back.safetensors",
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", new byte[12]));
    assertTrue(m.contains("'w'"), m);
    m = refusal(file("overlap.safetensors",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]));
    assertTrue(m.contains("'a'") && m.contains("'b'") && m.contains("overlap"), m);
  }

  @Test
  void refusedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
    Path p = dir.resolve("keep.safetensors");
    Safetensors.write(p, Map.of("w", Nd4j.ones(DataType.FLOAT, 2)), null);
    byte[] before = Files.readAllBytes(p);
    Map<String, INDArray> bad = new LinkedHashMap<>();
    bad.put("ok", Nd4j.zeros(DataType.FLOAT, 3));
    bad.put("mask", Nd4j.create(DataType.BOOL, 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p, bad, null));
    assertTrue(e.getMessage().startsWith("tensors: 'mask'"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Safetensors.write(p, Map.of(Safetensors.METADATA_KEY, Nd4j.ones(1)), null));
    assertArrayEquals(before, Files.readAllBytes(p));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(1, s.count(), "no temporary file left behind");
    }
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> Safetensors.readHeader(dir.resolve("nope.safetensors")));
    assertTrue(missing.getMessage().startsWith("file: "), missing.getMessage());
  }

  /** The Python fixture script's file: torch's own F16/BF16 conversions and integer layouts. */
  @Test
  void readsTorchWrittenDtypes() throws Exception {
    Path p = Path.of(SafetensorsTest.class.getResource("/fixtures/models/dtypes.safetensors").toURI());
    Map<String, INDArray> t = Safetensors.read(p);
    assertEquals("pt", Safetensors.readHeader(p).metadata().get("format"));
    assertEquals(SafetensorsDtype.F16, Safetensors.readHeader(p).tensors().get("f16").dtype());
    assertEquals(SafetensorsDtype.BF16, Safetensors.readHeader(p).tensors().get("bf16").dtype());
    assertEquals(t.get("f16_as_f32"), t.get("f16"));
    assertEquals(t.get("bf16_as_f32"), t.get("bf16"));
    assertArrayEquals(new double[] {1.0, -2.5, 0.1, 65504.0, 6.0e-8, -1.0e-3, 3.140625, 1.0 / 3.0},
        t.get("f64").reshape(8).toDoubleVector());
    assertArrayEquals(new long[] {2, 4}, t.get("f64").shape());
    assertArrayEquals(new float[] {1f, -2.5f, 0.1f, 65504f, 6.0e-8f, -1.0e-3f, 3.140625f, 1f / 3f},
        t.get("f32").reshape(8).toFloatVector());
    assertArrayEquals(new long[] {-(1L << 40), 0, 7, 1L << 62}, t.get("i64").toLongVector());
    assertArrayEquals(new int[] {Integer.MIN_VALUE, 1, Integer.MAX_VALUE, -5}, t.get("i32").reshape(4).toIntVector());
    assertEquals(0, t.get("scalar_i64").rank());
    assertEquals(42L, t.get("scalar_i64").getLong(0));
  }
}

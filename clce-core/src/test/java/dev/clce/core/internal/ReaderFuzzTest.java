package dev.clce.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clce.core.testing.FuzzedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * clce-core's file reader under Jazzer (docs/FUZZING.md). Without {@code JAZZER_FUZZ} the fuzz test
 * replays the committed inputs under {@code ReaderFuzzTestInputs/npy} (the seeds, written by
 * {@link Npy#toBytes}, and every input that once found a bug); {@code scripts/fuzz.sh npy SECONDS}
 * fuzzes it.
 */
class ReaderFuzzTest {

  @TempDir Path tmp;

  /** A .npy file loads (its data bit for bit) or is refused naming the file. */
  @FuzzTest(maxDuration = "5m")
  void npy(byte[] data) {
    FuzzedFiles.loadsOrRefuses(data, "input.npy", IllegalArgumentException.class, ReaderFuzzTest::readNpy);
  }

  /** Reads the file and checks that the data bytes come back bit for bit when the array is written. */
  private static void readNpy(Path file) throws IOException {
    byte[] in = Files.readAllBytes(file);
    INDArray a = Npy.read(file);
    try {
      byte[] out = Npy.toBytes(a);
      int data = Math.toIntExact(a.length() * a.dataType().width());
      assertArrayEquals(Arrays.copyOfRange(in, in.length - data, in.length),
          Arrays.copyOfRange(out, out.length - data, out.length), "the data read differ from the file's");
    } finally {
      a.close();
    }
  }

  /** The seeds are Npy's own output (committed, checked here) and each of them loads. */
  @Test
  void seedsAreWriterOutputAndLoad() throws IOException {
    Map<String, byte[]> seeds = npySeeds();
    FuzzedFiles.seeds(ReaderFuzzTest.class, "npy", seeds, true);
    for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
      Path f = tmp.resolve(e.getKey());
      Files.write(f, e.getValue());
      readNpy(f);
    }
  }

  /** One small array of every supported type, a scalar, an empty array, and a version 3.0 header. */
  static Map<String, byte[]> npySeeds() {
    Map<String, byte[]> s = new LinkedHashMap<>();
    s.put("seed-f8-scalar.npy", Npy.toBytes(Nd4j.scalar(DataType.DOUBLE, 2.5)));
    s.put("seed-f4-2x3.npy", Npy.toBytes(Nd4j.createFromArray(new float[][] {{1, -2, 3}, {0.5f, 0, -0f}})));
    s.put("seed-f2-3.npy", Npy.toBytes(Nd4j.createFromArray(1f, 2f, -3f).castTo(DataType.HALF)));
    s.put("seed-i8-2.npy", Npy.toBytes(Nd4j.createFromArray(Long.MIN_VALUE, 7L)));
    s.put("seed-i4-1x1x2.npy", Npy.toBytes(Nd4j.createFromArray(new int[][][] {{{1, -1}}})));
    s.put("seed-i2-2.npy", Npy.toBytes(Nd4j.createFromArray(new short[] {1, -300})));
    s.put("seed-i1-3.npy", Npy.toBytes(Nd4j.createFromArray(new byte[] {1, -1, 127})));
    s.put("seed-u1-2.npy", Npy.toBytes(Nd4j.createFromArray(new byte[] {1, -1}).castTo(DataType.UBYTE)));
    s.put("seed-u2-2.npy", Npy.toBytes(Nd4j.createFromArray(1, 65535).castTo(DataType.UINT16)));
    s.put("seed-u4-2.npy", Npy.toBytes(Nd4j.createFromArray(1L, 4_000_000_000L).castTo(DataType.UINT32)));
    s.put("seed-u8-1.npy", Npy.toBytes(Nd4j.createFromArray(3L).castTo(DataType.UINT64)));
    s.put("seed-b1-3.npy", Npy.toBytes(Nd4j.createFromArray(true, false, true)));
    s.put("seed-f4-0x3.npy", Npy.toBytes(Nd4j.create(DataType.FLOAT, 0, 3)));
    s.put("seed-f4-v3.npy", asVersion3(Npy.toBytes(Nd4j.createFromArray(1f, 2f))));
    return s;
  }

  /** The same file with a version 3.0 preamble (4-byte header length, UTF-8 header). */
  private static byte[] asVersion3(byte[] v1) {
    int headerLen = ByteBuffer.wrap(v1, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
    ByteBuffer out = ByteBuffer.allocate(v1.length + 2).order(ByteOrder.LITTLE_ENDIAN);
    out.put(v1, 0, 6).put((byte) 3).put((byte) 0).putInt(headerLen);
    out.put(v1, 10, v1.length - 10);
    return out.array();
  }
}

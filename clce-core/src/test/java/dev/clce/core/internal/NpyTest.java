package dev.clce.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Npy} against files written by NumPy ({@code src/test/python/make_npy_test_files.py}, whose
 * value formulas are repeated here) and in round trips.
 */
class NpyTest {

  @TempDir Path tmp;

  private static Path resource(String name) {
    try {
      return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double[] halfStepMinusOne(int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * 0.5 - 1;
    }
    return v;
  }

  @Test
  void readsNumpyDoubleFloatIntLongUbyte() {
    INDArray f8 = Npy.read(resource("f8_2x3.npy"));
    assertEquals(DataType.DOUBLE, f8.dataType());
    assertArrayEquals(new long[] {2, 3}, f8.shape());
    assertArrayEquals(halfStepMinusOne(6), f8.reshape(6).toDoubleVector());
    assertEquals(0.5, f8.getDouble(1, 0)); // C order: row 1 starts at flat index 3

    INDArray f4 = Npy.read(resource("f4_3x2.npy"));
    assertEquals(DataType.FLOAT, f4.dataType());
    assertArrayEquals(new long[] {3, 2}, f4.shape());
    assertArrayEquals(halfStepMinusOne(6), f4.reshape(6).toDoubleVector());

    INDArray i4 = Npy.read(resource("i4_5.npy"));
    assertEquals(DataType.INT, i4.dataType());
    assertArrayEquals(new long[] {5}, i4.shape());
    assertArrayEquals(new int[] {-2, -1, 0, 1, 2}, i4.toIntVector());

    INDArray i8 = Npy.read(resource("i8_4.npy"));
    assertEquals(DataType.LONG, i8.dataType());
    assertArrayEquals(new long[] {-3, 999_999_999_997L, 1_999_999_999_997L, 2_999_999_999_997L},
        i8.toLongVector());

    INDArray u1 = Npy.read(resource("u1_2x2x2.npy"));
    assertEquals(DataType.UBYTE, u1.dataType());
    assertArrayEquals(new long[] {2, 2, 2}, u1.shape());
    assertArrayEquals(new long[] {250, 251, 252, 253, 254, 255, 0, 1}, u1.reshape(8).toLongVector());
  }

  @Test
  void readsScalarEmptyAndFormatVersions2And3() {
    INDArray s = Npy.read(resource("f8_scalar.npy"));
    assertEquals(0, s.rank());
    assertEquals(3.25, s.getDouble(0));

    INDArray e = Npy.read(resource("f8_0x3.npy"));
    assertArrayEquals(new long[] {0, 3}, e.shape());
    assertEquals(0, e.length());

    for (String v : List.of("f8_2x3_v2.npy", "f8_2x3_v3.npy")) {
      INDArray a = Npy.read(resource(v));
      assertArrayEquals(new long[] {2, 3}, a.shape(), v);
      assertArrayEquals(halfStepMinusOne(6), a.reshape(6).toDoubleVector(), v);
    }
  }

  @Test
  void writesTheSameBytesAsNumpy() throws IOException {
    for (String name : List.of("f8_2x3.npy", "f4_3x2.npy", "i4_5.npy", "i8_4.npy", "u1_2x2x2.npy", "f8_scalar.npy")) {
      byte[] numpy = Files.readAllBytes(resource(name));
      assertArrayEquals(numpy, Npy.toBytes(Npy.fromBytes(numpy, name)), name);
    }
  }

  @Test
  void refusesFortranOrderBigEndianAndUnknownDtype() {
    assertRefused(resource("f8_2x3_fortran.npy"), "fortran_order");
    assertRefused(resource("f8_big_endian.npy"), "big-endian");
    assertRefused(resource("c16_complex.npy"), "unsupported dtype '<c16'");
  }

  @Test
  void refusesBadMagicVersionTruncationAndSizeMismatch() throws IOException {
    byte[] good = Files.readAllBytes(resource("f8_2x3.npy"));

    byte[] magic = good.clone();
    magic[1] = 'X';
    assertRefused(write("magic.npy", magic), "bad magic");

    byte[] version = good.clone();
    version[6] = 4;
    assertRefused(write("version.npy", version), "version 4.0");

    assertRefused(write("truncated.npy", Arrays.copyOf(good, good.length - 1)), "truncated");
    assertRefused(write("header-cut.npy", Arrays.copyOf(good, 40)), "truncated inside the header");
    assertRefused(write("tiny.npy", Arrays.copyOf(good, 3)), "not a .npy file");
    assertRefused(write("extra.npy", Arrays.copyOf(good, good.length + 8)), "size does not match");

    String header = new String(good, 0, 128, StandardCharsets.ISO_8859_1);
    byte[] shape = header.replace("(2, 3)", "(3, 3)").getBytes(StandardCharsets.ISO_8859_1);
    byte[] wrongShape = good.clone();
    System.arraycopy(shape, 0, wrongShape, 0, 128);
    assertRefused(write("shape.npy", wrongShape), "truncated: header shape (3, 3)");

    byte[] garbled = good.clone();
    System.arraycopy(header.replace("'shape'", "'shapf'").getBytes(StandardCharsets.ISO_8859_1), 0, garbled, 0, 128);
    assertRefused(write("keys.npy", garbled), "exactly the keys");

    byte[] syntax = good.clone();
    System.arraycopy(header.replace("(2, 3)", "(2; 3)").getBytes(StandardCharsets.ISO_8859_1), 0, syntax, 0, 128);
    assertRefused(write("syntax.npy", syntax), "malformed header");

    assertRefused(tmp.resolve("missing.npy"), "no such file");
  }

  @Test
  void roundTripsEveryTypeAndViews() {
    Random rnd = new Random(7);
    for (DataType dt : List.of(DataType.DOUBLE, DataType.FLOAT, DataType.HALF, DataType.LONG, DataType.INT,
        DataType.SHORT, DataType.BYTE, DataType.UBYTE, DataType.UINT16, DataType.UINT32, DataType.UINT64,
        DataType.BOOL)) {
      double[] v = new double[3 * 4 * 5];
      for (int i = 0; i < v.length; i++) {
        v[i] = dt == DataType.BOOL ? rnd.nextInt(2) : dt.isFPType() ? rnd.nextGaussian() : rnd.nextInt(100);
      }
      INDArray a = Nd4j.createFromArray(v).reshape(3, 4, 5).castTo(dt);
      Path f = tmp.resolve(dt + ".npy");
      Npy.write(f, a);
      INDArray b = Npy.read(f);
      assertEquals(dt, b.dataType(), dt.toString());
      assertArrayEquals(a.shape(), b.shape(), dt.toString());
      assertArrayEquals(a.castTo(DataType.DOUBLE).reshape(60).toDoubleVector(),
          b.castTo(DataType.DOUBLE).reshape(60).toDoubleVector(), dt.toString());
    }
    INDArray m = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}});
    Path t = tmp.resolve("transposed.npy");
    Npy.write(t, m.transpose()); // an 'f'-ordered view: written in C order
    INDArray back = Npy.read(t);
    assertArrayEquals(new long[] {3, 2}, back.shape());
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, back.reshape(6).toDoubleVector());
    INDArray col = m.getColumn(1);
    Npy.write(t, col); // overwrites
    assertArrayEquals(new double[] {2, 5}, Npy.read(t).toDoubleVector());
  }

  @Test
  void writeLeavesNoTemporaryFilesAndNeedsAnExistingDirectory() throws IOException {
    Npy.write(tmp.resolve("a.npy"), Nd4j.createFromArray(1.0, 2.0));
    Npy.write(tmp.resolve("a.npy"), Nd4j.createFromArray(3.0));
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of("a.npy"), files.map(p -> p.getFileName().toString()).toList());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Npy.write(tmp.resolve("no/such/dir/b.npy"), Nd4j.createFromArray(1.0)));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    IllegalArgumentException u = assertThrows(IllegalArgumentException.class,
        () -> Npy.toBytes(Nd4j.createFromArray(1.0f).castTo(DataType.BFLOAT16)));
    assertTrue(u.getMessage().startsWith("array: data type BFLOAT16"), u.getMessage());
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(name), bytes);
  }

  private static void assertRefused(Path file, String what) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(file), what);
    assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(what), "expected '" + what + "' in: " + e.getMessage());
  }
}

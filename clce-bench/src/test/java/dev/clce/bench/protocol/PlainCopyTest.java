package dev.clce.bench.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clce.bench.data.DataSpec;
import dev.clce.bench.train.SyntheticFashion;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainCopyTest {
  private static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

  @Test
  void gzippedFashionMnistIsDecompressedOnceIntoTheCache(@TempDir Path tmp) throws Exception {
    Path plain = SyntheticFashion.write(tmp.resolve("plain"), 10, 3, 2, 1);
    Path gz = Files.createDirectories(tmp.resolve("gz"));
    for (String f : FILES) {
      try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz.resolve(f + ".gz")))) {
        o.write(Files.readAllBytes(plain.resolve(f)));
      }
    }
    Path cache = tmp.resolve("cache");
    DataSpec copy = BenchRunner.plainCopy(DataSpec.parse("fashion-mnist:" + gz), cache);
    assertEquals(cache.resolve(BenchRunner.FASHION_COPY), copy.dir());
    for (String f : FILES) {
      assertArrayEquals(Files.readAllBytes(plain.resolve(f)), Files.readAllBytes(copy.dir().resolve(f)), f);
    }
    // Plain files are read where they are.
    DataSpec same = DataSpec.parse("fashion-mnist:" + plain);
    assertEquals(same, BenchRunner.plainCopy(same, cache));
    try (var s = Files.list(copy.dir())) {
      assertEquals(4, s.count(), "no temporary files left");
    }
  }
}

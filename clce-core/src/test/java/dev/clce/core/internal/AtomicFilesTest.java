package dev.clce.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  private static long count(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void writesReplacesAndCreatesTheDirectory(@TempDir Path tmp) throws IOException {
    Path f = tmp.resolve("a/b/c.txt");
    AtomicFiles.writeString(f, "one");
    assertEquals("one", Files.readString(f));
    AtomicFiles.write(f, new byte[] {'t', 'w', 'o'});
    assertEquals("two", Files.readString(f));
    assertEquals(1, count(f.getParent()), "no temporary file left");
  }

  @Test
  void aFailingWriterLeavesTheTargetAsItWasAndNoTemporaryFile(@TempDir Path tmp) throws IOException {
    Path f = tmp.resolve("keep.txt");
    AtomicFiles.writeString(f, "old");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeStream(f, out -> {
      out.write("half".getBytes());
      throw new IOException("disk full");
    }));
    assertTrue(e.getMessage().startsWith("could not write " + f + ": IOException (disk full)"), e.getMessage());
    assertEquals("old", Files.readString(f));
    assertEquals(1, count(tmp));
  }

  @Test
  void anUnwritableDirectoryIsNamed(@TempDir Path tmp) throws IOException {
    Path notADir = tmp.resolve("file");
    Files.writeString(notADir, "x");
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> AtomicFiles.writeString(notADir.resolve("y.txt"), "z"));
    assertTrue(e.getMessage().startsWith("could not write " + notADir.resolve("y.txt")), e.getMessage());
  }
}

package dev.clce.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
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
  @Test
  void theTemporaryFileOfAWriteIsNamedByThePattern(@TempDir Path tmp) {
    Path f = tmp.resolve("checkpoint-000000002.ckpt");
    List<String> seen = new ArrayList<>();
    AtomicFiles.writePath(f, t -> {
      seen.add(t.getFileName().toString());
      Files.writeString(t, "x");
    });
    assertEquals(1, seen.size());
    // Independently of the pattern: a dot, the target, a dot, digits, ".tmp".
    String name = seen.get(0);
    assertTrue(name.startsWith(".checkpoint-000000002.ckpt.") && name.endsWith(".tmp")
        && name.substring(".checkpoint-000000002.ckpt.".length(), name.length() - 4).chars().allMatch(Character::isDigit),
        name);
    assertTrue(AtomicFiles.temporaryNames(Pattern.compile("checkpoint-\\d{9}\\.ckpt")).matcher(name).matches(), name);
    assertFalse(AtomicFiles.temporaryNames(Pattern.compile(Pattern.quote("config.json"))).matcher(name).matches(), name);
  }

  @Test
  void removeTemporaryFilesRemovesOnlyThoseOfTheTargets(@TempDir Path tmp) throws IOException {
    List<String> ours = List.of(".a.txt.123.tmp", ".a.txt.18446744073709551615.tmp", ".b-00.bin.7.tmp");
    List<String> theirs = List.of("a.txt", "notes.tmp", ".other.tmp", ".a.txt.tmp", ".a.txt.12x.tmp", ".a.txt.-5.tmp",
        ".c.txt.1.tmp", "a.txt.1.tmp", ".a.txt.1.tmp.bak", ".axtxt.3.tmp", ".b-0.bin.4.tmp");
    for (String n : ours) {
      Files.writeString(tmp.resolve(n), "left by a kill");
    }
    for (String n : theirs) {
      Files.writeString(tmp.resolve(n), "a user's");
    }
    Files.createDirectory(tmp.resolve(".a.txt.55.tmp")); // a directory is never one of ours
    Files.createSymbolicLink(tmp.resolve(".a.txt.66.tmp"), tmp.resolve("a.txt"));
    Pattern targets = Pattern.compile(Pattern.quote("a.txt") + "|b-\\d{2}\\.bin");
    assertEquals(ours.stream().sorted().toList(), AtomicFiles.removeTemporaryFiles(tmp, targets));
    List<String> left;
    try (Stream<Path> s = Files.list(tmp)) {
      left = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    List<String> expected = new ArrayList<>(theirs);
    expected.add(".a.txt.55.tmp");
    expected.add(".a.txt.66.tmp");
    assertEquals(expected.stream().sorted().toList(), left);
    assertEquals("a user's", Files.readString(tmp.resolve("a.txt")));
    assertEquals(List.of(), AtomicFiles.removeTemporaryFiles(tmp.resolve("missing"), targets));
  }
}

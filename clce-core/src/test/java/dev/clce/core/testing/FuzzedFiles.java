package dev.clce.core.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The rule every {@code ReaderFuzzTest} holds a reader to: a file made of the fuzzer's bytes either
 * loads, or is refused with the project's refusal exception, whose message names the file. Any other
 * outcome (an {@code OutOfMemoryError} from a declared size, a raw {@code NullPointerException},
 * {@code ArrayIndexOutOfBoundsException}, {@code NegativeArraySizeException}, a refusal that does not
 * say which file) propagates, and Jazzer reports it as a finding.
 */
public final class FuzzedFiles {

  private FuzzedFiles() {}

  /** A reader under test: reads the file, checks what it loaded and releases it. */
  @FunctionalInterface
  public interface Reader {
    /**
     * Reads the file.
     *
     * @param file the file (or, for a directory reader, the directory) to read
     * @throws Exception anything; only {@code refusal} is allowed through
     */
    void read(Path file) throws Exception;
  }

  /** Writes the file(s) a reader reads. */
  @FunctionalInterface
  public interface Layout {
    /**
     * Writes the input under {@code dir}.
     *
     * @param dir a fresh empty directory
     * @return the path to hand to the reader
     * @throws IOException if writing fails
     */
    Path write(Path dir) throws IOException;
  }

  /**
   * Writes {@code data} to a file named {@code name} in a fresh directory and reads it.
   *
   * @param data the fuzzer's bytes
   * @param name the file name (readers that look at the name see a realistic one)
   * @param refusal the exception type the reader refuses bad files with
   * @param reader the reader
   */
  public static void loadsOrRefuses(byte[] data, String name, Class<? extends RuntimeException> refusal,
      Reader reader) {
    loadsOrRefuses(dir -> Files.write(dir.resolve(name), data), refusal, reader);
  }

  /**
   * Writes an input with {@code layout} in a fresh directory and reads it; see the class comment for
   * the rule. The directory is deleted afterwards.
   *
   * @param layout writes the input
   * @param refusal the exception type the reader refuses bad files with
   * @param reader the reader
   */
  public static void loadsOrRefuses(Layout layout, Class<? extends RuntimeException> refusal, Reader reader) {
    Path dir;
    try {
      dir = Files.createTempDirectory("clce-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Path input = layout.write(dir);
      try {
        reader.read(input);
      } catch (RuntimeException e) {
        if (!refusal.isInstance(e)) {
          throw e;
        }
        String message = e.getMessage();
        assertNotNull(message, () -> refusal.getSimpleName() + " without a message");
        assertTrue(message.contains(input.toString()) || message.contains(dir.toString()),
            () -> "the refusal does not name the file " + input + ": " + message);
      }
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    } finally {
      deleteTree(dir);
    }
  }

  /** The system property that makes {@link #seeds} write the seed files instead of checking them. */
  public static final String WRITE_SEEDS = "clce.fuzz.writeSeeds";

  /**
   * The committed seed corpus of one fuzz test is what the project's writers produce now: each seed
   * is compared with the committed file of the same name in Jazzer's inputs directory
   * ({@code src/test/resources/<package>/<TestClass>Inputs/<method>/}, relative to the module, where
   * Maven runs the tests). With {@code -Dclce.fuzz.writeSeeds=true} the files are (re)written
   * instead. Inputs in the directory that are not seeds (the crash inputs of past findings) are left
   * alone.
   *
   * @param testClass the fuzz test class
   * @param method the fuzz test method
   * @param seeds file name to content
   * @param exact compare bytes; false only checks that the file exists (for seeds made by the JDK's
   *     image encoders, whose bytes may change between JDK builds)
   * @throws IOException if writing fails
   */
  public static void seeds(Class<?> testClass, String method, Map<String, byte[]> seeds, boolean exact)
      throws IOException {
    Path dir = Path.of("src", "test", "resources", testClass.getPackageName().replace('.', '/'),
        testClass.getSimpleName() + "Inputs", method);
    boolean write = Boolean.getBoolean(WRITE_SEEDS);
    if (write) {
      Files.createDirectories(dir);
    }
    for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
      Path f = dir.resolve(e.getKey());
      if (write) {
        Files.write(f, e.getValue());
        continue;
      }
      assertTrue(Files.isRegularFile(f), () -> "seed " + f.toAbsolutePath() + " is not committed; run with -D"
          + WRITE_SEEDS + "=true to write it");
      if (exact) {
        assertTrue(Arrays.equals(Files.readAllBytes(f), e.getValue()), () -> "seed " + f.toAbsolutePath()
            + " differs from what the writer makes now; run with -D" + WRITE_SEEDS + "=true to rewrite it");
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }
}

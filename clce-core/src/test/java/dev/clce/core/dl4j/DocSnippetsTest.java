package dev.clce.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples in docs/DL4J.md are the test sources that run (kept in step by this test). */
class DocSnippetsTest {
  private static final String BEGIN = "// --- docs/DL4J.md";
  private static final String END = "// --- end ---";

  /** The code between the markers of a test source. */
  private static String snippet(Path file) throws IOException {
    String s = Files.readString(file, StandardCharsets.UTF_8);
    int a = s.indexOf('\n', s.indexOf(BEGIN)) + 1;
    int b = s.indexOf(END);
    assertTrue(a > 0 && b > a, "no doc markers in " + file);
    return s.substring(a, b).stripTrailing();
  }

  @Test
  void docsShowTheTestedExamples() throws IOException {
    String docs = Files.readString(Path.of("../docs/DL4J.md"), StandardCharsets.UTF_8);
    Path tests = Path.of("src/test/java/dev/clce/core");
    for (Path f : List.of(tests.resolve("dl4j/IteratorExamples.java"), tests.resolve("dl4j/DataVecExample.java"),
        tests.resolve("dl4j/SameDiffFitExample.java"),
        tests.resolve("dl4j/ParallelExample.java"), tests.resolve("gradcheck/MyGraphGradientTest.java"))) {
      assertTrue(docs.contains(snippet(f)), "docs/DL4J.md does not show " + f + " as it is");
    }
  }
}

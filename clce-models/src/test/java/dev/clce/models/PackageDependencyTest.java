package dev.clce.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages depend one way: {@code ops} on nothing of clce-models, {@code layers} on {@code ops},
 * the models package on {@code layers}, {@code weights} on the models package. A use the other way
 * (an import, or a fully qualified name in code) would close a cycle.
 */
class PackageDependencyTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/clce/models");
  private static final Pattern USE = Pattern.compile("dev\\.clce\\.models(\\.(layers|ops|weights))?\\.[A-Z]");

  private static List<String> uses(String pkg, List<String> forbidden) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(SOURCES.resolve(pkg))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(f)) {
          String code = line.trim();
          if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
            continue; // documentation may name any package
          }
          Matcher m = USE.matcher(code);
          while (m.find()) {
            String target = m.group(2) == null ? "models" : m.group(2);
            if (forbidden.contains(target)) {
              found.add(f.getFileName() + ": " + code);
            }
          }
        }
      }
    }
    return found;
  }

  @Test
  void lowerPackagesDoNotUseHigherOnes() throws IOException {
    assertTrue(Files.isDirectory(SOURCES.resolve("layers")), "run from the clce-models module directory");
    assertEquals(List.of(), uses("ops", List.of("layers", "models", "weights")));
    assertEquals(List.of(), uses("layers", List.of("models", "weights")));
    try (Stream<Path> files = Files.list(SOURCES)) {
      List<String> rootUsesWeights = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(f)) {
          if (line.startsWith("import dev.clce.models.weights.")) {
            rootUsesWeights.add(f.getFileName() + ": " + line);
          }
        }
      }
      assertEquals(List.of(), rootUsesWeights);
    }
  }
}

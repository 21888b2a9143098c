package dev.clce.bench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.bench.cli.ClceCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

/** Versions come from the build, and the ND4J build is the native jar that is loaded. */
class ProvenanceTest {

  /** The version in the parent section of clce-bench's pom.xml (the test runs in the module directory). */
  private static String pomVersion() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>.*?</parent>", Pattern.DOTALL).matcher(pom);
    assertTrue(m.find(), "no parent version in clce-bench/pom.xml");
    return m.group(1).trim();
  }

  @Test
  void versionIsThePomVersion() throws IOException {
    String v = pomVersion();
    assertEquals(v, Provenance.clceVersion());
    assertEquals(v, Provenance.collect().get("clce_version"));

    StringWriter out = new StringWriter();
    int code = ClceCli.newCommandLine(new PrintWriter(out), new PrintWriter(new StringWriter())).execute("--version");
    assertEquals(0, code);
    assertTrue(out.toString().startsWith("clce " + v + " "), out.toString());
    assertTrue(out.toString().contains("\nND4J build: " + Provenance.nd4jBuild()), out.toString());
  }

  @Test
  void namesTheLoadedNativeBuild() {
    String build = Provenance.nd4jBuild();
    // Exactly one ND4J native jar (clce-backend keeps one), for this machine's platform, CPU backend in tests.
    Matcher m = Pattern.compile("nd4j-native 1\\.0\\.0-M2\\.1 (\\S+) \\(CpuBackend\\)").matcher(build);
    assertTrue(m.matches(), build);
    assertTrue(m.group(1).startsWith(Loader.getPlatform()), build + " on " + Loader.getPlatform());
    String classifier = System.getProperty("nd4j.classifier");
    if (classifier != null) {
      assertEquals(classifier, m.group(1));
    }
    Map<String, Object> p = Provenance.collect();
    assertEquals(build, p.get("nd4j_build"));
  }
}

package dev.clce.bench.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where and how a bench ran: git commit, versions, ND4J backend, machine, load, start time.
 *
 * <p>The clce version comes from the build ({@code build.properties}, filled in by Maven resource
 * filtering), so that a report never names a version the code was not built as. The ND4J build is
 * read from the native jar that is on the class path at run time, not from the build's settings:
 * what ran is what counts, and a stale launcher build or a hand-made class path cannot misreport it.
 */
public final class Provenance {
  /** The resource Maven fills in at build time (clce-bench/src/main/resources-filtered). */
  static final String BUILD_PROPERTIES = "/dev/clce/bench/build.properties";

  private static final String NATIVE_IMAGE_DIR = "META-INF/native-image/";
  private static final String ND4J_POM_DIR = "META-INF/maven/org.nd4j/";

  private Provenance() {}

  /**
   * The clce version this code was built as (the Maven project version).
   *
   * @return for example {@code 0.1.0-SNAPSHOT}
   * @throws IllegalStateException when the build resource is missing or was not filtered (a build
   *     outside Maven)
   */
  public static String clceVersion() {
    return buildProperty("version");
  }

  /**
   * The DL4J/ND4J version this code was built against.
   *
   * @return for example {@code 1.0.0-M2.1}
   */
  public static String nd4jBuildVersion() {
    return buildProperty("nd4j.version");
  }

  private static String buildProperty(String key) {
    Properties p = new Properties();
    try (InputStream in = Provenance.class.getResourceAsStream(BUILD_PROPERTIES)) {
      if (in == null) {
        throw new IllegalStateException("resource " + BUILD_PROPERTIES + " is missing: build clce-bench with Maven");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + BUILD_PROPERTIES, e);
    }
    String v = p.getProperty(key);
    if (v == null || v.isBlank() || v.contains("${")) {
      throw new IllegalStateException("resource " + BUILD_PROPERTIES + ": " + key + " was not filled in by the build, got " + v);
    }
    return v.trim();
  }

  /**
   * The ND4J native build that is loaded: backend artifact, version and classifier of each ND4J
   * native jar on the class path, and the backend class, for example {@code nd4j-native 1.0.0-M2.1
   * linux-x86_64-onednn-avx2 (CpuBackend)} or {@code nd4j-cuda-11.6 1.0.0-M2.1 linux-x86_64-cudnn
   * (JCublasBackend)}. Loads ND4J if it is not loaded yet.
   *
   * @return the description; the backend class alone when no native jar could be read
   */
  public static String nd4jBuild() {
    String backend = Nd4j.getBackend().getClass().getSimpleName();
    TreeSet<String> jars = new TreeSet<>();
    try {
      java.util.Enumeration<URL> urls = Provenance.class.getClassLoader().getResources(NATIVE_IMAGE_DIR);
      while (urls.hasMoreElements()) {
        String d = describeNativeJar(urls.nextElement());
        if (d != null) {
          jars.add(d);
        }
      }
    } catch (IOException e) {
      return backend + " (native jar unreadable: " + e.getMessage() + ")";
    }
    return jars.isEmpty() ? backend + " (no ND4J native jar found on the class path)"
        : String.join(" + ", jars) + " (" + backend + ")";
  }

  /** "artifactId version classifier" of an ND4J native jar, or null for any other jar. */
  private static String describeNativeJar(URL url) throws IOException {
    URLConnection c = url.openConnection();
    if (!(c instanceof JarURLConnection jc)) {
      return null;
    }
    jc.setUseCaches(false);
    try (JarFile jar = jc.getJarFile()) {
      String classifier = null;
      String artifact = null;
      String version = null;
      for (JarEntry e : java.util.Collections.list(jar.entries())) {
        String n = e.getName();
        // Native jars keep META-INF/native-image/<classifier>/...; the API jar has files directly there.
        int slash = n.indexOf('/', NATIVE_IMAGE_DIR.length());
        if (classifier == null && n.startsWith(NATIVE_IMAGE_DIR) && slash > NATIVE_IMAGE_DIR.length()) {
          classifier = n.substring(NATIVE_IMAGE_DIR.length(), slash);
        }
        if (artifact == null && n.startsWith(ND4J_POM_DIR) && n.endsWith("/pom.properties")) {
          Properties p = new Properties();
          try (InputStream in = jar.getInputStream(e)) {
            p.load(in);
          }
          artifact = p.getProperty("artifactId");
          version = p.getProperty("version");
        }
      }
      if (artifact == null || classifier == null || classifier.isEmpty()) {
        return null;
      }
      return artifact + " " + version + " " + classifier;
    }
  }

  /**
   * Collects the provenance at the start of a run.
   *
   * @return ordered key/value pairs
   */
  public static Map<String, Object> collect() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("started", Instant.now().toString());
    String commit = git("rev-parse", "HEAD");
    String dirty = git("status", "--porcelain", "--untracked-files=no");
    m.put("git_commit", commit == null ? "unknown (not a git checkout)" : commit);
    m.put("git_dirty", dirty == null ? "unknown" : dirty.isBlank() ? "no" : "yes (uncommitted changes to tracked files)");
    m.put("clce_version", clceVersion());
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    String nd4j = Nd4j.class.getPackage().getImplementationVersion();
    m.put("dl4j_nd4j", nd4j == null ? nd4jBuildVersion() : nd4j);
    m.put("backend", Nd4j.getBackend().getClass().getSimpleName() + " (" + Nd4j.getExecutioner().getClass().getSimpleName()
        + ")");
    m.put("nd4j_build", nd4jBuild());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    m.put("cpu", cpuModel());
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    m.put("load_average_start", loadAverage());
    return m;
  }

  /**
   * The one-minute system load average, as the report states the machine's load.
   *
   * @return the load average with 2 decimals, or "unknown"
   */
  public static String loadAverage() {
    double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return l < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", l);
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      return System.getProperty("os.arch");
    }
    return System.getProperty("os.arch");
  }

  private static String git(String... args) {
    try {
      List<String> cmd = new java.util.ArrayList<>();
      cmd.add("git");
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      return outText;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}

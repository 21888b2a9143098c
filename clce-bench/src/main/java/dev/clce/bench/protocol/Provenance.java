package dev.clce.bench.protocol;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where and how a bench ran: git commit, versions, ND4J backend, machine, load, start time.
 */
public final class Provenance {
  private Provenance() {}

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
    m.put("clce_version", "0.1.0-SNAPSHOT");
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    String nd4j = Nd4j.class.getPackage().getImplementationVersion();
    m.put("dl4j_nd4j", nd4j == null ? "1.0.0-M2.1" : nd4j);
    m.put("backend", Nd4j.getBackend().getClass().getSimpleName() + " (" + Nd4j.getExecutioner().getClass().getSimpleName()
        + ")");
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

package dev.clce.bench.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's peak resident set size, from {@code /proc/self/status} (Linux only). */
public final class PeakRss {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final String HWM = "VmHWM:";
  private static final String RSS = "VmRSS:";

  private PeakRss() {}

  /** @return the peak resident set size in MiB ({@code VmHWM}), or -1 where /proc is not available */
  public static double peakMb() {
    return readKb(HWM) / 1024.0;
  }

  /** @return the current resident set size in MiB ({@code VmRSS}), or -1 where /proc is not available */
  public static double currentMb() {
    return readKb(RSS) / 1024.0;
  }

  private static double readKb(String key) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(key)) {
          String v = line.substring(key.length()).trim();
          return Long.parseLong(v.split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1024;
    }
    return -1024;
  }
}

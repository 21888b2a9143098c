package dev.clce.bench.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The process's resident set size from {@code /proc/self/status} (Linux only): the current one
 * ({@code VmRSS}) and the kernel's high-water mark of it ({@code VmHWM}).
 *
 * <p>The high-water mark is the number that answers "how much memory did this process need": ND4J
 * keeps arrays off the Java heap, so neither the heap's size nor its use says it, and sampling
 * {@code VmRSS} between steps misses the peak inside a step. The kernel updates {@code VmHWM} on
 * every page the process touches; {@link #resetPeak()} sets it back to the current size (writing
 * {@code 5} to {@code /proc/self/clear_refs}, Linux 4.0+), so that the peak of a stretch of work,
 * after the start-up and warm-up, can be read on its own.
 */
public final class PeakRss {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
  /** Field of the peak resident set size in {@code /proc/<pid>/status}. */
  static final String HWM = "VmHWM";
  /** Field of the current resident set size in {@code /proc/<pid>/status}. */
  static final String RSS = "VmRSS";

  private PeakRss() {}

  /** @return the peak resident set size in MiB ({@code VmHWM}), or -1 where /proc is not available */
  public static double peakMb() {
    return readMb(HWM);
  }

  /** @return the current resident set size in MiB ({@code VmRSS}), or -1 where /proc is not available */
  public static double currentMb() {
    return readMb(RSS);
  }

  /**
   * Sets the peak ({@code VmHWM}) back to the current resident set size.
   *
   * @return whether the kernel took the reset (false where /proc is missing or read-only)
   */
  public static boolean resetPeak() {
    try {
      Files.writeString(CLEAR_REFS, "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static double readMb(String field) {
    try {
      OptionalLong kb = kilobytes(Files.readAllLines(STATUS), field);
      return kb.isPresent() ? kb.getAsLong() / 1024.0 : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * One size field of a {@code /proc/<pid>/status} text, such as {@code "VmHWM:\t  123456 kB"}.
   *
   * @param statusLines the lines of the file
   * @param field the field's name without the colon ({@link #HWM}, {@link #RSS})
   * @return its value in kB; empty when the field is missing or not a whole number of kB
   */
  static OptionalLong kilobytes(List<String> statusLines, String field) {
    String key = field + ":";
    for (String line : statusLines) {
      if (line.startsWith(key)) {
        String[] v = line.substring(key.length()).trim().split("\\s+");
        if (v.length != 2 || !v[1].equals("kB") || !v[0].matches("[0-9]{1,18}")) {
          return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(v[0]));
      }
    }
    return OptionalLong.empty();
  }
}

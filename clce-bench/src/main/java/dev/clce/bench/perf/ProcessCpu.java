package dev.clce.bench.perf;

import java.lang.management.ManagementFactory;

/**
 * CPU time consumed by this process (all threads: ND4J's native threads, the JIT, the garbage
 * collector). On a shared machine wall time includes waiting for a core; CPU time does not, so the
 * two side by side show how much of a slow step was the machine.
 */
public final class ProcessCpu {
  private ProcessCpu() {}

  /** @return CPU seconds used by the process so far, or NaN where the JVM does not report it */
  public static double seconds() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long ns = os.getProcessCpuTime();
      return ns < 0 ? Double.NaN : ns / 1e9;
    }
    return Double.NaN;
  }
}

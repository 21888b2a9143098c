package dev.clce.bench.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link PeakRss}: the fields of a committed {@code /proc/<pid>/status} fixture, and malformed lines. */
class PeakRssTest {

  private static List<String> fixture() throws IOException {
    try (InputStream in = PeakRssTest.class.getResourceAsStream("proc-status.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  @Test
  void readsPeakAndCurrentFromTheFixture() throws IOException {
    // VmPeak (virtual size) and RssAnon come before or share a prefix: only the exact field counts
    assertEquals(OptionalLong.of(2457864), PeakRss.kilobytes(fixture(), PeakRss.HWM));
    assertEquals(OptionalLong.of(713204), PeakRss.kilobytes(fixture(), PeakRss.RSS));
    assertEquals(OptionalLong.of(9876543), PeakRss.kilobytes(fixture(), "VmPeak"));
  }

  @Test
  void missingOrMalformedFieldsAreEmpty() {
    assertEquals(OptionalLong.empty(), PeakRss.kilobytes(List.of("Name:\tjava", "VmRSS:\t 12 kB"), PeakRss.HWM));
    assertEquals(OptionalLong.empty(), PeakRss.kilobytes(List.of("VmHWM:\t 12 MB"), PeakRss.HWM));
    assertEquals(OptionalLong.empty(), PeakRss.kilobytes(List.of("VmHWM:\t twelve kB"), PeakRss.HWM));
    assertEquals(OptionalLong.empty(), PeakRss.kilobytes(List.of("VmHWM:"), PeakRss.HWM));
  }

  @Test
  void thisProcessHasAPeakAtLeastItsCurrentSize() {
    // The current size first: the process may grow between the two reads, and the peak read second
    // covers whatever it reached by then.
    double now = PeakRss.currentMb();
    double peak = PeakRss.peakMb();
    assertTrue(now > 0 && peak >= now, "peak " + peak + " MiB, current " + now + " MiB");
    if (PeakRss.resetPeak()) {
      // after the reset the peak is the current size, not the start-up's
      assertTrue(PeakRss.peakMb() <= Math.max(peak, PeakRss.currentMb()) + 1, "peak after reset " + PeakRss.peakMb());
    }
  }
}

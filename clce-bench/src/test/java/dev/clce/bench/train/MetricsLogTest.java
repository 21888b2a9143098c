package dev.clce.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics log on resumption: records past the checkpoint and a line cut by the interruption go. */
class MetricsLogTest {

  @Test
  void resumeKeepsRecordsUpToTheCheckpointAndDropsACutLine(@TempDir Path dir) throws IOException {
    Path f = dir.resolve(TrainNames.METRICS_JSONL);
    Files.writeString(f, String.join("\n",
        "{\"type\":\"step\",\"step\":1,\"loss\":2.0}",
        "{\"type\":\"step\",\"step\":2,\"loss\":1.5}",
        "{\"type\":\"epoch\",\"step\":2,\"test_top1\":0.5}",
        "{\"type\":\"step\",\"step\":3,\"loss\":1.2}",
        "{\"type\":\"step\",\"st"));
    try (MetricsLog log = MetricsLog.resume(f, 2)) {
      log.write(Map.of("type", MetricsLog.TYPE_RESUME, "step", 2));
    }
    List<String> lines = Files.readAllLines(f);
    assertEquals(List.of(
        "{\"type\":\"step\",\"step\":1,\"loss\":2.0}",
        "{\"type\":\"step\",\"step\":2,\"loss\":1.5}",
        "{\"type\":\"epoch\",\"step\":2,\"test_top1\":0.5}"), lines.subList(0, 3));
    assertEquals(4, lines.size());
    assertEquals(true, lines.get(3).contains("\"type\":\"resume\""));
  }
}

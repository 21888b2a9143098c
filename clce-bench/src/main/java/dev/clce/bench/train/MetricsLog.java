package dev.clce.bench.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.core.internal.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics log {@code DIR/metrics.jsonl}: one JSON object per line, flushed after each, with a
 * {@code "type"} ({@link #TYPE_STEP}, {@link #TYPE_EPOCH}, {@link #TYPE_RESUME}, {@link #TYPE_FINAL})
 * and the completed {@code "step"}. On resumption, records past the checkpoint's step (written before
 * the interruption, then lost with it) are dropped first, so that the log describes the weights that
 * exist.
 */
public final class MetricsLog implements AutoCloseable {
  /** Record type of a training step. */
  public static final String TYPE_STEP = "step";
  /** Record type of an end-of-epoch evaluation. */
  public static final String TYPE_EPOCH = "epoch";
  /** Record type written when a run resumes. */
  public static final String TYPE_RESUME = "resume";
  /** Record type of the final evaluation. */
  public static final String TYPE_FINAL = "final";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedWriter out;

  private MetricsLog(BufferedWriter out) {
    this.out = out;
  }

  /**
   * Opens a new log (replacing any old one).
   *
   * @param file the log
   * @return the log
   */
  public static MetricsLog create(Path file) {
    try {
      return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
    } catch (IOException e) {
      throw new UncheckedIOException("could not open " + file, e);
    }
  }

  /**
   * Opens an existing log for a resumed run: keeps the records up to {@code step} (rewritten
   * atomically), drops later ones and unreadable lines (a line cut by the interruption), and appends.
   *
   * @param file the log (created when missing)
   * @param step the checkpoint's completed steps
   * @return the log
   */
  public static MetricsLog resume(Path file, long step) {
    List<String> kept = new ArrayList<>();
    if (Files.isRegularFile(file)) {
      try {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          try {
            Map<String, Object> rec = JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() {});
            Object s = rec.get("step");
            if (s instanceof Number n && n.longValue() <= step && !TYPE_FINAL.equals(rec.get("type"))) {
              kept.add(line);
            }
          } catch (IOException bad) {
            // a line cut by the interruption: dropped
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not read " + file, e);
      }
    }
    AtomicFiles.write(file, String.join("", kept.stream().map(l -> l + "\n").toList()).getBytes(StandardCharsets.UTF_8));
    try {
      return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new UncheckedIOException("could not open " + file, e);
    }
  }

  /**
   * Appends a record.
   *
   * @param record the fields, in order
   */
  public void write(Map<String, Object> record) {
    try {
      out.write(JSON.writeValueAsString(record));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the metrics log", e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not close the metrics log", e);
    }
  }
}

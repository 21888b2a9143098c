package dev.clce.bench.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the tool lets through to the terminal besides its own output. SameDiff 1.0.0-M2.1 prints a
 * line "Added differentiated op NAME" to {@link System#out} for every op while it builds a gradient
 * graph ({@code SameDiff.createGradFunction}), hundreds per training run; {@link #filtering} drops
 * exactly those lines and passes everything else on unchanged. ND4J's start-up warnings (duplicate
 * TF/ONNX op mappings, "No fields found for property") go through slf4j and are silenced by level in
 * {@code simplelogger.properties}, for those two loggers only, so that real warnings and errors of
 * every other logger still show.
 */
final class QuietConsole {

  /** The beginnings of the lines dropped from System.out. */
  static final List<String> DROPPED_PREFIXES = List.of("Added differentiated op ");

  private QuietConsole() {}

  /**
   * A stream that writes whole lines to {@code target}, except lines starting with one of {@link
   * #DROPPED_PREFIXES}.
   *
   * @param target where the other lines go
   * @param dropped counts the dropped lines
   * @return the filtering stream (auto-flushing on line ends)
   */
  static PrintStream filtering(PrintStream target, AtomicLong dropped) {
    return new PrintStream(new LineFilter(target, dropped), true, StandardCharsets.UTF_8);
  }

  /** Buffers one line at a time and forwards it unless it is a dropped one. */
  private static final class LineFilter extends OutputStream {
    private final PrintStream target;
    private final AtomicLong dropped;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineFilter(PrintStream target, AtomicLong dropped) {
      this.target = target;
      this.dropped = dropped;
    }

    @Override
    public synchronized void write(int b) {
      line.write(b);
      if (b == '\n') {
        emit();
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    @Override
    public synchronized void flush() {
      // A partial line (a progress bar redrawn with '\r') is passed on as it is.
      if (line.size() > 0 && !startsDropped()) {
        target.write(line.toByteArray(), 0, line.size());
        line.reset();
      }
      target.flush();
    }

    private boolean startsDropped() {
      String s = line.toString(StandardCharsets.UTF_8);
      for (String p : DROPPED_PREFIXES) {
        if (s.startsWith(p) || p.startsWith(s)) {
          return true;
        }
      }
      return false;
    }

    private void emit() {
      String s = line.toString(StandardCharsets.UTF_8);
      boolean drop = DROPPED_PREFIXES.stream().anyMatch(s::startsWith);
      if (drop) {
        dropped.incrementAndGet();
      } else {
        target.write(line.toByteArray(), 0, line.size());
        target.flush();
      }
      line.reset();
    }
  }
}

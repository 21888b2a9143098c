package dev.clce.bench.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display on standard error: step, epoch, loss, images per second, ETA. On a
 * terminal the line is redrawn in place with {@code \r}; otherwise a full line is printed every
 * {@code every} steps (and at the last one), so that logs stay readable.
 */
public final class ProgressBar {
  private static final int BAR_WIDTH = 24;

  private final PrintStream out;
  private final boolean terminal;
  private final long total;
  private final int every;
  private boolean open;

  /**
   * Creates the display.
   *
   * @param out where to draw (standard error)
   * @param terminal whether {@code out} is a terminal
   * @param total the last step
   * @param every steps between lines when not a terminal, &gt;= 1
   */
  public ProgressBar(PrintStream out, boolean terminal, long total, int every) {
    this.out = out;
    this.terminal = terminal;
    this.total = total;
    this.every = Math.max(1, every);
  }

  /** @return whether standard error looks like a terminal (a console is attached) */
  public static boolean stderrIsTerminal() {
    return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
  }

  /**
   * Shows the state after a step.
   *
   * @param step completed steps
   * @param epoch current epoch (from 0)
   * @param loss the step's loss
   * @param imagesPerSecond training throughput
   * @param etaSeconds estimated seconds left
   */
  public void update(long step, long epoch, double loss, double imagesPerSecond, double etaSeconds) {
    String text = line(step, epoch, loss, imagesPerSecond, etaSeconds);
    if (terminal) {
      out.print("\r" + text + "\u001b[K");
      open = true;
      if (step >= total) {
        finish();
      }
    } else if (step % every == 0 || step >= total || step == 1) {
      out.println(text);
    }
    out.flush();
  }

  /**
   * Prints a message on its own line (ending an open progress line first).
   *
   * @param message the text
   */
  public void message(String message) {
    finish();
    out.println(message);
    out.flush();
  }

  /** Ends the redrawn line. */
  public void finish() {
    if (open) {
      out.println();
      open = false;
    }
  }

  /**
   * Formats the progress line.
   *
   * @param step completed steps
   * @param epoch current epoch
   * @param loss the loss
   * @param imagesPerSecond throughput
   * @param etaSeconds seconds left
   * @return the text
   */
  String line(long step, long epoch, double loss, double imagesPerSecond, double etaSeconds) {
    int filled = total <= 0 ? 0 : (int) Math.min(BAR_WIDTH, BAR_WIDTH * step / total);
    String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
    return String.format(Locale.ROOT, "[%s] step %d/%d  epoch %d  loss %.4f  %.1f img/s  ETA %s", bar, step, total,
        epoch, loss, imagesPerSecond, duration(etaSeconds));
  }

  /**
   * Formats a duration.
   *
   * @param seconds a duration
   * @return {@code h:mm:ss}, or {@code ?} when unknown
   */
  static String duration(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "?";
    }
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}

package dev.clce.bench.report;

import dev.clce.core.internal.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * PNG plots drawn with Java2D (headless): a line plot with error bars, grouped points with intervals,
 * overlaid histograms and a 2-D scatter coloured by class. Each is written atomically (a temporary
 * file in the same directory, then a move).
 */
public final class Plots {
  /** Image width in pixels. */
  public static final int WIDTH = 900;
  /** Image height in pixels. */
  public static final int HEIGHT = 600;
  private static final int LEFT = 90;
  private static final int RIGHT = 200;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;
  /** Colour-blind-safe palette (Okabe-Ito, then a few more). */
  private static final Color[] PALETTE = {new Color(0, 114, 178), new Color(230, 159, 0), new Color(0, 158, 115),
      new Color(204, 121, 167), new Color(86, 180, 233), new Color(213, 94, 0), new Color(240, 228, 66),
      new Color(0, 0, 0), new Color(120, 120, 120), new Color(150, 75, 0)};

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Plots() {}

  /**
   * One line of a line plot.
   *
   * @param name legend entry
   * @param x x values
   * @param y y values (same length as x)
   * @param err half-length of the error bar per point (null or NaN entries for none)
   */
  public record Series(String name, double[] x, double[] y, double[] err) {
    /** Checks lengths. */
    public Series {
      if (x == null || y == null || x.length != y.length || (err != null && err.length != y.length)) {
        throw new IllegalArgumentException("series: x, y and err must have one value per point, got "
            + (x == null ? "null" : x.length) + ", " + (y == null ? "null" : y.length) + ", "
            + (err == null ? "none" : err.length));
      }
    }
  }

  /**
   * A line plot with error bars.
   *
   * @param file the PNG to write
   * @param title the title
   * @param xLabel the x-axis label
   * @param yLabel the y-axis label
   * @param series the lines
   */
  public static void line(Path file, String title, String xLabel, String yLabel, List<Series> series) {
    double[] xr = pad(range(series.stream().map(Series::x).toList(), null));
    double[] yr = range(series.stream().map(Series::y).toList(), series.stream().map(Series::err).toList());
    Canvas c = new Canvas(title, xLabel, yLabel, xr, pad(yr));
    for (int s = 0; s < series.size(); s++) {
      Series se = series.get(s);
      c.g.setColor(PALETTE[s % PALETTE.length]);
      c.g.setStroke(new BasicStroke(2f));
      for (int i = 0; i < se.x().length; i++) {
        int px = c.px(se.x()[i]);
        int py = c.py(se.y()[i]);
        if (i > 0) {
          c.g.drawLine(c.px(se.x()[i - 1]), c.py(se.y()[i - 1]), px, py);
        }
        c.g.fillOval(px - 4, py - 4, 8, 8);
        if (se.err() != null && Double.isFinite(se.err()[i])) {
          int lo = c.py(se.y()[i] - se.err()[i]);
          int hi = c.py(se.y()[i] + se.err()[i]);
          c.g.setStroke(new BasicStroke(1.5f));
          c.g.drawLine(px, lo, px, hi);
          c.g.drawLine(px - 5, lo, px + 5, lo);
          c.g.drawLine(px - 5, hi, px + 5, hi);
          c.g.setStroke(new BasicStroke(2f));
        }
      }
      c.legend(s, se.name());
    }
    c.write(file);
  }

  /**
   * One point of a point-and-interval plot: a mean with an interval and the values behind it.
   *
   * @param group the group along x (for example a batch size)
   * @param name the series within the group (for example a loss), in the legend
   * @param mean the point (NaN: nothing drawn)
   * @param low lower end of the interval
   * @param high upper end of the interval
   * @param values the individual values (for example one per seed), drawn as small open circles
   */
  public record Interval(String group, String name, double mean, double low, double high, double[] values) {
    /** Checks the interval. */
    public Interval {
      if (group == null || name == null) {
        throw new IllegalArgumentException("interval: group and name must be given, got " + group + ", " + name);
      }
      if (Double.isFinite(mean) && !(low <= mean && mean <= high)) {
        throw new IllegalArgumentException("interval: need low <= mean <= high, got " + low + ", " + mean + ", " + high);
      }
      values = values == null ? new double[0] : values.clone();
    }

    /**
     * The mean of a set of values with the interval from the lowest to the highest.
     *
     * @param group the group
     * @param name the series
     * @param values the values (NaN entries make the mean NaN: a missing run draws nothing)
     * @return the interval
     */
    public static Interval ofSeeds(String group, String name, double[] values) {
      double sum = 0;
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double v : values) {
        sum += v;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      double mean = values.length == 0 ? Double.NaN : sum / values.length;
      return Double.isFinite(mean) ? new Interval(group, name, mean, lo, hi, values)
          : new Interval(group, name, Double.NaN, Double.NaN, Double.NaN, values);
    }
  }

  /**
   * A point-and-interval plot: per group, one point per series at its mean with a vertical interval
   * and the individual values beside it. Points are used instead of bars because a bar is read by
   * its length, which only means something on an axis from zero, and accuracies that differ in the
   * second decimal would then look equal; a point can sit on an axis fitted to the data.
   *
   * @param file the PNG to write
   * @param title the title
   * @param yLabel the y-axis label
   * @param points the points; groups and series keep their order of first appearance
   */
  public static void intervals(Path file, String title, String yLabel, List<Interval> points) {
    intervals(file, title, "", yLabel, points, false);
  }

  /**
   * {@link #intervals(Path, String, String, List)} with an x-axis label and, when the groups are
   * ordered values (batch sizes), a thin line joining each series' means from group to group, so that a
   * trend along x can be read.
   *
   * @param file the PNG to write
   * @param title the title
   * @param xLabel the x-axis label ("" for none)
   * @param yLabel the y-axis label
   * @param points the points; groups and series keep their order of first appearance
   * @param connect whether to join each series' means of neighbouring groups (a missing mean breaks the line)
   */
  public static void intervals(Path file, String title, String xLabel, String yLabel, List<Interval> points,
      boolean connect) {
    List<String> groups = new java.util.ArrayList<>();
    List<String> names = new java.util.ArrayList<>();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Interval iv : points) {
      if (!groups.contains(iv.group())) {
        groups.add(iv.group());
      }
      if (!names.contains(iv.name())) {
        names.add(iv.name());
      }
      for (double v : new double[] {iv.mean(), iv.low(), iv.high()}) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      for (double v : iv.values()) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    double[] yr = Double.isFinite(lo) ? pad(hi - lo < 1e-9 ? new double[] {lo - 0.01, hi + 0.01} : new double[] {lo, hi})
        : new double[] {0, 1};
    Canvas c = new Canvas(title, xLabel, yLabel, new double[] {0, Math.max(1, groups.size())}, yr);
    c.noXTicks();
    int nb = names.size();
    double slot = 0.8 / Math.max(1, nb);
    if (connect) {
      for (int b = 0; b < nb; b++) {
        double[] means = new double[groups.size()];
        java.util.Arrays.fill(means, Double.NaN);
        for (Interval iv : points) {
          if (iv.name().equals(names.get(b))) {
            means[groups.indexOf(iv.group())] = iv.mean();
          }
        }
        c.g.setColor(PALETTE[b % PALETTE.length]);
        c.g.setStroke(new BasicStroke(1f));
        for (int g = 1; g < means.length; g++) {
          if (Double.isFinite(means[g - 1]) && Double.isFinite(means[g])) {
            c.g.drawLine(c.px(g - 1 + 0.1 + (b + 0.5) * slot), c.py(means[g - 1]), c.px(g + 0.1 + (b + 0.5) * slot),
                c.py(means[g]));
          }
        }
      }
    }
    for (Interval iv : points) {
      int g = groups.indexOf(iv.group());
      int b = names.indexOf(iv.name());
      if (!Double.isFinite(iv.mean())) {
        continue;
      }
      int mid = c.px(g + 0.1 + (b + 0.5) * slot);
      c.g.setColor(PALETTE[b % PALETTE.length]);
      c.g.setStroke(new BasicStroke(2f));
      int top = c.py(iv.high());
      int bottom = c.py(iv.low());
      c.g.drawLine(mid, top, mid, bottom);
      c.g.drawLine(mid - 6, top, mid + 6, top);
      c.g.drawLine(mid - 6, bottom, mid + 6, bottom);
      c.g.fillOval(mid - 6, c.py(iv.mean()) - 6, 12, 12);
      c.g.setStroke(new BasicStroke(1.2f));
      for (double v : iv.values()) {
        if (Double.isFinite(v)) {
          c.g.drawOval(mid + 10, c.py(v) - 3, 6, 6);
        }
      }
    }
    c.g.setColor(Color.BLACK);
    for (int g = 0; g < groups.size(); g++) {
      c.centred(groups.get(g), c.px(g + 0.5), HEIGHT - BOTTOM + 22);
    }
    for (int b = 0; b < nb; b++) {
      c.legend(b, names.get(b));
    }
    c.write(file);
  }

  /**
   * Overlaid histograms (step outlines over translucent fills) on shared bin edges.
   *
   * @param file the PNG to write
   * @param title the title
   * @param xLabel the x-axis label
   * @param edges bin edges (bins + 1 values)
   * @param names one name per histogram
   * @param densities densities[h][bin]
   */
  public static void histograms(Path file, String title, String xLabel, double[] edges, List<String> names,
      List<double[]> densities) {
    double max = 0;
    for (double[] d : densities) {
      if (d.length != edges.length - 1) {
        throw new IllegalArgumentException("densities: need " + (edges.length - 1) + " bins, got " + d.length);
      }
      for (double v : d) {
        max = Math.max(max, v);
      }
    }
    Canvas c = new Canvas(title, xLabel, "density", new double[] {edges[0], edges[edges.length - 1]},
        new double[] {0, max * 1.1 + 1e-9});
    for (int h = 0; h < densities.size(); h++) {
      Color col = PALETTE[h % PALETTE.length];
      double[] d = densities.get(h);
      for (int b = 0; b < d.length; b++) {
        int x0 = c.px(edges[b]);
        int x1 = c.px(edges[b + 1]);
        int top = c.py(d[b]);
        c.g.setColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 90));
        c.g.fillRect(x0, top, Math.max(1, x1 - x0), c.py(0) - top);
        c.g.setColor(col);
        c.g.setStroke(new BasicStroke(2f));
        c.g.drawLine(x0, top, x1, top);
        if (b > 0) {
          c.g.drawLine(x0, c.py(d[b - 1]), x0, top);
        }
      }
      c.legend(h, names.get(h));
    }
    c.write(file);
  }

  /**
   * A 2-D scatter, one colour per class.
   *
   * @param file the PNG to write
   * @param title the title
   * @param xy n rows of 2 values
   * @param labels n labels in [0, classNames.size())
   * @param classNames legend entries
   */
  public static void scatter(Path file, String title, double[][] xy, int[] labels, List<String> classNames) {
    double[] xs = new double[xy.length];
    double[] ys = new double[xy.length];
    for (int i = 0; i < xy.length; i++) {
      xs[i] = xy[i][0];
      ys[i] = xy[i][1];
    }
    Canvas c = new Canvas(title, "t-SNE 1", "t-SNE 2", pad(range(List.of(xs), null)), pad(range(List.of(ys), null)));
    for (int i = 0; i < xy.length; i++) {
      c.g.setColor(PALETTE[labels[i] % PALETTE.length]);
      c.g.fillOval(c.px(xs[i]) - 3, c.py(ys[i]) - 3, 6, 6);
    }
    for (int k = 0; k < classNames.size(); k++) {
      c.legend(k, classNames.get(k));
    }
    c.write(file);
  }

  private static double[] pad(double[] r) {
    double s = Math.max(r[1] - r[0], 1e-9);
    return new double[] {r[0] - 0.05 * s, r[1] + 0.05 * s};
  }

  private static double[] range(List<double[]> values, List<double[]> errs) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < values.size(); s++) {
      double[] v = values.get(s);
      double[] e = errs == null ? null : errs.get(s);
      for (int i = 0; i < v.length; i++) {
        if (!Double.isFinite(v[i])) {
          continue;
        }
        double ei = e == null || !Double.isFinite(e[i]) ? 0 : e[i];
        lo = Math.min(lo, v[i] - ei);
        hi = Math.max(hi, v[i] + ei);
      }
    }
    if (!Double.isFinite(lo)) {
      return new double[] {0, 1};
    }
    if (hi - lo < 1e-9) {
      return new double[] {lo - 0.5, hi + 0.5};
    }
    return new double[] {lo, hi};
  }

  /** A plot area with axes, ticks, title and legend. */
  private static final class Canvas {
    final BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    final Graphics2D g = img.createGraphics();
    final double[] xr;
    final double[] yr;

    Canvas(String title, String xLabel, String yLabel, double[] xr, double[] yr) {
      this.xr = xr;
      this.yr = yr;
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      centred(title, (LEFT + WIDTH - RIGHT) / 2, 30);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
      g.setStroke(new BasicStroke(1.2f));
      g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
      centred(xLabel, (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 20);
      AffineTransform saved = g.getTransform();
      g.rotate(-Math.PI / 2);
      centred(yLabel, -(TOP + HEIGHT - BOTTOM) / 2, 25);
      g.setTransform(saved);
      for (double t : ticks(yr[0], yr[1])) {
        int y = py(t);
        g.setColor(new Color(225, 225, 225));
        g.drawLine(LEFT + 1, y, WIDTH - RIGHT - 1, y);
        g.setColor(Color.BLACK);
        String s = fmt(t);
        g.drawString(s, LEFT - 8 - g.getFontMetrics().stringWidth(s), y + 5);
      }
      xTicks = true;
    }

    private boolean xTicks;

    void noXTicks() {
      xTicks = false;
    }

    int px(double x) {
      return (int) Math.round(LEFT + (x - xr[0]) / (xr[1] - xr[0]) * (WIDTH - LEFT - RIGHT));
    }

    int py(double y) {
      return (int) Math.round(HEIGHT - BOTTOM - (y - yr[0]) / (yr[1] - yr[0]) * (HEIGHT - TOP - BOTTOM));
    }

    void centred(String s, int x, int y) {
      FontMetrics fm = g.getFontMetrics();
      g.drawString(s, x - fm.stringWidth(s) / 2, y);
    }

    void legend(int index, String name) {
      int y = TOP + 10 + index * 24;
      g.setColor(PALETTE[index % PALETTE.length]);
      g.fillRect(WIDTH - RIGHT + 15, y, 16, 16);
      g.setColor(Color.BLACK);
      Font saved = g.getFont();
      int room = RIGHT - 42;
      float size = saved.getSize2D();
      while (size > 9 && g.getFontMetrics(saved.deriveFont(size)).stringWidth(name) > room) {
        size -= 1;
      }
      g.setFont(saved.deriveFont(size));
      g.drawString(name, WIDTH - RIGHT + 38, y + 13);
      g.setFont(saved);
    }

    void write(Path file) {
      if (xTicks) {
        for (double t : ticks(xr[0], xr[1])) {
          int x = px(t);
          g.drawLine(x, HEIGHT - BOTTOM, x, HEIGHT - BOTTOM + 5);
          centred(fmt(t), x, HEIGHT - BOTTOM + 22);
        }
      }
      g.dispose();
      AtomicFiles.writeStream(file, out -> {
        if (!ImageIO.write(img, "png", out)) {
          throw new IOException("no PNG writer");
        }
      });
    }

    private static double[] ticks(double lo, double hi) {
      double span = hi - lo;
      double raw = span / 6;
      double mag = Math.pow(10, Math.floor(Math.log10(raw)));
      double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
      double first = Math.ceil(lo / step) * step;
      int n = (int) Math.floor((hi - first) / step + 1e-9) + 1;
      double[] t = new double[Math.max(0, n)];
      for (int i = 0; i < t.length; i++) {
        t[i] = first + i * step;
      }
      return t;
    }

    private static String fmt(double v) {
      if (Math.abs(v) < 1e-12) {
        return "0";
      }
      double a = Math.abs(v);
      return a >= 100 ? String.format(Locale.ROOT, "%.0f", v)
          : a >= 1 ? String.format(Locale.ROOT, "%.4g", v).replaceAll("\\.0+$|(\\.\\d*?)0+$", "$1")
          : String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "");
    }
  }
}

package dev.clce.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {

  /** Counts pixels of exactly this RGB colour. */
  private static int count(BufferedImage img, int rgb) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        n += (img.getRGB(x, y) & 0xFFFFFF) == rgb ? 1 : 0;
      }
    }
    return n;
  }

  @Test
  void everyPlotIsAReadablePngWithItsColours(@TempDir Path dir) throws IOException {
    Path line = dir.resolve("line.png");
    Plots.line(line, "lambda", "lambda", "top-1", List.of(
        new Plots.Series("CLCE", new double[] {0, 0.5, 1}, new double[] {0.7, 0.8, 0.75}, new double[] {0.01, 0.02, 0.01})));
    Path bars = dir.resolve("bars.png");
    Plots.intervals(bars, "batch", "top-1", List.of(
        Plots.Interval.ofSeeds("64", "CE", new double[] {0.69, 0.71}),
        Plots.Interval.ofSeeds("64", "SupCon", new double[] {0.58, 0.62}),
        Plots.Interval.ofSeeds("64", "CLCE", new double[] {0.74, 0.76}),
        Plots.Interval.ofSeeds("128", "CE", new double[] {0.71, 0.73}),
        Plots.Interval.ofSeeds("128", "SupCon", new double[] {Double.NaN, 0.6}),
        Plots.Interval.ofSeeds("128", "CLCE", new double[] {0.76, 0.8})));
    Path hist = dir.resolve("hist.png");
    Plots.histograms(hist, "cos", "cosine", new double[] {-1, 0, 1}, List.of("pos", "neg"),
        List.of(new double[] {0.2, 0.8}, new double[] {0.7, 0.3}));
    Path sc = dir.resolve("scatter.png");
    Plots.scatter(sc, "t-SNE", new double[][] {{0, 0}, {1, 1}, {2, 0}}, new int[] {0, 1, 1}, List.of("a", "b"));
    for (Path p : List.of(line, bars, hist, sc)) {
      BufferedImage img = ImageIO.read(p.toFile());
      assertEquals(Plots.WIDTH, img.getWidth(), p.toString());
      assertEquals(Plots.HEIGHT, img.getHeight(), p.toString());
      // The first palette colour (0, 114, 178) is drawn: legend square at least 16 x 16.
      assertTrue(count(img, 0x0072B2) >= 256, p + " has the first series colour");
    }
    // The second series (orange) is drawn beyond its legend square: one point with its interval (the
    // second group's SupCon has a missing seed and draws nothing).
    assertTrue(count(ImageIO.read(bars.toFile()), 0xE69F00) > 16 * 16 + 60, "orange point and interval");
    try (var s = Files.list(dir)) {
      assertEquals(4, s.count(), "no temporary files left");
    }
  }

  @Test
  void intervalOfSeedsSpansMinToMax() {
    Plots.Interval iv = Plots.Interval.ofSeeds("g", "n", new double[] {0.5, 0.8, 0.65});
    assertEquals(0.65, iv.mean(), 1e-15);
    assertEquals(0.5, iv.low());
    assertEquals(0.8, iv.high());
    assertTrue(Double.isNaN(Plots.Interval.ofSeeds("g", "n", new double[] {0.5, Double.NaN}).mean()));
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
        () -> new Plots.Interval("g", "n", 0.9, 0.1, 0.5, null));
    assertTrue(ex.getMessage().startsWith("interval:"), ex.getMessage());
  }

  /** Counts pixels in a band of rows whose colour is nearer the first palette colour (0, 114, 178) than grey. */
  private static int bluish(BufferedImage img, int y0, int y1, int x0, int x1) {
    int n = 0;
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        int c = img.getRGB(x, y);
        int r = (c >> 16) & 0xFF;
        int b = c & 0xFF;
        n += b - r > 60 ? 1 : 0;
      }
    }
    return n;
  }

  @Test
  void connectedIntervalsJoinASeriesFromGroupToGroup(@TempDir Path dir) throws IOException {
    // One series, equal means in three groups: joined, a horizontal line runs between the points; not
    // joined, the space between them is empty. The middle group's missing mean breaks the line.
    List<Plots.Interval> pts = List.of(Plots.Interval.ofSeeds("64", "CE", new double[] {0.5, 0.7, 0.9}),
        Plots.Interval.ofSeeds("128", "CE", new double[] {0.5, 0.7, 0.9}),
        Plots.Interval.ofSeeds("256", "CE", new double[] {Double.NaN, 0.7}));
    Path joined = dir.resolve("joined.png");
    Path apart = dir.resolve("apart.png");
    Plots.intervals(joined, "t", "batch size", "top-1", pts, true);
    Plots.intervals(apart, "t", "top-1", pts);
    BufferedImage j = ImageIO.read(joined.toFile());
    BufferedImage a = ImageIO.read(apart.toFile());
    // Plot area x from 90 to 700, 3 groups of about 203 px, the single series' points at 0.5 of a group:
    // the gap between the first two points (x about 192 and 395), rows around the mean 0.7 (mid-height).
    int yMid = (50 + 600 - 70) / 2;
    int between = bluish(j, yMid - 3, yMid + 3, 230, 360);
    assertTrue(between >= 120, "joined: a line between the first two points, got " + between);
    assertEquals(0, bluish(a, yMid - 3, yMid + 3, 230, 360), "apart: nothing between the points");
    // Between the second and third group nothing is drawn (the third mean is missing).
    assertEquals(0, bluish(j, yMid - 3, yMid + 3, 430, 560), "no line to a missing mean");
  }

  @Test
  void mismatchedSeriesAreRefused() {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
        () -> new Plots.Series("x", new double[] {1, 2}, new double[] {1}, null));
    assertTrue(ex.getMessage().startsWith("series:"), ex.getMessage());
  }
}

package dev.clce.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.bench.train.SyntheticFashion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A short `train` run prints its progress and result, without ND4J's and SameDiff's noise; errors still show. */
class QuietConsoleTest {

  private static final String[] NOISE = {
      "Added differentiated op", "Duplicate TF op mapping", "Duplicate ONNX op mapping", "No fields found for property"};

  @Test
  void trainPrintsNoNoise(@TempDir Path tmp) throws IOException {
    Path data = SyntheticFashion.write(tmp.resolve("data"), 4, 16, 10, 11);
    int threads = SyntheticFashion.singleThreaded();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AtomicLong dropped = new AtomicLong();
    int code;
    try {
      code = ClceCli.run(new String[] {"train", "--data", "fashion-mnist:" + data, "--arch", "resnet18", "--stem", "small",
          "--width", "0.125", "--max-blocks", "1", "--image-size", "8", "--loss", "clce", "--batch", "8", "--steps", "2",
          "--seed", "5", "--out", tmp.resolve("run").toString()},
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), dropped);
    } finally {
      Nd4j.getEnvironment().setMaxThreads(threads);
    }
    String all = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, all);
    // The run built a gradient graph, so SameDiff printed its lines: they were dropped, not absent.
    assertTrue(dropped.get() > 10, "dropped " + dropped.get() + " lines");
    for (String n : NOISE) {
      assertFalse(all.contains(n), "console shows \"" + n + "\":\n" + all);
    }
    assertFalse(out.toString(StandardCharsets.UTF_8).isBlank(), "no result printed:\n" + all);
  }

  @Test
  void startUpWarningsAreOffForTheirTwoLoggersOnly() {
    for (String name : new String[] {
        "org.nd4j.imports.converters.ImportClassMapping", "org.nd4j.autodiff.functions.DifferentialFunction"}) {
      Logger l = LoggerFactory.getLogger(name);
      assertFalse(l.isWarnEnabled(), name);
      assertTrue(l.isErrorEnabled(), name);
    }
    assertTrue(LoggerFactory.getLogger("org.nd4j.linalg.factory.Nd4j").isWarnEnabled());
    assertTrue(LoggerFactory.getLogger("org.deeplearning4j.nn.graph.ComputationGraph").isWarnEnabled());
  }

  @Test
  void errorsStillShow() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ClceCli.run(new String[] {"train", "--data", "fashion-mnist:/no/such/dir", "--steps", "1"},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new AtomicLong());
    assertEquals(ClceCli.EXIT_BAD_INPUT, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("error:"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void otherLinesPassUnchanged() {
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    AtomicLong dropped = new AtomicLong();
    PrintStream p = QuietConsole.filtering(new PrintStream(target, true, StandardCharsets.UTF_8), dropped);
    p.println("step 1 loss 2.5");
    p.println("Added differentiated op matmul_1");
    p.print("Added differentiated op a\nWARN real warning\n");
    p.println("Added something else");
    p.flush();
    assertEquals("step 1 loss 2.5\nWARN real warning\nAdded something else\n", target.toString(StandardCharsets.UTF_8)
        .replace(System.lineSeparator(), "\n"));
    assertEquals(2, dropped.get());
  }
}

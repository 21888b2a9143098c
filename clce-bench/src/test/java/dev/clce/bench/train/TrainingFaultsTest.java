package dev.clce.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.bench.data.DataSpec;
import dev.clce.core.loss.LossInputException;
import dev.clce.core.loss.LossKind;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Training under faults: non-finite values stop a run before they are applied or saved; unwritable run directories. */
class TrainingFaultsTest {
  private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
  @RegisterExtension static final SyntheticFashionData DATA = new SyntheticFashionData(4, 24, 10, 7);

  /** {@link TrainerTest#tiny} on this class's data. */
  private static TrainConfig tiny(LossKind loss, long steps) {
    return TrainerTest.tiny(DATA.dir(), loss, steps);
  }

  /** Records the SHA-256 of each checkpoint file as it is written (runs after the checkpoint listener). */
  private static final class CheckpointHashes implements TrainingListener {
    final Map<Long, String> byStep = new TreeMap<>();

    @Override
    public void onStep(Trainer trainer, StepEvent s) {
      Path f = Checkpoint.path(trainer.dir(), s.step());
      if (Files.exists(f)) {
        byStep.put(s.step(), sha256(f));
      }
    }
  }

  static String sha256(Path f) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** SGD whose learning rate grows over a warm-up to one at which the run diverges within a few steps. */
  private static TrainConfig diverging(boolean chunked, double lr) {
    TrainConfig c = tiny(LossKind.CLCE, 12).withRun(RunPolicy.DEFAULT.withCheckpointEvery(1));
    c = c.withOptimizer(OptimizerConfig.of(OptimizerKind.SGD, lr).withWarmupSteps(10));
    return chunked ? c.withBudget(c.budget().withChunk(4)) : c;
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aDivergingRunStopsAtTheStepAndKeepsTheLastGoodCheckpoint(boolean chunked, @TempDir Path dir) throws IOException {
    Trainer t = Trainer.create(diverging(chunked, 1e20), dir, false, QUIET);
    CheckpointHashes hashes = new CheckpointHashes();
    t.addListener(hashes);
    NonFiniteException e = assertThrows(NonFiniteException.class, t::run);
    long bad = e.step();
    if (e.where() == NonFiniteException.Where.LOSS_INPUT) {
      LossInputException cause = assertInstanceOf(LossInputException.class, e.getCause(), e.getMessage());
      assertEquals(LossInputException.Rule.NON_FINITE, cause.rule());
    }
    assertTrue(bad >= 2 && bad < 12, "diverged at step " + bad + " (" + e.getMessage() + ")");
    assertTrue(e.getMessage().startsWith("training stopped at step " + bad + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(e.where() == NonFiniteException.Where.LOSS ? "the loss is"
        : e.where() == NonFiniteException.Where.GRADIENT ? "the gradient of parameter " + e.name()
        : e.where() == NonFiniteException.Where.PARAMETER ? "parameter " + e.name()
        : "the loss refused the model's output (embeddings: must be finite"), e.getMessage());
    // The newest checkpoint on disk is the one written after the step before, byte for byte.
    Path newest = Checkpoint.newest(dir).orElseThrow();
    assertEquals(bad - 1, Checkpoint.stepOf(newest), "newest checkpoint " + newest + ", failure " + e.getMessage());
    assertEquals(hashes.byStep.get(bad - 1), sha256(newest));
    for (Path p : Checkpoint.list(dir)) {
      assertTrue(Checkpoint.stepOf(p) < bad, "checkpoint of the bad step or later: " + p);
    }
    assertFalse(Files.exists(dir.resolve(TrainNames.FINAL_JSON)), "final.json written");
    assertTrue(files(dir).stream().noneMatch(n -> n.startsWith(".")), "temporary files left: " + files(dir));
    // The run resumes from that checkpoint (and, with the same learning rate, stops at the same step).
    Trainer again = Trainer.create(diverging(chunked, 1e20), dir, true, QUIET);
    assertEquals(bad - 1, again.step());
    NonFiniteException e2 = assertThrows(NonFiniteException.class, again::run);
    assertEquals(e.getMessage(), e2.getMessage());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void anUpdateThatOverflowsAParameterIsNeverCheckpointed(boolean chunked, @TempDir Path dir) throws IOException {
    // 1e40 / 10 exceeds the largest float: the first update turns parameters infinite (or NaN)
    // although the loss and every gradient of step 1 were finite.
    NonFiniteException e = assertThrows(NonFiniteException.class,
        () -> Trainer.create(diverging(chunked, 1e40), dir, false, QUIET).run());
    assertEquals(1, e.step(), e.getMessage());
    assertEquals(NonFiniteException.Where.PARAMETER, e.where(), e.getMessage());
    assertTrue(e.getMessage().startsWith("training stopped at step 1: parameter " + e.name() + " holds "), e.getMessage());
    assertEquals(List.of(), Checkpoint.list(dir));
    assertFalse(Files.exists(dir.resolve(TrainNames.FINAL_JSON)), "final.json written");
    assertTrue(files(dir).stream().noneMatch(n -> n.startsWith(".")), "temporary files left: " + files(dir));
  }

  /**
   * Only the loss's non-finite refusal means a diverged model: an IllegalArgumentException of a bug,
   * or another refusal of the loss (here a label beyond the head's classes, through the real loss),
   * reaches the caller as it was thrown, not as a NonFiniteException.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void otherExceptionsOfAStepAreNotReportedAsDivergence(boolean chunked, @TempDir Path tmp) {
    TrainConfig c = tiny(LossKind.CLCE, 4);
    TrainConfig config = chunked ? c.withBudget(c.budget().withChunk(4)) : c;
    IllegalArgumentException bug = new IllegalArgumentException("width: a bug, got -1");
    Trainer t = Trainer.create(config, tmp.resolve("bug"), false, QUIET);
    t.wrapStep(step -> (batch, globalStep, epoch) -> {
      if (globalStep == 1) {
        throw bug;
      }
      return step.run(batch, globalStep, epoch);
    });
    assertSame(bug, assertThrows(IllegalArgumentException.class, t::run));
    assertEquals(1, t.step());

    Trainer u = Trainer.create(config, tmp.resolve("labels"), false, QUIET);
    int classes = u.data().numClasses();
    u.wrapStep(step -> (batch, globalStep, epoch) -> {
      batch.labels().putScalar(1, classes);
      return step.run(batch, globalStep, epoch);
    });
    LossInputException e = assertThrows(LossInputException.class, u::run);
    assertEquals(LossInputException.Rule.LABEL, e.rule(), e.getMessage());
    assertTrue(e.getMessage().startsWith("labels: must be < C = " + classes), e.getMessage());
    assertEquals(0, u.step());
  }

  @Test
  void theCheckNamesTheLossOrTheFirstBadGradientInParameterOrder() {
    List<String> names = List.of("a", "b", "c");
    try (INDArray a = Nd4j.ones(DataType.FLOAT, 3); INDArray b = Nd4j.createFromArray(1f, Float.NaN, 2f);
        INDArray c = Nd4j.createFromArray(Float.POSITIVE_INFINITY, 0f);
        INDArray big = Nd4j.createFromArray(3e38f, 3e38f, -1f)) {
      FiniteCheck.check(4, 1.5, Map.of("a", a), names); // b and c have no gradient: skipped
      FiniteCheck.check(4, 1.5, Map.of("a", big), names); // the sum overflows, every entry is finite
      NonFiniteException loss = assertThrows(NonFiniteException.class,
          () -> FiniteCheck.check(7, Double.POSITIVE_INFINITY, Map.of("b", b), names));
      assertEquals(NonFiniteException.Where.LOSS, loss.where());
      assertEquals(7, loss.step());
      assertTrue(loss.getMessage().startsWith("training stopped at step 7: the loss is Infinity"), loss.getMessage());
      NonFiniteException grad = assertThrows(NonFiniteException.class,
          () -> FiniteCheck.check(9, 1.5, Map.of("a", a, "c", c, "b", b), names));
      assertEquals(NonFiniteException.Where.GRADIENT, grad.where());
      assertEquals("b", grad.name());
      assertTrue(grad.getMessage().startsWith("training stopped at step 9: the gradient of parameter b holds NaN"),
          grad.getMessage());
      NonFiniteException inf = assertThrows(NonFiniteException.class,
          () -> FiniteCheck.check(9, 1.5, Map.of("c", c), names));
      assertTrue(inf.getMessage().contains("parameter c holds infinite values"), inf.getMessage());
      assertNull(FiniteCheck.nonFinite(big));
    }
  }

  @Test
  void aRunDirectoryUnderARegularFileIsRefusedBeforeTheDataIsRead(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("full"), "x");
    // the data directory does not exist either: the run directory is checked first
    TrainConfig c = tiny(LossKind.CE, 2).withData(DataConfig.of(DataSpec.parse("fashion-mnist:"
        + tmp.resolve("no-data"))).withImageSize(14));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Trainer.create(c, file.resolve("run"), false, QUIET));
    assertEquals("out: " + file.resolve("run") + " cannot be created: " + file.toAbsolutePath() + " is not a directory",
        e.getMessage());
    assertEquals(List.of("full"), files(tmp));
  }

  @Test
  void aReadOnlyRunDirectoryIsRefusedBeforeTheDataIsRead(@TempDir Path tmp) throws IOException {
    Path ro = Files.createDirectory(tmp.resolve("ro"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      boolean writable;
      try {
        Files.delete(Files.createFile(ro.resolve("probe")));
        writable = true;
      } catch (IOException expected) {
        writable = false;
      }
      Assumptions.assumeFalse(writable, "running as root: permissions do not stop writes (the regular-file test covers this)");
      TrainConfig c = tiny(LossKind.CE, 2).withData(DataConfig.of(DataSpec.parse("fashion-mnist:"
          + tmp.resolve("no-data"))).withImageSize(14));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Trainer.create(c, ro.resolve("run"), false, QUIET));
      assertTrue(e.getMessage().startsWith("out: " + ro.toAbsolutePath() + " is not writable (needed to create "
          + ro.resolve("run") + ")"), e.getMessage());
      assertEquals(List.of(), files(ro));
    } finally {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void aCheckpointThatCannotBeWrittenNamesItsFileAndTheOneBeforeSurvives(@TempDir Path dir) throws IOException {
    TrainConfig c = tiny(LossKind.CLCE, 6).withRun(RunPolicy.DEFAULT.withCheckpointEvery(2));
    Trainer t = Trainer.create(c, dir, false, QUIET);
    CheckpointHashes hashes = new CheckpointHashes();
    t.addListener(hashes);
    // The place of the step-4 checkpoint is taken by a non-empty directory: its final rename fails,
    // as a write to a full or read-only disk fails, whoever runs the test.
    Path blocked = Checkpoint.path(dir, 4);
    Files.createDirectories(blocked);
    Files.writeString(blocked.resolve("x"), "x");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, t::run);
    assertTrue(e.getMessage().startsWith("could not write " + blocked + ": "), e.getMessage());
    Path two = Checkpoint.path(dir, 2);
    assertEquals(hashes.byStep.get(2L), sha256(two));
    Checkpoint read = Checkpoint.read(two);
    assertEquals(2, read.step());
    read.release();
    assertFalse(Files.exists(dir.resolve(TrainNames.FINAL_JSON)));
    assertTrue(files(dir).stream().noneMatch(n -> n.startsWith(".")), "temporary files left: " + files(dir));
  }
}

package dev.clce.bench.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clce.bench.train.TrainConfig;
import dev.clce.bench.train.TrainJson;
import dev.clce.bench.train.TrainResult;
import dev.clce.bench.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clce train}: trains an encoder with a loss on two augmented views per image.
 *
 * <pre>
 * ./clce train --data fashion-mnist --arch resnet18 --stem small --loss clce --batch 64 --epochs 10 \
 *     --seed 1 --optimizer sgd --lr 0.05 --classes 0,1,2,3,4 --checkpoint-every 500 --out runs/clce
 * </pre>
 *
 * <p>Writes {@code DIR/config.json}, {@code DIR/metrics.jsonl}, checkpoints and {@code DIR/final.json}
 * (see {@link Trainer}); prints the final summary (one JSON object with {@code --json}). Every
 * argument is checked before any work; bad input exits with code 2 and one line naming it.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train an encoder with a loss on two augmented views per image; checkpoints, metrics, resume.")
public final class TrainCommand implements Callable<Integer> {

  /** Default window of ND4J's periodic garbage collection (see docs/MEMORY.md). */
  public static final int DEFAULT_GC_WINDOW_MS = 0;

  @Spec CommandSpec spec;

  @Mixin DataMixin data = new DataMixin();

  @Option(names = "--arch", required = true, paramLabel = "ARCH", completionCandidates = CliTypes.Archs.class,
      description = "${COMPLETION-CANDIDATES}")
  String arch;

  @Mixin ModelOptionsMixin model = new ModelOptionsMixin();

  @Mixin LossMixin loss = new LossMixin();

  @Mixin OptimizerMixin optimizer = new OptimizerMixin();

  @Mixin BudgetMixin budget = new BudgetMixin();

  @Option(names = "--seed", paramLabel = "N", description = "seed of initialisation, sampling, augmentation (default ${DEFAULT-VALUE})")
  long seed;

  @Mixin RunPolicyMixin run = new RunPolicyMixin();

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory")
  Path out;

  @Option(names = "--resume", description = "continue from the newest checkpoint in --out (a fresh start if there is none)")
  boolean resume;

  @Option(names = "--gc-window-ms", paramLabel = "MS",
      description = "ND4J periodic garbage collection at most every MS ms, 0 = off (default ${DEFAULT-VALUE}); "
          + "frees the native memory of dead arrays that only a full collection would reach")
  int gcWindowMs = DEFAULT_GC_WINDOW_MS;

  @Option(names = "--json", description = "print final.json instead of a one-line summary")
  boolean json;

  /**
   * The validated configuration from the command line: each part checks itself, then the rules
   * between them (and the encoder options against the architecture) are checked.
   *
   * @return the configuration
   * @throws IllegalArgumentException naming the bad option
   */
  TrainConfig config() {
    return new TrainConfig(data.config(), new CliTypes.Archs().parse(arch), model.builder().build(), loss.config(null), optimizer.config(),
        budget.config(), seed, run.config());
  }

  @Override
  public Integer call() throws Exception {
    TrainConfig c = config();
    if (out.toString().isBlank()) {
      throw new IllegalArgumentException("out: must name a directory");
    }
    if (gcWindowMs < 0) {
      throw new IllegalArgumentException("gc-window-ms: must be >= 0 (0 = off), got " + gcWindowMs);
    }
    if (gcWindowMs > 0) {
      Nd4j.getMemoryManager().setAutoGcWindow(gcWindowMs);
      Nd4j.getMemoryManager().togglePeriodicGc(true);
    } else {
      Nd4j.getMemoryManager().togglePeriodicGc(false);
    }
    TrainResult r = Trainer.create(c, out, resume, System.err).run();
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      w.println(TrainJson.mapper().writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
    } else {
      w.printf(Locale.ROOT, "steps %d  test_top1 %.4f  nearest_centroid_top1 %.4f  weights_sha256 %s  -> %s%n",
          r.steps(), r.scores().headTop1(), r.scores().nearestCentroidTop1(), r.weightsSha256(), out);
    }
    w.flush();
    return 0;
  }
}

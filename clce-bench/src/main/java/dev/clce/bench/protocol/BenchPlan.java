package dev.clce.bench.protocol;

import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arms of every section of a preset, without duplicates (an arm shared by two sections, such as
 * CLCE at lambda 0.9 and batch 64 in the batch-size study and the lambda sweep, runs once).
 *
 * <p>Sections and their arms:
 * <ol>
 *   <li>batch size: CE, SupCon, CLCE x batches x seeds, transfer from the pretrained encoder, and the
 *       same from scratch; with the preset's {@code chunkCheck}, CLCE at the largest batch also in one
 *       pass (transfer, same seeds);</li>
 *   <li>few-shot: CE, CE+SupCon (same lambda as CLCE), H-SCL, CLCE fine-tuned on the base classes;</li>
 *   <li>lambda: CLCE at each lambda, transfer, first batch size;</li>
 *   <li>ablation: CE, CE+CL (same lambda as CLCE) and CLCE (= CE+CL+HNM);</li>
 *   <li>embedding quality: the CE and CLCE transfer encoders of section 1 at the first batch size.</li>
 * </ol>
 *
 * <p>Every arm takes its chunk from the preset's chunk rule ({@link BenchPreset#chunkFor}), but the
 * one-pass CLCE arms of the chunk check.
 */
public final class BenchPlan {
  /** Label of CE. */
  public static final String CE = "CE";
  /** Label of SupCon. */
  public static final String SUPCON = "SupCon";
  /** Label of H-SCL. */
  public static final String HSCL = "H-SCL";
  /** Label of CLCE. */
  public static final String CLCE = "CLCE";
  /** Label of (1 - lambda) CE + lambda SupCon, the paper's few-shot baseline. */
  public static final String CE_SUPCON = "CE+SupCon";
  /** Label of (1 - lambda) CE + lambda CL: the ablation without hard-negative mining. */
  public static final String CE_CL = "CE+CL";
  /** Label of the chunk check's arm: CLCE at the largest batch in one pass (BatchNorm over the whole batch). */
  public static final String CLCE_ONE_PASS = "CLCE (one pass)";

  private final BenchPreset preset;
  private final Map<String, Arm> arms = new LinkedHashMap<>();

  /**
   * The plan of a preset.
   *
   * @param preset the preset
   */
  public BenchPlan(BenchPreset preset) {
    this.preset = preset;
    int b0 = preset.smallestBatch();
    if (preset.weights() == null) {
      add(arm(Arm.Phase.PRETRAIN, CE, ce(), b0, 0));
    }
    for (int b : preset.batches()) {
      for (long s : preset.seeds()) {
        for (String l : List.of(CE, SUPCON, CLCE)) {
          add(arm(Arm.Phase.TRANSFER, l, loss(l), b, s));
        }
      }
    }
    if (preset.chunkCheck()) {
      for (long s : preset.seeds()) {
        add(new Arm(Arm.Phase.TRANSFER, CLCE_ONE_PASS, loss(CLCE), preset.largestBatch(), 0, s));
      }
    }
    for (double lam : preset.lambdas()) {
      for (long s : preset.lambdaSeeds()) {
        add(arm(Arm.Phase.TRANSFER, CLCE + " lambda " + lam, clce(lam), b0, s));
      }
    }
    for (long s : preset.seeds()) {
      add(arm(Arm.Phase.TRANSFER, CE_CL, loss(CE_CL), b0, s));
    }
    for (long s : preset.fewShotSeeds()) {
      for (String l : List.of(CE, CE_SUPCON, HSCL, CLCE)) {
        add(arm(Arm.Phase.BASE_FINETUNE, l, loss(l), b0, s));
      }
    }
    if (preset.scratch()) {
      for (int b : preset.batches()) {
        for (long s : preset.seeds()) {
          for (String l : List.of(CE, SUPCON, CLCE)) {
            add(arm(Arm.Phase.SCRATCH, l, loss(l), b, s));
          }
        }
      }
    }
  }

  /**
   * An arm with the chunk of the preset's chunk rule.
   *
   * @param phase the phase
   * @param label the label
   * @param loss the loss
   * @param batch the batch
   * @param seed the seed
   * @return the arm
   */
  public Arm arm(Arm.Phase phase, String label, LossConfig loss, int batch, long seed) {
    return new Arm(phase, label, loss, batch, preset.chunkFor(batch), seed);
  }

  private void add(Arm a) {
    arms.putIfAbsent(a.key(), a);
  }

  /** @return every arm once, in running order */
  public List<Arm> arms() {
    return new ArrayList<>(arms.values());
  }

  /**
   * The loss of a label.
   *
   * @param label one of the label constants
   * @return its configuration with the preset's tau and lambda
   */
  public LossConfig loss(String label) {
    return switch (label) {
      case CE -> ce();
      case SUPCON -> LossConfig.builder(LossKind.SUPCON).optTau(preset.tau()).build();
      case HSCL -> LossConfig.builder(LossKind.HSCL).optTau(preset.tau()).build();
      case CE_SUPCON -> LossConfig.builder(LossKind.CE_SUPCON).optTau(preset.tau()).optLambda(preset.lambda()).build();
      case CE_CL -> LossConfig.builder(LossKind.CE_CL).optTau(preset.tau()).optLambda(preset.lambda()).build();
      case CLCE -> clce(preset.lambda());
      default -> throw new IllegalArgumentException("label: unknown loss '" + label + "'");
    };
  }

  /** @return CE (tau at its default: CE does not read it) */
  public LossConfig ce() {
    return LossConfig.builder(LossKind.CE).build();
  }

  /**
   * CLCE at a lambda.
   *
   * @param lambda the lambda
   * @return the configuration with the preset's tau
   */
  public LossConfig clce(double lambda) {
    return LossConfig.builder(LossKind.CLCE).optTau(preset.tau()).optLambda(lambda).build();
  }

  /**
   * Whether an arm's test embeddings are measured (isotropy; the first seed's are kept for plots).
   *
   * @param arm a transfer arm
   * @return true for CE and CLCE at the first batch size
   */
  public boolean keepsEmbeddings(Arm arm) {
    return arm.phase() == Arm.Phase.TRANSFER && arm.batch() == preset.smallestBatch()
        && (arm.loss().equals(ce()) || arm.loss().equals(clce(preset.lambda())));
  }

  /**
   * The estimated cost of an arm in image-passes (a training view counts 3: forward and backward; 4
   * in a chunked step, which runs the forward pass twice), plus a fixed overhead per run, for the ETA.
   *
   * @param arm the arm
   * @return the cost in arbitrary units
   */
  public double cost(Arm arm) {
    int nBase = preset.baseClasses().size();
    int nNovel = preset.novelClasses().size();
    long steps;
    double evalImages;
    switch (arm.phase()) {
      case PRETRAIN, BASE_FINETUNE -> {
        // The trainer evaluates at every epoch end and at the end: train and test subsets each time.
        double train = nBase * (double) (preset.pretrainPerClass() > 0 ? preset.pretrainPerClass() : 6000);
        steps = arm.phase() == Arm.Phase.PRETRAIN ? preset.pretrainSteps() : preset.baseFinetuneSteps();
        long perEpoch = Math.max(1, (long) (train / arm.batch()));
        evalImages = (steps / perEpoch + 1) * (train + nBase * preset.testPerClass())
            + (arm.phase() == Arm.Phase.BASE_FINETUNE ? 2.0 * nNovel * preset.testPerClass() : 0);
      }
      default -> {
        long perEpoch = Math.max(1, (long) nNovel * preset.labelledPerClass() / arm.batch());
        steps = perEpoch * preset.transferEpochs();
        evalImages = preset.transferEpochs() * (double) nNovel * (preset.labelledPerClass() + preset.testPerClass());
      }
    }
    return steps * arm.batch() * 2.0 * (arm.chunk() > 0 ? 4.0 : 3.0) + evalImages + 60_000;
  }

  /**
   * Words for a phase in the progress line.
   *
   * @param phase the phase
   * @return a short description
   */
  public static String describe(Arm.Phase phase) {
    return switch (phase) {
      case PRETRAIN -> "CE pretraining (base classes)";
      case TRANSFER -> "transfer (novel classes)";
      case SCRATCH -> "from scratch (novel classes)";
      case BASE_FINETUNE -> "base fine-tuning for few-shot";
    };
  }
}

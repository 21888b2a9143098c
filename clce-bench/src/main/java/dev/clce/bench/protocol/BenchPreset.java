package dev.clce.bench.protocol;

import dev.clce.bench.data.DataSpec;
import dev.clce.models.Arch;
import dev.clce.models.Stem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every size and budget of a bench run. Every arm of a section uses the same budget and the same
 * seeds; the budget of a transfer arm is a number of epochs over the labelled set (so batch 128 takes
 * half the steps of batch 64 and sees the same images).
 *
 * <p>The chunk rule ({@link #chunkFor}): a batch larger than {@code chunk} images is taken through the
 * encoder in chunks of {@code chunk} images (gradient caching, {@link dev.clce.bench.train.Budget#chunk()});
 * a smaller one in one pass. So no step holds the activations of more than {@code chunk} images, the
 * memory of a plain step at that batch, whatever the batch: the bench studies large batches at a fixed
 * memory budget, as a device with little memory would have to. The loss still sees the whole batch; only
 * BatchNorm in training mode normalises per chunk, which {@code chunkCheck} measures.
 *
 * @param name preset name (quick, default, paper, tiny)
 * @param note what the preset is for, printed in the report
 * @param data the dataset
 * @param baseClasses classes of the pretraining and of the few-shot fine-tuning
 * @param novelClasses classes of the transfer task and of the few-shot episodes
 * @param arch the encoder
 * @param stem its stem
 * @param width channel-width multiplier
 * @param maxBlocks blocks per stage cap (0 = the architecture's)
 * @param imageSize input size (images are cropped and resized to it)
 * @param weights safetensors file replacing CE pretraining (the paper preset), or null
 * @param tau temperature of every contrastive loss
 * @param lambda CLCE's lambda (and CE+X's)
 * @param lr Adam learning rate of fine-tuning and from-scratch training
 * @param pretrainLr Adam learning rate of the pretraining
 * @param pretrainSteps steps of CE pretraining on the base classes (batch {@code batches.get(0)})
 * @param pretrainPerClass base-class training images used by the pretraining
 * @param labelledPerClass labelled novel-class images per class for transfer
 * @param testPerClass test images per class for every evaluation
 * @param transferEpochs epochs over the labelled set for each transfer arm
 * @param baseFinetuneSteps steps of base-class fine-tuning for the few-shot arms (batch 64)
 * @param batches the batch sizes of the batch-size study, increasing (the first is used elsewhere)
 * @param chunk the chunk rule: images per chunk of every batch larger than this; 0 = never chunked
 * @param chunkCheck whether CLCE at the largest batch also runs in one pass (BatchNorm over the whole
 *     batch) beside its chunked arms, same seeds, so that the report can compare the two paired over
 *     seeds; needs the largest batch to be chunked by the rule
 * @param seeds seeds of the batch-size study and ablation (at least 2 for the t-test)
 * @param lambdaSeeds seeds of the lambda sweep
 * @param fewShotSeeds seeds of the few-shot arms
 * @param lambdas the lambda values of the sweep
 * @param episodes few-shot episodes per K
 * @param tsnePoints test embeddings in the t-SNE map
 * @param tsneIterations t-SNE gradient steps
 * @param scratch whether the from-scratch variant of the batch-size study is run
 */
public record BenchPreset(String name, String note, DataSpec data, List<Integer> baseClasses, List<Integer> novelClasses,
    Arch arch, Stem stem, double width, int maxBlocks, int imageSize, java.nio.file.Path weights, double tau,
    double lambda, double lr, double pretrainLr, int pretrainSteps, int pretrainPerClass, int labelledPerClass,
    int testPerClass, int transferEpochs, int baseFinetuneSteps, List<Integer> batches, int chunk,
    boolean chunkCheck, List<Long> seeds,
    List<Long> lambdaSeeds, List<Long> fewShotSeeds, List<Double> lambdas, int episodes, int tsnePoints,
    int tsneIterations, boolean scratch) {

  /** The paper's lambda sweep (Fig. 2). */
  public static final List<Double> PAPER_LAMBDAS = List.of(0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0);
  /** Fashion-MNIST base classes: T-shirt/top, Trouser, Pullover, Dress, Coat. */
  public static final List<Integer> FASHION_BASE = List.of(0, 1, 2, 3, 4);
  /** Fashion-MNIST novel classes: Sandal, Shirt, Sneaker, Bag, Ankle boot. */
  public static final List<Integer> FASHION_NOVEL = List.of(5, 6, 7, 8, 9);

  /**
   * The chunk rule of the CPU presets: 128 images, the largest batch the study took in one pass before
   * it had chunks, so its larger batches need no more memory per step than batch 128 did.
   */
  public static final int CPU_CHUNK = 128;

  /** Checks the fields that the runner relies on. */
  public BenchPreset {
    if (seeds == null || seeds.size() < 2) {
      throw new IllegalArgumentException("seeds: need at least 2 for the paired t-test, got " + seeds);
    }
    if (batches == null || batches.isEmpty()) {
      throw new IllegalArgumentException("batches: need at least one batch size, got " + batches);
    }
    for (int i = 0; i < batches.size(); i++) {
      if (batches.get(i) < 2 || (i > 0 && batches.get(i) <= batches.get(i - 1))) {
        throw new IllegalArgumentException("batches: need increasing batch sizes >= 2, got " + batches);
      }
    }
    if (chunk < 0) {
      throw new IllegalArgumentException("chunk: must be >= 1 images, or 0 for never chunked, got " + chunk);
    }
    int largest = batches.get(batches.size() - 1);
    if (chunkCheck && !(chunk > 0 && largest > chunk)) {
      throw new IllegalArgumentException("chunkCheck: compares chunks with one pass at the largest batch, but batch "
          + largest + " is not chunked (chunk " + chunk + ")");
    }
    if (baseClasses == null || novelClasses == null || novelClasses.size() < 5 || baseClasses.size() < 2) {
      throw new IllegalArgumentException("classes: need at least 2 base and 5 novel classes (5-way episodes), got "
          + baseClasses + " / " + novelClasses);
    }
  }

  /**
   * The 10-minute preset on 2 cores: every section present, 2 seeds, 1 seed for the sweep and the
   * few-shot arms, tiny budgets: its numbers show the plumbing, not the paper's claims.
   *
   * @param data the dataset
   * @return the preset
   */
  public static BenchPreset quick(DataSpec data) {
    return new BenchPreset("quick", "at most 10 minutes on 2 cores; 2 seeds (1 for the lambda sweep and few-shot), "
        + "budgets of tens of steps: every section is present, differences between losses are mostly noise",
        data, FASHION_BASE, FASHION_NOVEL, Arch.RESNET18, Stem.SMALL, 0.125, 1, 16, null, 0.5, 0.9, 2e-3, 3e-3, 200,
        1000, 200, 100, 2, 40, List.of(64, 128, 256), CPU_CHUNK, true, List.of(1L, 2L), List.of(1L), List.of(1L),
        PAPER_LAMBDAS, 300, 300, 500, true);
  }

  /**
   * The default preset: at most 90 minutes on 2 cores (estimated from the quick preset's measured step
   * times, not measured), 5 seeds (3 for the lambda sweep and the few-shot arms).
   *
   * @param data the dataset
   * @return the preset
   */
  public static BenchPreset standard(DataSpec data) {
    return new BenchPreset("default", "at most 90 minutes on 2 cores (estimated, see docs/BENCH.md); 5 seeds (3 for "
        + "the lambda sweep and few-shot)", data, FASHION_BASE, FASHION_NOVEL, Arch.RESNET18, Stem.SMALL, 0.25, 1, 16,
        null, 0.5, 0.9, 1e-3, 3e-3, 1000, 2000, 300, 300, 4, 200, List.of(64, 128, 256, 512, 1024), CPU_CHUNK, true,
        List.of(1L, 2L, 3L, 4L, 5L), List.of(1L, 2L, 3L), List.of(1L, 2L, 3L), PAPER_LAMBDAS, 1000, 1000, 1000, true);
  }

  /**
   * The paper's setting (Section 4): ResNet-101 at 224 px from imported pretrained weights, tau 0.5,
   * lambda 0.9, batch 64 and 128, 3 seeds. For a GPU with the {@code cuda} profile; the pretrained
   * weights replace the CE pretraining, and the data must be RGB (for example {@code cifar100:DIR},
   * classes 0-49 base, 50-99 novel).
   *
   * @param data an RGB dataset with at least 100 classes
   * @param arch {@link Arch#RESNET101} or {@link Arch#VIT_B_16}
   * @param weights torchvision-named safetensors weights of that architecture
   * @return the preset
   */
  public static BenchPreset paper(DataSpec data, Arch arch, java.nio.file.Path weights) {
    requirePaper(arch, weights);
    return new BenchPreset("paper", "the paper's setting; for a GPU (-Pcuda)", data, paperBase(data),
        paperNovel(data), arch, Stem.IMAGENET, 1.0, 0, 224, weights, 0.5, 0.9, 1e-4, 1e-4, 0, 0, 100, 100, 10, 2000,
        List.of(64, 128), 0, false, List.of(1L, 2L, 3L), List.of(1L, 2L, 3L), List.of(1L, 2L, 3L), PAPER_LAMBDAS, 3000,
        1000,
        1000, true);
  }

  /**
   * The paper preset's code path at a budget a CPU finishes: the same architectures, stem, imported
   * weights, optimiser and sections, but 32 px input, one batch size (8), 2 seeds (1 for few-shot), a
   * few steps per arm, the lambda sweep reduced to CLCE's lambda and no from-scratch arms: 12 runs, the
   * fewest that reach every section and a paired test. It exists so that the first GPU user does not
   * meet the paper path's first failure; its numbers mean nothing.
   *
   * @param data a dataset with 10 classes (Fashion-MNIST split) or at least 100 (0-49 base, 50-99 novel)
   * @param arch {@link Arch#RESNET101} or {@link Arch#VIT_B_16}
   * @param weights torchvision-named safetensors weights of that architecture at this preset's input
   * @return the preset
   */
  public static BenchPreset paperSmoke(DataSpec data, Arch arch, java.nio.file.Path weights) {
    requirePaper(arch, weights);
    return new BenchPreset("paper-smoke", "the paper preset's code path (architecture, stem, imported weights) at a "
        + "smoke-test budget: 32 px, batch 8, a few steps per arm; its numbers mean nothing", data,
        paperBase(data), paperNovel(data), arch, Stem.IMAGENET, 1.0, 0, SMOKE_IMAGE_SIZE, weights, 0.5, 0.9, 1e-4,
        1e-4, 0, 8, 8, 10, 1, 2, List.of(8), 0, false, List.of(1L, 2L), List.of(1L), List.of(1L), List.of(0.9), 20, 50, 100,
        false);
  }

  /** Input size of {@link #paperSmoke}: a 16 px ViT patch grid of 2 x 2, ResNet-101's last stage at 1 x 1. */
  public static final int SMOKE_IMAGE_SIZE = 32;

  private static void requirePaper(Arch arch, java.nio.file.Path weights) {
    if (weights == null) {
      throw new IllegalArgumentException("weights: the paper preset fine-tunes pretrained weights: pass --weights FILE"
          + " (torchvision names, safetensors), got none");
    }
    if (arch != Arch.RESNET101 && arch != Arch.VIT_B_16) {
      throw new IllegalArgumentException("arch: the paper preset uses resnet101 or vit_b_16, got " + arch);
    }
  }

  /** Fashion-MNIST keeps its 5/5 split; other data follows the paper's CIFAR-100 split (0-49, 50-99). */
  private static List<Integer> paperBase(DataSpec data) {
    return data.kind() == DataSpec.Kind.FASHION_MNIST ? FASHION_BASE : range(0, 50);
  }

  private static List<Integer> paperNovel(DataSpec data) {
    return data.kind() == DataSpec.Kind.FASHION_MNIST ? FASHION_NOVEL : range(50, 100);
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> r = new java.util.ArrayList<>();
    for (int c = from; c < to; c++) {
      r.add(c);
    }
    return List.copyOf(r);
  }

  /**
   * A test-only preset: a few steps of a tiny model on a small dataset, batches 8 and 16, three lambdas,
   * few episodes; writes every section in well under a minute.
   *
   * @param data a small Fashion-MNIST-format dataset with 10 classes
   * @return the preset
   */
  public static BenchPreset tiny(DataSpec data) {
    return new BenchPreset("tiny", "test-only: a few steps of a tiny model", data, FASHION_BASE, FASHION_NOVEL,
        Arch.RESNET18, Stem.SMALL, 0.125, 1, 12, null, 0.5, 0.9, 2e-3, 3e-3, 4, 40, 16, 20, 1, 3, List.of(8, 16), 8,
        true, List.of(1L, 2L), List.of(1L), List.of(1L), List.of(0.0, 0.9, 1.0), 10, 60, 100, true);
  }

  /**
   * The chunk rule: the chunk of every run at a batch size.
   *
   * @param batch images per batch
   * @return {@link #chunk()} when the batch is larger than it (and it is not 0), else 0 (one pass)
   */
  public int chunkFor(int batch) {
    return chunk > 0 && batch > chunk ? chunk : 0;
  }

  /** @return the smallest batch of the batch-size study (its first) */
  public int smallestBatch() {
    return batches.get(0);
  }

  /** @return the largest batch of the batch-size study (its last) */
  public int largestBatch() {
    return batches.get(batches.size() - 1);
  }

  /** @return the fields by name, for the report and the cache key */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("preset", name);
    m.put("data", data.toString());
    m.put("base_classes", baseClasses);
    m.put("novel_classes", novelClasses);
    m.put("arch", arch.cliName());
    m.put("stem", stem.cliName());
    m.put("width", width);
    m.put("max_blocks_per_stage", maxBlocks);
    m.put("image_size", imageSize);
    m.put("weights", weights == null ? null : weights.toString());
    m.put("tau", tau);
    m.put("lambda", lambda);
    m.put("optimizer", "adam");
    m.put("lr", lr);
    m.put("pretrain_lr", pretrainLr);
    m.put("pretrain_steps", pretrainSteps);
    m.put("pretrain_per_class", pretrainPerClass);
    m.put("labelled_per_class", labelledPerClass);
    m.put("test_per_class", testPerClass);
    m.put("transfer_epochs", transferEpochs);
    m.put("base_finetune_steps", baseFinetuneSteps);
    m.put("batches", batches);
    m.put("chunk", chunk);
    m.put("chunk_check", chunkCheck);
    m.put("seeds", seeds);
    m.put("lambda_seeds", lambdaSeeds);
    m.put("few_shot_seeds", fewShotSeeds);
    m.put("lambdas", lambdas);
    m.put("episodes", episodes);
    m.put("tsne_points", tsnePoints);
    m.put("tsne_iterations", tsneIterations);
    m.put("scratch", scratch);
    return m;
  }
}

package dev.clce.bench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.bench.data.DataSpec;
import dev.clce.bench.train.Budget;
import dev.clce.bench.train.TrainConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchPlanTest {
  /** A dataset directory that does not exist: plans and configurations do not read data. */
  private static final DataSpec NO_DATA = DataSpec.parse("fashion-mnist:/nonexistent-clce-data");

  @Test
  void quickPlanHasEveryArmOnceWithSharedArmsDeduplicated() {
    BenchPreset p = BenchPreset.quick(DataSpec.parse("fashion-mnist"));
    BenchPlan plan = new BenchPlan(p);
    List<Arm> arms = plan.arms();
    // 1 pretraining; transfer: 3 losses x 3 batches x 2 seeds = 18, plus CLCE in one pass at batch 256 x 2
    // seeds (the chunk check); lambda: 7 x 1 seed, of which 0.9 (batch 64, seed 1) is the section-1 CLCE arm:
    // 6 more; ablation: CE+CL x 2 seeds = 2 (its CE and CLCE arms are section 1's); few-shot: 4 x 1 seed = 4;
    // from scratch: 18. (Was 1 + 12 + 6 + 2 + 4 + 12 with batches 64 and 128 only.)
    assertEquals(1 + 18 + 2 + 6 + 2 + 4 + 18, arms.size());
    assertEquals(arms.size(), new HashSet<>(arms.stream().map(Arm::key).toList()).size());
    assertEquals(Arm.Phase.PRETRAIN, arms.get(0).phase());
    // Every transfer arm of one batch size has the same budget, whatever the loss.
    double ce = plan.cost(new Arm(Arm.Phase.TRANSFER, "", plan.ce(), 64, 0, 1));
    double clce = plan.cost(new Arm(Arm.Phase.TRANSFER, "", plan.loss(BenchPlan.CLCE), 64, 0, 1));
    assertEquals(ce, clce);
    assertTrue(plan.keepsEmbeddings(new Arm(Arm.Phase.TRANSFER, "", plan.clce(0.9), 64, 0, 2)));
  }

  @Test
  void quickStopsAt256() {
    BenchPlan plan = new BenchPlan(BenchPreset.quick(DataSpec.parse("fashion-mnist")));
    Set<Integer> batches = new TreeSet<>();
    for (Arm a : plan.arms()) {
      if (a.phase() == Arm.Phase.TRANSFER || a.phase() == Arm.Phase.SCRATCH) {
        batches.add(a.batch());
      }
    }
    assertEquals(Set.of(64, 128, 256), batches);
  }

  @Test
  void defaultPlanRunsFiveBatchSizesForEachLossWithEqualEpochsAndTheChunkRule(@TempDir Path tmp) {
    BenchPreset p = BenchPreset.standard(NO_DATA);
    BenchPlan plan = new BenchPlan(p);
    BenchRunner runner = new BenchRunner(p, tmp, null);
    // The rule written out: one pass up to 128 images, chunks of 128 above.
    Map<Integer, Integer> chunkOf = new LinkedHashMap<>(Map.of(64, 0, 128, 0, 256, 128, 512, 128, 1024, 128));
    List<Double> mean = List.of(0.3);
    List<Double> std = List.of(0.3);
    for (Arm.Phase phase : List.of(Arm.Phase.TRANSFER, Arm.Phase.SCRATCH)) {
      for (String loss : List.of(BenchPlan.CE, BenchPlan.SUPCON, BenchPlan.CLCE)) {
        for (Map.Entry<Integer, Integer> e : chunkOf.entrySet()) {
          for (long seed : p.seeds()) {
            List<Arm> found = plan.arms().stream().filter(a -> a.phase() == phase && a.label().equals(loss)
                && a.batch() == e.getKey() && a.seed() == seed).toList();
            assertEquals(1, found.size(), phase + " " + loss + " b" + e.getKey() + " s" + seed);
            Arm a = found.get(0);
            assertEquals(plan.loss(loss), a.loss());
            assertEquals((int) e.getValue(), a.chunk(), a.key());
            Budget b = runner.config(a, mean, std, 1).budget();
            assertEquals(p.transferEpochs(), b.epochs(), a.key());
            assertEquals(0, b.steps(), a.key());
            assertEquals(e.getKey(), b.batch(), a.key());
            assertEquals((int) e.getValue(), b.chunk(), a.key());
          }
        }
      }
    }
    assertEquals(4, p.transferEpochs());
    // Five seeds, and the chunk check: CLCE at 1024 in one pass, same seeds, beside the chunked arms.
    assertEquals(5, p.seeds().size());
    List<Arm> onePass = plan.arms().stream().filter(a -> a.label().equals(BenchPlan.CLCE_ONE_PASS)).toList();
    assertEquals(p.seeds(), onePass.stream().map(Arm::seed).toList());
    for (Arm a : onePass) {
      assertEquals(Arm.Phase.TRANSFER, a.phase());
      assertEquals(1024, a.batch());
      assertEquals(0, a.chunk());
      assertEquals(plan.loss(BenchPlan.CLCE), a.loss());
      TrainConfig c = runner.config(a, mean, std, 1);
      assertEquals(new Budget(1024, 0, 4, 0), c.budget());
    }
    // Every run once: 1 pretraining, 75 transfer, 5 one pass, 18 more lambda arms, 5 CE+CL, 12 few-shot, 75
    // from scratch.
    assertEquals(1 + 75 + 5 + 18 + 5 + 12 + 75, plan.arms().size());
    // The other sections stay at the smallest batch, in one pass.
    for (Arm a : plan.arms()) {
      if (a.phase() == Arm.Phase.PRETRAIN || a.phase() == Arm.Phase.BASE_FINETUNE || a.label().startsWith("CLCE lambda")
          || a.label().equals(BenchPlan.CE_CL)) {
        assertEquals(64, a.batch(), a.key());
        assertEquals(0, a.chunk(), a.key());
      }
    }
  }

  @Test
  void keysOfOnePassArmsAreUnchangedAndChunkedArmsNameTheirChunk() {
    BenchPlan plan = new BenchPlan(BenchPreset.quick(DataSpec.parse("fashion-mnist")));
    // The key the quick example report (docs/bench-quick-example/runs.csv) has for this run.
    assertEquals("transfer-ce-tau0p5-lam0p9-b64-s1", new Arm(Arm.Phase.TRANSFER, "", plan.ce(), 64, 0, 1).key());
    assertEquals("transfer-clce-tau0p5-lam0p9-b256-c128-s2",
        new Arm(Arm.Phase.TRANSFER, "", plan.loss(BenchPlan.CLCE), 256, 128, 2).key());
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
        () -> new Arm(Arm.Phase.TRANSFER, "", plan.ce(), 64, 65, 1));
    assertTrue(ex.getMessage().startsWith("chunk:") && ex.getMessage().contains("65"), ex.getMessage());
  }

  @Test
  void otherPresetsKeepTheirBatches() {
    BenchPreset paper = BenchPreset.paper(DataSpec.parse("fashion-mnist"), dev.clce.models.Arch.RESNET101,
        Path.of("w.safetensors"));
    assertEquals(List.of(64, 128), paper.batches());
    assertEquals(0, paper.chunkFor(128));
    BenchPreset tiny = BenchPreset.tiny(NO_DATA);
    assertEquals(List.of(8, 16), tiny.batches());
    assertEquals(0, tiny.chunkFor(8));
    assertEquals(8, tiny.chunkFor(16));
  }

  @Test
  void presetRefusesBadBatchesAndChunks() {
    BenchPreset t = BenchPreset.tiny(NO_DATA);
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> with(t, List.of(16, 8), 8, false));
    assertTrue(ex.getMessage().startsWith("batches:") && ex.getMessage().contains("[16, 8]"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> with(t, List.of(8, 16), -1, false));
    assertTrue(ex.getMessage().startsWith("chunk:") && ex.getMessage().contains("-1"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> with(t, List.of(8, 16), 16, true));
    assertTrue(ex.getMessage().startsWith("chunkCheck:") && ex.getMessage().contains("16"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> with(t, List.of(8, 16), 0, true));
    assertTrue(ex.getMessage().startsWith("chunkCheck:"), ex.getMessage());
    assertEquals(0, with(t, List.of(8, 16), 0, false).chunkFor(16));
  }

  private static BenchPreset with(BenchPreset t, List<Integer> batches, int chunk, boolean check) {
    return new BenchPreset(t.name(), t.note(), t.data(), t.baseClasses(), t.novelClasses(), t.arch(), t.stem(),
        t.width(), t.maxBlocks(), t.imageSize(), t.weights(), t.tau(), t.lambda(), t.lr(), t.pretrainLr(),
        t.pretrainSteps(), t.pretrainPerClass(), t.labelledPerClass(), t.testPerClass(), t.transferEpochs(),
        t.baseFinetuneSteps(), batches, chunk, check, t.seeds(), t.lambdaSeeds(), t.fewShotSeeds(), t.lambdas(),
        t.episodes(), t.tsnePoints(), t.tsneIterations(), t.scratch());
  }

  @Test
  void paperPresetNeedsWeights() {
    IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> BenchPreset.paper(DataSpec.parse("fashion-mnist"), dev.clce.models.Arch.RESNET101, null));
    assertTrue(ex.getMessage().startsWith("weights:"), ex.getMessage());
  }
}

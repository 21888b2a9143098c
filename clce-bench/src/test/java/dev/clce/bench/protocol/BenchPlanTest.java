package dev.clce.bench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.bench.data.DataSpec;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchPlanTest {

  @Test
  void quickPlanHasEveryArmOnceWithSharedArmsDeduplicated() {
    BenchPreset p = BenchPreset.quick(DataSpec.parse("fashion-mnist"));
    BenchPlan plan = new BenchPlan(p);
    List<Arm> arms = plan.arms();
    // 1 pretraining; transfer: 3 losses x 2 batches x 2 seeds = 12; lambda: 7 x 1 seed, of which
    // 0.9 (batch 64, seed 1) is the section-1 CLCE arm: 6 more; ablation: CE+CL x 2 seeds = 2 (its CE
    // and CLCE arms are section 1's); few-shot: 4 x 1 seed = 4; from scratch: 12.
    assertEquals(1 + 12 + 6 + 2 + 4 + 12, arms.size());
    assertEquals(arms.size(), new HashSet<>(arms.stream().map(Arm::key).toList()).size());
    assertEquals(Arm.Phase.PRETRAIN, arms.get(0).phase());
    // Every transfer arm of one batch size has the same budget, whatever the loss.
    double ce = plan.cost(new Arm(Arm.Phase.TRANSFER, "", plan.ce(), 64, 1));
    double clce = plan.cost(new Arm(Arm.Phase.TRANSFER, "", plan.loss(BenchPlan.CLCE), 64, 1));
    assertEquals(ce, clce);
    assertTrue(plan.keepsEmbeddings(new Arm(Arm.Phase.TRANSFER, "", plan.clce(0.9), 64, 2)));
  }

  @Test
  void paperPresetNeedsWeights() {
    IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> BenchPreset.paper(DataSpec.parse("fashion-mnist"), dev.clce.models.Arch.RESNET101, null));
    assertTrue(ex.getMessage().startsWith("weights:"), ex.getMessage());
  }
}

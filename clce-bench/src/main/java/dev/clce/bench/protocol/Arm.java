package dev.clce.bench.protocol;

import dev.clce.core.loss.LossConfig;
import java.util.Locale;

/**
 * One training run of the bench.
 *
 * @param phase what is trained and how it is started
 * @param label the loss as the report names it (for example "CE+CL+HNM (CLCE)")
 * @param loss the loss
 * @param batch images per batch (2 views each)
 * @param chunk images per chunk of a chunked step ({@link dev.clce.bench.train.Budget#chunk()}), 0 when
 *     each batch goes through the encoder in one pass
 * @param seed the seed
 */
public record Arm(Phase phase, String label, LossConfig loss, int batch, int chunk, long seed) {

  /** How a run starts and on which classes it trains. */
  public enum Phase {
    /** CE on the base classes from random initialisation (shared by every pretrained arm, cached). */
    PRETRAIN,
    /** Fine-tune the pretrained encoder on the labelled novel-class set; top-1 on novel test images. */
    TRANSFER,
    /** Train from random initialisation on the labelled novel-class set, same budget as TRANSFER. */
    SCRATCH,
    /** Fine-tune the pretrained encoder on the base classes; few-shot episodes on the novel classes. */
    BASE_FINETUNE
  }

  /** Checks the chunk against the batch, as the trainer's budget will. */
  public Arm {
    if (chunk < 0 || chunk > batch) {
      throw new IllegalArgumentException("chunk: must be in [1, batch = " + batch + "] images (0 = one pass), got "
          + chunk);
    }
  }

  /**
   * A key naming the run uniquely (its directory name). An arm in one pass has the key it had before
   * chunks existed ({@code ...-b64-s1}), so earlier output directories resume; a chunked one adds its
   * chunk ({@code ...-b1024-c128-s1}).
   *
   * @return the key
   */
  public String key() {
    return String.format(Locale.ROOT, "%s-%s-tau%s-lam%s-b%d%s-s%d", phase.name().toLowerCase(Locale.ROOT),
        loss.kind().cliName(), loss.tau(), loss.lambda(), batch, chunk > 0 ? "-c" + chunk : "", seed).replace('.', 'p');
  }
}

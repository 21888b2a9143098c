package dev.clce.core.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The CLCE family of losses as SameDiff ops, in the style of SameDiff's own {@code sd.loss()}:
 * each method adds the loss to the caller's graph and returns a scalar variable.
 *
 * <pre>{@code
 * SDVariable loss = SDClceLoss.of(sd).clce("loss", embeddings, labels, logits, 0.5, 0.9);
 * loss.markAsLoss();
 * }</pre>
 *
 * <p>Inputs: {@code embeddings} are raw encoder outputs [M, d] (L2 normalisation is part of the
 * loss); {@code labels} are integer class indices [M] (any integer type; cast inside); {@code
 * logits} are [M, C]. Rows of the two views of an image sit in the same batch with the same label.
 */
public final class SDClceLoss {
  private final SameDiff sd;

  private SDClceLoss(SameDiff sd) {
    if (sd == null) {
      throw new IllegalArgumentException("sd: must not be null");
    }
    this.sd = sd;
  }

  /** @param sd the graph to add losses to @return the namespace */
  public static SDClceLoss of(SameDiff sd) {
    return new SDClceLoss(sd);
  }

  /**
   * Adds the loss that {@code config} describes.
   *
   * @param name name of the scalar output (null for a generated name)
   * @param config the loss and its hyper-parameters
   * @param embeddings [M, d] raw embeddings (ignored, may be null, for CE)
   * @param labels [M] integer labels
   * @param logits [M, C] logits (ignored, may be null, for the purely contrastive losses)
   * @return the scalar loss
   */
  public SDVariable loss(String name, LossConfig config, SDVariable embeddings, SDVariable labels, SDVariable logits) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}

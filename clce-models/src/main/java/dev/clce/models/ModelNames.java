package dev.clce.models;

/**
 * Names of the graph variables every model has, besides its parameters (which carry torchvision's
 * state-dict keys).
 */
public final class ModelNames {
  /** Input placeholder: float [N, C, H, W], NCHW, N free. */
  public static final String INPUT = "input";
  /** Pooled embedding [N, d]: ResNet's global-average-pooled features, ViT's final class token. */
  public static final String EMBEDDING = "embedding";
  /** Classifier output [N, classes]. */
  public static final String LOGITS = "logits";
  /** Output of the optional projection head [N, projectionDim]. */
  public static final String PROJECTION = "projection_output";
  /** Scalar constant: 1 while training (batch statistics), 0 in inference (running statistics). */
  public static final String TRAINING_FLAG = "clce.training";
  /** State-dict prefix of the optional projection head ({@code projection.0}, {@code projection.2}). */
  public static final String PROJECTION_PREFIX = "projection";

  private ModelNames() {
  }
}

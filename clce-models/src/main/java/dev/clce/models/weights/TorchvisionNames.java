package dev.clce.models.weights;

import java.util.function.UnaryOperator;

/**
 * Renamings between torchvision state-dict layouts, for {@link LoadRule#withRename}.
 */
public final class TorchvisionNames {

  /** Key fragment of the first ViT MLP layer before torchvision 0.14. */
  public static final String LEGACY_MLP_1 = ".mlp.linear_1.";
  /** Key fragment of the second ViT MLP layer before torchvision 0.14. */
  public static final String LEGACY_MLP_2 = ".mlp.linear_2.";
  /** Key fragment of the first ViT MLP layer from torchvision 0.14 on (our naming). */
  public static final String MLP_1 = ".mlp.0.";
  /** Key fragment of the second ViT MLP layer from torchvision 0.14 on (our naming). */
  public static final String MLP_2 = ".mlp.3.";

  /**
   * ViT checkpoints saved before torchvision 0.14 (including the published ImageNet {@code .pth}
   * files) name the MLP layers {@code mlp.linear_1} and {@code mlp.linear_2}; torchvision 0.14 and
   * our graphs name them {@code mlp.0} and {@code mlp.3}. This maps the old names to the new ones and
   * leaves every other name alone.
   */
  public static final UnaryOperator<String> LEGACY_VIT_MLP = name -> {
    if (name.contains(LEGACY_MLP_1)) {
      return name.replace(LEGACY_MLP_1, MLP_1);
    }
    if (name.contains(LEGACY_MLP_2)) {
      return name.replace(LEGACY_MLP_2, MLP_2);
    }
    return name;
  };

  private TorchvisionNames() {}
}

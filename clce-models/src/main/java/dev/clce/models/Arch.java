package dev.clce.models;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The registered architectures, by the names the command line and torchvision use. */
public enum Arch {
  /** ResNet-18: basic blocks [2, 2, 2, 2]. */
  RESNET18("resnet18", Family.RESNET),
  /** ResNet-34: basic blocks [3, 4, 6, 3]. */
  RESNET34("resnet34", Family.RESNET),
  /** ResNet-50: bottleneck blocks [3, 4, 6, 3]. */
  RESNET50("resnet50", Family.RESNET),
  /** ResNet-101: bottleneck blocks [3, 4, 23, 3]. */
  RESNET101("resnet101", Family.RESNET),
  /** ResNet-152: bottleneck blocks [3, 8, 36, 3]. */
  RESNET152("resnet152", Family.RESNET),
  /** ViT-Ti/16: width 192, depth 12, 3 heads, MLP 768. */
  VIT_TI_16("vit_ti_16", Family.VIT),
  /** ViT-S/16: width 384, depth 12, 6 heads, MLP 1536. */
  VIT_S_16("vit_s_16", Family.VIT),
  /** ViT-B/16: width 768, depth 12, 12 heads, MLP 3072. */
  VIT_B_16("vit_b_16", Family.VIT),
  /** ViT-B/32: width 768, depth 12, 12 heads, MLP 3072, patch 32. */
  VIT_B_32("vit_b_32", Family.VIT),
  /** ViT-L/16: width 1024, depth 24, 16 heads, MLP 4096. */
  VIT_L_16("vit_l_16", Family.VIT);

  /** The two families. */
  public enum Family {
    /** Residual networks with BatchNorm. */
    RESNET,
    /** Vision transformers. */
    VIT
  }

  private final String cliName;
  private final Family family;

  Arch(String cliName, Family family) {
    this.cliName = cliName;
    this.family = family;
  }

  /** @return the lower-case name ({@code resnet101}, {@code vit_b_16}, ...) */
  public String cliName() {
    return cliName;
  }

  /** @return the family */
  public Family family() {
    return family;
  }

  /**
   * Looks an architecture up by its lower-case name.
   *
   * @param name for example {@code resnet50} or {@code vit_b_16}
   * @return the architecture
   * @throws IllegalArgumentException for an unknown name
   */
  public static Arch fromName(String name) {
    for (Arch a : values()) {
      if (a.cliName.equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("arch: must be one of " + names() + ", got " + name);
  }

  /** @return the names, comma separated */
  public static String names() {
    return Arrays.stream(values()).map(Arch::cliName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return cliName;
  }
}

package dev.clce.models;

import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The registered architectures, by the names the command line and torchvision use, and the factory
 * of their models: each entry is one variant laid out by the shared builder of its family
 * ({@link ResNetBuilder}, {@link ViTBuilder}), as timm registers one function per variant.
 *
 * <pre>{@code
 * EncoderModel m = Arch.RESNET101.create(ModelOptions.defaults());
 * long n = Arch.VIT_L_16.spec(ModelOptions.defaults()).trainableParameterCount(); // no allocation
 * }</pre>
 */
public enum Arch {
  /** ResNet-18: basic blocks [2, 2, 2, 2]. */
  RESNET18("resnet18", Family.RESNET, (n, o) -> ResNetBuilder.basic(n, new int[] {2, 2, 2, 2}, o).spec()),
  /** ResNet-34: basic blocks [3, 4, 6, 3]. */
  RESNET34("resnet34", Family.RESNET, (n, o) -> ResNetBuilder.basic(n, new int[] {3, 4, 6, 3}, o).spec()),
  /** ResNet-50: bottleneck blocks [3, 4, 6, 3]. */
  RESNET50("resnet50", Family.RESNET, (n, o) -> ResNetBuilder.bottleneck(n, new int[] {3, 4, 6, 3}, o).spec()),
  /** ResNet-101: bottleneck blocks [3, 4, 23, 3]. */
  RESNET101("resnet101", Family.RESNET, (n, o) -> ResNetBuilder.bottleneck(n, new int[] {3, 4, 23, 3}, o).spec()),
  /** ResNet-152: bottleneck blocks [3, 8, 36, 3]. */
  RESNET152("resnet152", Family.RESNET, (n, o) -> ResNetBuilder.bottleneck(n, new int[] {3, 8, 36, 3}, o).spec()),
  /** ViT-Ti/16: width 192, depth 12, 3 heads, MLP 768. */
  VIT_TI_16("vit_ti_16", Family.VIT, (n, o) -> ViTBuilder.scaled(n, 16, 12, 192, 3, o).spec()),
  /** ViT-S/16: width 384, depth 12, 6 heads, MLP 1536. */
  VIT_S_16("vit_s_16", Family.VIT, (n, o) -> ViTBuilder.scaled(n, 16, 12, 384, 6, o).spec()),
  /** ViT-B/16: width 768, depth 12, 12 heads, MLP 3072. */
  VIT_B_16("vit_b_16", Family.VIT, (n, o) -> ViTBuilder.scaled(n, 16, 12, 768, 12, o).spec()),
  /** ViT-B/32: width 768, depth 12, 12 heads, MLP 3072, patch 32. */
  VIT_B_32("vit_b_32", Family.VIT, (n, o) -> ViTBuilder.scaled(n, 32, 12, 768, 12, o).spec()),
  /** ViT-L/16: width 1024, depth 24, 16 heads, MLP 4096. */
  VIT_L_16("vit_l_16", Family.VIT, (n, o) -> ViTBuilder.scaled(n, 16, 24, 1024, 16, o).spec());

  /** The two families. */
  public enum Family {
    /** Residual networks with BatchNorm. */
    RESNET,
    /** Vision transformers. */
    VIT
  }

  private final String cliName;
  private final Family family;
  private final BiFunction<String, ModelOptions, EncoderSpec> layout;

  Arch(String cliName, Family family, BiFunction<String, ModelOptions, EncoderSpec> layout) {
    this.cliName = cliName;
    this.family = family;
    this.layout = layout;
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
   * Lays this architecture out without allocating anything: state entries, parameter counts, and the
   * feature extractor, classifier and projection head as separate parts.
   *
   * @param options the options
   * @return the spec
   */
  public EncoderSpec spec(ModelOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("options: must not be null");
    }
    return layout.apply(cliName, options);
  }

  /**
   * Builds this architecture's graph.
   *
   * @param options the options
   * @return the model, in training mode
   */
  public EncoderModel create(ModelOptions options) {
    return spec(options).build();
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

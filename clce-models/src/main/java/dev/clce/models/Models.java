package dev.clce.models;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The model registry: one entry point per architecture over the shared builders.
 *
 * <pre>{@code
 * EncoderModel m = Models.create(Arch.RESNET101, ModelOptions.defaults());
 * long n = Models.spec(Arch.VIT_L_16, ModelOptions.defaults()).trainableParameterCount(); // no allocation
 * }</pre>
 */
public final class Models {
  private static final Map<Arch, Function<ModelOptions, ModelSpec>> REGISTRY;

  static {
    Map<Arch, Function<ModelOptions, ModelSpec>> r = new EnumMap<>(Arch.class);
    r.put(Arch.RESNET18, o -> ResNetBuilder.basic(Arch.RESNET18.cliName(), new int[] {2, 2, 2, 2}, o).spec());
    r.put(Arch.RESNET34, o -> ResNetBuilder.basic(Arch.RESNET34.cliName(), new int[] {3, 4, 6, 3}, o).spec());
    r.put(Arch.RESNET50, o -> ResNetBuilder.bottleneck(Arch.RESNET50.cliName(), new int[] {3, 4, 6, 3}, o).spec());
    r.put(Arch.RESNET101, o -> ResNetBuilder.bottleneck(Arch.RESNET101.cliName(), new int[] {3, 4, 23, 3}, o).spec());
    r.put(Arch.RESNET152, o -> ResNetBuilder.bottleneck(Arch.RESNET152.cliName(), new int[] {3, 8, 36, 3}, o).spec());
    r.put(Arch.VIT_TI_16, o -> ViTBuilder.scaled(Arch.VIT_TI_16.cliName(), 16, 12, 192, 3, o).spec());
    r.put(Arch.VIT_S_16, o -> ViTBuilder.scaled(Arch.VIT_S_16.cliName(), 16, 12, 384, 6, o).spec());
    r.put(Arch.VIT_B_16, o -> ViTBuilder.scaled(Arch.VIT_B_16.cliName(), 16, 12, 768, 12, o).spec());
    r.put(Arch.VIT_B_32, o -> ViTBuilder.scaled(Arch.VIT_B_32.cliName(), 32, 12, 768, 12, o).spec());
    r.put(Arch.VIT_L_16, o -> ViTBuilder.scaled(Arch.VIT_L_16.cliName(), 16, 24, 1024, 16, o).spec());
    REGISTRY = Collections.unmodifiableMap(r);
  }

  private Models() {
  }

  /**
   * Lays out a registered architecture without allocating anything.
   *
   * @param arch the architecture
   * @param options the options
   * @return the spec
   */
  public static ModelSpec spec(Arch arch, ModelOptions options) {
    if (arch == null) {
      throw new IllegalArgumentException("arch: must be one of " + Arch.names() + ", got null");
    }
    if (options == null) {
      throw new IllegalArgumentException("options: must not be null");
    }
    return REGISTRY.get(arch).apply(options);
  }

  /**
   * Builds a registered architecture.
   *
   * @param arch the architecture
   * @param options the options
   * @return the model, in training mode
   */
  public static EncoderModel create(Arch arch, ModelOptions options) {
    return spec(arch, options).build();
  }

  /**
   * @param options the options
   * @return ResNet-18
   */
  public static EncoderModel resnet18(ModelOptions options) {
    return create(Arch.RESNET18, options);
  }

  /**
   * @param options the options
   * @return ResNet-34
   */
  public static EncoderModel resnet34(ModelOptions options) {
    return create(Arch.RESNET34, options);
  }

  /**
   * @param options the options
   * @return ResNet-50
   */
  public static EncoderModel resnet50(ModelOptions options) {
    return create(Arch.RESNET50, options);
  }

  /**
   * @param options the options
   * @return ResNet-101
   */
  public static EncoderModel resnet101(ModelOptions options) {
    return create(Arch.RESNET101, options);
  }

  /**
   * @param options the options
   * @return ResNet-152
   */
  public static EncoderModel resnet152(ModelOptions options) {
    return create(Arch.RESNET152, options);
  }

  /**
   * @param options the options
   * @return ViT-Ti/16
   */
  public static EncoderModel vitTi16(ModelOptions options) {
    return create(Arch.VIT_TI_16, options);
  }

  /**
   * @param options the options
   * @return ViT-S/16
   */
  public static EncoderModel vitS16(ModelOptions options) {
    return create(Arch.VIT_S_16, options);
  }

  /**
   * @param options the options
   * @return ViT-B/16
   */
  public static EncoderModel vitB16(ModelOptions options) {
    return create(Arch.VIT_B_16, options);
  }

  /**
   * @param options the options
   * @return ViT-B/32
   */
  public static EncoderModel vitB32(ModelOptions options) {
    return create(Arch.VIT_B_32, options);
  }

  /**
   * @param options the options
   * @return ViT-L/16
   */
  public static EncoderModel vitL16(ModelOptions options) {
    return create(Arch.VIT_L_16, options);
  }
}

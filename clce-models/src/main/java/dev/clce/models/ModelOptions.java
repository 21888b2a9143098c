package dev.clce.models;

import dev.clce.models.layers.NormKernel;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Options shared by every registered architecture: an immutable, validated value.
 *
 * <pre>{@code
 * ModelOptions o = ModelOptions.builder().optClasses(100).optImageSize(32).optStem(Stem.SMALL).build();
 * EncoderModel m = Arch.RESNET18.create(o);
 * }</pre>
 *
 * <p>Defaults: 1000 classes, 224 px, 3 channels, ImageNet stem, width 1.0, no projection head
 * (projection width 128 when on), no depth limit, seed 42, FLOAT, normalisation kernel
 * {@link NormKernel#AUTO}.
 *
 * <p>The width multiplier scales every channel count of a ResNet ({@code round(64 w)} in the first
 * stage, at least 1) and the width of a ViT (rounded to a multiple of the head count, at least one
 * per head; the MLP keeps its ratio to the width). {@code maxBlocksPerStage} caps the number of
 * blocks of each ResNet stage and of the ViT encoder (0 = the architecture's depth): it exists for
 * tiny test models.
 */
public final class ModelOptions {
  /** Default number of classes. */
  public static final int DEFAULT_CLASSES = 1000;
  /** Default image size in pixels. */
  public static final int DEFAULT_IMAGE_SIZE = 224;
  /** Default number of input channels. */
  public static final int DEFAULT_CHANNELS = 3;
  /** Default width of the projection head's output (SupCon's 128). */
  public static final int DEFAULT_PROJECTION_DIM = 128;
  /** Default initialisation seed. */
  public static final long DEFAULT_SEED = 42L;

  private final int classes;
  private final int imageSize;
  private final int channels;
  private final Stem stem;
  private final double width;
  private final boolean projectionHead;
  private final int projectionDim;
  private final int maxBlocksPerStage;
  private final long seed;
  private final DataType dataType;
  private final NormKernel normKernel;

  private ModelOptions(Builder b) {
    this.classes = b.classes;
    this.imageSize = b.imageSize;
    this.channels = b.channels;
    this.stem = b.stem;
    this.width = b.width;
    this.projectionHead = b.projectionHead;
    this.projectionDim = b.projectionDim;
    this.maxBlocksPerStage = b.maxBlocksPerStage;
    this.seed = b.seed;
    this.dataType = b.dataType;
    this.normKernel = b.normKernel;
  }

  /** @return a builder with the defaults */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the defaults */
  public static ModelOptions defaults() {
    return builder().build();
  }

  /** @return a builder holding this value's options */
  public Builder toBuilder() {
    return new Builder().optClasses(classes).optImageSize(imageSize).optChannels(channels).optStem(stem)
        .optWidth(width).optProjectionHead(projectionHead).optProjectionDim(projectionDim)
        .optMaxBlocksPerStage(maxBlocksPerStage).optSeed(seed).optDataType(dataType).optNormKernel(normKernel);
  }

  /** @return number of classes of the classifier, &gt;= 1 */
  public int classes() {
    return classes;
  }

  /** @return input height and width in pixels, &gt;= 1 */
  public int imageSize() {
    return imageSize;
  }

  /** @return number of input channels, &gt;= 1 */
  public int channels() {
    return channels;
  }

  /** @return the ResNet stem */
  public Stem stem() {
    return stem;
  }

  /** @return the width multiplier, &gt; 0 */
  public double width() {
    return width;
  }

  /** @return whether the projection head (Linear, ReLU, Linear) is built */
  public boolean projectionHead() {
    return projectionHead;
  }

  /** @return output width of the projection head */
  public int projectionDim() {
    return projectionDim;
  }

  /** @return the cap on blocks per stage, 0 for none */
  public int maxBlocksPerStage() {
    return maxBlocksPerStage;
  }

  /** @return the initialisation seed */
  public long seed() {
    return seed;
  }

  /** @return the floating-point type of parameters and activations */
  public DataType dataType() {
    return dataType;
  }

  /** @return how BatchNorm and LayerNorm layers compute, as chosen ({@link NormKernel#AUTO} unless set) */
  public NormKernel normKernel() {
    return normKernel;
  }

  /**
   * Applies the depth cap.
   *
   * @param blocks the architecture's number of blocks in a stage
   * @return the number to build
   */
  int cappedBlocks(int blocks) {
    return maxBlocksPerStage == 0 ? blocks : Math.min(blocks, maxBlocksPerStage);
  }

  /** Equal when every option is (a resumed run compares its configuration with the one it was started with). */
  @Override
  public boolean equals(Object o) {
    return o instanceof ModelOptions m && classes == m.classes && imageSize == m.imageSize && channels == m.channels
        && stem == m.stem && Double.compare(width, m.width) == 0 && projectionHead == m.projectionHead
        && projectionDim == m.projectionDim && maxBlocksPerStage == m.maxBlocksPerStage && seed == m.seed
        && dataType == m.dataType && normKernel == m.normKernel;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(classes, imageSize, channels, stem, width, projectionHead, projectionDim,
        maxBlocksPerStage, seed, dataType, normKernel);
  }

  @Override
  public String toString() {
    return "ModelOptions{classes=" + classes + ", imageSize=" + imageSize + ", channels=" + channels + ", stem=" + stem.cliName()
        + ", width=" + width + ", projectionHead=" + projectionHead + ", projectionDim=" + projectionDim
        + ", maxBlocksPerStage=" + maxBlocksPerStage + ", seed=" + seed + ", dataType=" + dataType
        + ", normKernel=" + normKernel.cliName() + "}";
  }

  /** Builder of {@link ModelOptions}; every rule is checked by {@link #build()}. */
  public static final class Builder {
    private int classes = DEFAULT_CLASSES;
    private int imageSize = DEFAULT_IMAGE_SIZE;
    private int channels = DEFAULT_CHANNELS;
    private Stem stem = Stem.IMAGENET;
    private double width = 1.0;
    private boolean projectionHead;
    private int projectionDim = DEFAULT_PROJECTION_DIM;
    private int maxBlocksPerStage;
    private long seed = DEFAULT_SEED;
    private DataType dataType = DataType.FLOAT;
    private NormKernel normKernel = NormKernel.AUTO;

    private Builder() {
    }

    /**
     * @param v number of classes, &gt;= 1
     * @return this
     */
    public Builder optClasses(int v) {
      this.classes = v;
      return this;
    }

    /**
     * @param v image height and width, &gt;= 1
     * @return this
     */
    public Builder optImageSize(int v) {
      this.imageSize = v;
      return this;
    }

    /**
     * @param v input channels, &gt;= 1
     * @return this
     */
    public Builder optChannels(int v) {
      this.channels = v;
      return this;
    }

    /**
     * @param v the ResNet stem (ViTs accept only the default, {@link Stem#IMAGENET})
     * @return this
     */
    public Builder optStem(Stem v) {
      this.stem = v;
      return this;
    }

    /**
     * @param v width multiplier, finite and &gt; 0
     * @return this
     */
    public Builder optWidth(double v) {
      this.width = v;
      return this;
    }

    /**
     * @param v whether to build the projection head
     * @return this
     */
    public Builder optProjectionHead(boolean v) {
      this.projectionHead = v;
      return this;
    }

    /**
     * @param v projection output width, &gt;= 1
     * @return this
     */
    public Builder optProjectionDim(int v) {
      this.projectionDim = v;
      return this;
    }

    /**
     * @param v cap on blocks per stage, &gt;= 0 (0 = none)
     * @return this
     */
    public Builder optMaxBlocksPerStage(int v) {
      this.maxBlocksPerStage = v;
      return this;
    }

    /**
     * @param v initialisation seed
     * @return this
     */
    public Builder optSeed(long v) {
      this.seed = v;
      return this;
    }

    /**
     * @param v FLOAT, DOUBLE, HALF or BFLOAT16
     * @return this
     */
    public Builder optDataType(DataType v) {
      this.dataType = v;
      return this;
    }

    /**
     * @param v how BatchNorm and LayerNorm layers compute (default {@link NormKernel#AUTO})
     * @return this
     */
    public Builder optNormKernel(NormKernel v) {
      this.normKernel = v;
      return this;
    }

    /**
     * Checks every option.
     *
     * @return the options
     * @throws IllegalArgumentException naming the first bad option and its value
     */
    public ModelOptions build() {
      if (classes < 1) {
        throw new IllegalArgumentException("classes: must be >= 1, got " + classes);
      }
      if (imageSize < 1) {
        throw new IllegalArgumentException("imageSize: must be >= 1, got " + imageSize);
      }
      if (channels < 1) {
        throw new IllegalArgumentException("channels: must be >= 1, got " + channels);
      }
      if (stem == null) {
        throw new IllegalArgumentException("stem: must not be null");
      }
      if (!Double.isFinite(width) || width <= 0) {
        throw new IllegalArgumentException("width: must be finite and > 0, got " + width);
      }
      if (projectionDim < 1) {
        throw new IllegalArgumentException("projectionDim: must be >= 1, got " + projectionDim);
      }
      if (maxBlocksPerStage < 0) {
        throw new IllegalArgumentException("maxBlocksPerStage: must be >= 0, got " + maxBlocksPerStage);
      }
      if (dataType == null || !dataType.isFPType()) {
        throw new IllegalArgumentException("dataType: must be a floating-point type, got " + dataType);
      }
      if (normKernel == null) {
        throw new IllegalArgumentException("normKernel: must not be null");
      }
      return new ModelOptions(this);
    }
  }
}

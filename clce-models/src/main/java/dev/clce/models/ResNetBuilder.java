package dev.clce.models;

import dev.clce.models.layers.BatchNorm2d;
import dev.clce.models.layers.Conv2d;
import dev.clce.models.layers.Linear;
import dev.clce.models.layers.ParamSpec;
import dev.clce.models.layers.ResidualBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds any ResNet of torchvision's v1.5 layout: basic or bottleneck blocks, four stages of widths
 * 64, 128, 256, 512 (times the width multiplier), stride 2 at the start of stages 2-4 on the 3x3
 * convolution, ImageNet or small-image stem, global average pooling, a linear classifier and an
 * optional projection head.
 *
 * <pre>{@code
 * EncoderModel m = ResNetBuilder.bottleneck("resnet26", new int[] {2, 2, 2, 2}, options).build();
 * }</pre>
 *
 * <p>Initialisation follows torchvision: convolutions Kaiming normal (fan out, ReLU gain),
 * BatchNorm weight 1 and bias 0, linear layers PyTorch's default uniform.
 */
public final class ResNetBuilder {
  /** Width of the first stage at width multiplier 1. */
  public static final int BASE_WIDTH = 64;
  /** Channel expansion of the bottleneck block. */
  public static final int BOTTLENECK_EXPANSION = 4;
  /** Number of stages. */
  public static final int STAGES = 4;

  private final String name;
  private final boolean bottleneck;
  private final int[] blocks;
  private final ModelOptions options;

  private ResNetBuilder(String name, boolean bottleneck, int[] blocks, ModelOptions options) {
    EncoderSpec.checkNameAndOptions(name, options);
    if (blocks == null || blocks.length != STAGES) {
      throw new IllegalArgumentException("blocks: must give " + STAGES + " stages, got " + Arrays.toString(blocks));
    }
    for (int b : blocks) {
      if (b < 1) {
        throw new IllegalArgumentException("blocks: every stage needs >= 1 block, got " + Arrays.toString(blocks));
      }
    }
    this.name = name;
    this.bottleneck = bottleneck;
    this.blocks = blocks.clone();
    this.options = options;
  }

  /**
   * A ResNet of basic blocks (as ResNet-18 and -34).
   *
   * @param name architecture name for summaries
   * @param blocks blocks per stage, 4 values &gt;= 1
   * @param options the shared options
   * @return the builder
   */
  public static ResNetBuilder basic(String name, int[] blocks, ModelOptions options) {
    return new ResNetBuilder(name, false, blocks, options);
  }

  /**
   * A ResNet of bottleneck blocks (as ResNet-50, -101, -152).
   *
   * @param name architecture name for summaries
   * @param blocks blocks per stage, 4 values &gt;= 1
   * @param options the shared options
   * @return the builder
   */
  public static ResNetBuilder bottleneck(String name, int[] blocks, ModelOptions options) {
    return new ResNetBuilder(name, true, blocks, options);
  }

  private static ParamSpec.Init kaimingFanOut(int out, int kernel) {
    return ParamSpec.Init.normal(Math.sqrt(2.0 / ((double) out * kernel * kernel)));
  }

  private static Conv2d conv(String name, int in, int out, int kernel, int stride, int padding) {
    return new Conv2d(name, in, out, kernel, stride, padding, false, kaimingFanOut(out, kernel), ParamSpec.Init.constant(0));
  }

  /**
   * Lays the network out; allocates nothing.
   *
   * @return the spec
   */
  public ResNetSpec spec() {
    int expansion = bottleneck ? BOTTLENECK_EXPANSION : 1;
    int[] planes = new int[STAGES];
    for (int i = 0; i < STAGES; i++) {
      planes[i] = (int) Math.max(1, Math.round(BASE_WIDTH * options.width() * (1 << i)));
    }
    int size = options.imageSize();
    Conv2d stemConv;
    if (options.stem() == Stem.IMAGENET) {
      stemConv = conv("conv1", options.channels(), planes[0], 7, 2, 3);
    } else {
      stemConv = conv("conv1", options.channels(), planes[0], 3, 1, 1);
    }
    size = stemConv.outputSize(size);
    BatchNorm2d stemBn = new BatchNorm2d("bn1", planes[0], (long) size * size);
    if (options.stem() == Stem.IMAGENET) {
      size = (size + 2 - 3) / 2 + 1;
    }
    int inplanes = planes[0];
    List<List<ResidualBlock>> stages = new ArrayList<>();
    for (int s = 0; s < STAGES; s++) {
      List<ResidualBlock> stage = new ArrayList<>();
      int n = options.cappedBlocks(blocks[s]);
      for (int i = 0; i < n; i++) {
        int stride = (s > 0 && i == 0) ? 2 : 1;
        String prefix = "layer" + (s + 1) + "." + i + ".";
        int p = planes[s];
        int outSize = (size + 2 - 3) / stride + 1;
        long hw = (long) size * size;
        long hwOut = (long) outSize * outSize;
        Conv2d downConv = null;
        BatchNorm2d downBn = null;
        if (stride != 1 || inplanes != p * expansion) {
          downConv = conv(prefix + "downsample.0", inplanes, p * expansion, 1, stride, 0);
          downBn = new BatchNorm2d(prefix + "downsample.1", p * expansion, hwOut);
        }
        ResidualBlock block;
        if (bottleneck) {
          block = new ResidualBlock(
              conv(prefix + "conv1", inplanes, p, 1, 1, 0), new BatchNorm2d(prefix + "bn1", p, hw),
              conv(prefix + "conv2", p, p, 3, stride, 1), new BatchNorm2d(prefix + "bn2", p, hwOut),
              conv(prefix + "conv3", p, p * expansion, 1, 1, 0), new BatchNorm2d(prefix + "bn3", p * expansion, hwOut),
              downConv, downBn);
        } else {
          block = new ResidualBlock(
              conv(prefix + "conv1", inplanes, p, 3, stride, 1), new BatchNorm2d(prefix + "bn1", p, hwOut),
              conv(prefix + "conv2", p, p, 3, 1, 1), new BatchNorm2d(prefix + "bn2", p, hwOut),
              null, null, downConv, downBn);
        }
        stage.add(block);
        inplanes = p * expansion;
        size = outSize;
      }
      stages.add(List.copyOf(stage));
    }
    int featureDim = inplanes;
    Linear fc = Linear.torchDefault("fc", featureDim, options.classes());
    return new ResNetSpec(name, options, bottleneck, blocks, stemConv, stemBn, List.copyOf(stages), fc,
        EncoderSpec.projectionHead(options, featureDim));
  }

  /**
   * Builds the graph.
   *
   * @return the model, in training mode
   */
  public EncoderModel build() {
    return spec().build();
  }
}

package dev.clce.models;

import dev.clce.models.layers.Activations;
import dev.clce.models.layers.BatchNorm2d;
import dev.clce.models.layers.Conv2d;
import dev.clce.models.layers.GraphContext;
import dev.clce.models.layers.Linear;
import dev.clce.models.layers.ResidualBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/**
 * A ResNet, layer by layer, as {@link ResNetBuilder} lays it out. The graph and the parameter count
 * both read these layers.
 */
public final class ResNetSpec implements ModelSpec {
  private final String name;
  private final ModelOptions options;
  private final boolean bottleneck;
  private final int[] blocks;
  private final Conv2d stemConv;
  private final BatchNorm2d stemBn;
  private final List<List<ResidualBlock>> stages;
  private final int featureDim;
  private final Linear fc;
  private final Linear proj0;
  private final Linear proj2;

  ResNetSpec(String name, ModelOptions options, boolean bottleneck, int[] blocks, Conv2d stemConv, BatchNorm2d stemBn,
      List<List<ResidualBlock>> stages, int featureDim, Linear fc, Linear proj0, Linear proj2) {
    this.name = name;
    this.options = options;
    this.bottleneck = bottleneck;
    this.blocks = blocks.clone();
    this.stemConv = stemConv;
    this.stemBn = stemBn;
    this.stages = stages;
    this.featureDim = featureDim;
    this.fc = fc;
    this.proj0 = proj0;
    this.proj2 = proj2;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Arch.Family family() {
    return Arch.Family.RESNET;
  }

  @Override
  public ModelOptions options() {
    return options;
  }

  @Override
  public int embeddingDim() {
    return featureDim;
  }

  /** @return the stages' blocks */
  public List<List<ResidualBlock>> stages() {
    return stages;
  }

  @Override
  public List<ParamSpec> featureEntries() {
    List<ParamSpec> p = new ArrayList<>(stemConv.params());
    p.addAll(stemBn.params());
    for (List<ResidualBlock> stage : stages) {
      for (ResidualBlock b : stage) {
        p.addAll(b.params());
      }
    }
    return p;
  }

  @Override
  public List<ParamSpec> headEntries() {
    return fc.params();
  }

  @Override
  public List<ParamSpec> projectionEntries() {
    if (proj0 == null) {
      return List.of();
    }
    List<ParamSpec> p = new ArrayList<>(proj0.params());
    p.addAll(proj2.params());
    return p;
  }

  @Override
  public Map<String, Object> details() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("block", bottleneck ? "bottleneck" : "basic");
    m.put("blocks", Arrays.stream(blocks).map(options::cappedBlocks).boxed().toList());
    m.put("stem", options.stem().cliName());
    m.put("stemChannels", stemConv.out());
    m.put("batchNorms", stages.stream().flatMap(List::stream).mapToInt(b -> (b.conv3() == null ? 2 : 3) + (b.downBn() == null ? 0 : 1)).sum() + 1);
    return m;
  }

  @Override
  public EncoderModel build() {
    SameDiff sd = SameDiff.create();
    GraphContext ctx = new GraphContext(sd, options.dataType(), options.seed(), ModelNames.TRAINING_FLAG, options.normKernel());
    try (ctx) {
      SDVariable input = sd.placeHolder(ModelNames.INPUT, options.dataType(), -1, options.channels(), options.imageSize(), options.imageSize());
      SDVariable x = Activations.relu(stemBn.forward(ctx, stemConv.forward(ctx, input)));
      if (options.stem() == Stem.IMAGENET) {
        x = sd.cnn().maxPooling2d(x, Pooling2DConfig.builder()
            .kH(3).kW(3).sH(2).sW(2).pH(1).pW(1)
            .paddingMode(PaddingMode.VALID).isNHWC(false).build());
      }
      for (List<ResidualBlock> stage : stages) {
        for (ResidualBlock b : stage) {
          x = b.forward(ctx, x);
        }
      }
      SDVariable embedding = x.mean(ModelNames.EMBEDDING, false, 2, 3);
      SDVariable logits = sd.identity(ModelNames.LOGITS, fc.forward(ctx, embedding));
      SDVariable projection = null;
      if (proj0 != null) {
        SDVariable h = Activations.relu(proj0.forward(ctx, embedding));
        projection = sd.identity(ModelNames.PROJECTION, proj2.forward(ctx, h));
      }
      return new EncoderModel(this, sd, ctx, embedding, logits, projection);
    }
  }
}

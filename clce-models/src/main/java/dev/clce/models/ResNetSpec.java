package dev.clce.models;

import dev.clce.models.layers.Activations;
import dev.clce.models.layers.BatchNorm2d;
import dev.clce.models.layers.Conv2d;
import dev.clce.models.layers.GraphContext;
import dev.clce.models.layers.Linear;
import dev.clce.models.layers.ParamSpec;
import dev.clce.models.layers.ProjectionHead;
import dev.clce.models.layers.ResidualBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/**
 * A ResNet, layer by layer, as {@link ResNetBuilder} lays it out. The graph and the parameter count
 * both read these layers.
 */
public final class ResNetSpec extends EncoderSpec {
  private final boolean bottleneck;
  private final int[] blocks;
  private final Conv2d stemConv;
  private final BatchNorm2d stemBn;
  private final List<List<ResidualBlock>> stages;

  ResNetSpec(String name, ModelOptions options, boolean bottleneck, int[] blocks, Conv2d stemConv, BatchNorm2d stemBn,
      List<List<ResidualBlock>> stages, Linear fc, ProjectionHead projection) {
    super(name, Arch.Family.RESNET, options, fc, projection);
    this.bottleneck = bottleneck;
    this.blocks = blocks.clone();
    this.stemConv = stemConv;
    this.stemBn = stemBn;
    this.stages = stages;
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
  public Map<String, Object> details() {
    ModelOptions options = options();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("block", bottleneck ? "bottleneck" : "basic");
    m.put("blocks", Arrays.stream(blocks).map(options::cappedBlocks).boxed().toList());
    m.put("stem", options.stem().cliName());
    m.put("stemChannels", stemConv.out());
    m.put("batchNorms", stages.stream().flatMap(List::stream).mapToInt(b -> (b.conv3() == null ? 2 : 3) + (b.downBn() == null ? 0 : 1)).sum() + 1);
    return m;
  }

  @Override
  SDVariable features(GraphContext ctx, SDVariable input, String embeddingName) {
    SDVariable x = Activations.relu(stemBn.forward(ctx, stemConv.forward(ctx, input)));
    if (options().stem() == Stem.IMAGENET) {
      x = ctx.sd().cnn().maxPooling2d(x, Pooling2DConfig.builder()
          .kH(3).kW(3).sH(2).sW(2).pH(1).pW(1)
          .paddingMode(PaddingMode.VALID).isNHWC(false).build());
    }
    for (List<ResidualBlock> stage : stages) {
      for (ResidualBlock b : stage) {
        x = b.forward(ctx, x);
      }
    }
    return x.mean(embeddingName, false, 2, 3);
  }
}

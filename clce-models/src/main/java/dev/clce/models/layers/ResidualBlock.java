package dev.clce.models.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A ResNet block in torchvision's layout (v1.5: the stride sits on the 3x3 convolution).
 *
 * <p>Basic block ({@code conv3 == null}): conv1 3x3/s, bn1, ReLU, conv2 3x3, bn2. Bottleneck: conv1
 * 1x1, bn1, ReLU, conv2 3x3/s, bn2, ReLU, conv3 1x1, bn3. Then the shortcut (identity, or
 * {@code downsample.0} 1x1/s conv and {@code downsample.1} BatchNorm) is added and a ReLU applied.
 *
 * @param conv1 first convolution
 * @param bn1 first BatchNorm
 * @param conv2 second convolution
 * @param bn2 second BatchNorm
 * @param conv3 third convolution (bottleneck only, else null)
 * @param bn3 third BatchNorm (bottleneck only, else null)
 * @param downConv shortcut convolution, or null for the identity
 * @param downBn shortcut BatchNorm, or null for the identity
 */
public record ResidualBlock(Conv2d conv1, BatchNorm2d bn1, Conv2d conv2, BatchNorm2d bn2, Conv2d conv3, BatchNorm2d bn3,
    Conv2d downConv, BatchNorm2d downBn) {

  /** @return the state entries in torchvision's order */
  public List<ParamSpec> params() {
    List<ParamSpec> p = new ArrayList<>();
    p.addAll(conv1.params());
    p.addAll(bn1.params());
    p.addAll(conv2.params());
    p.addAll(bn2.params());
    if (conv3 != null) {
      p.addAll(conv3.params());
      p.addAll(bn3.params());
    }
    if (downConv != null) {
      p.addAll(downConv.params());
      p.addAll(downBn.params());
    }
    return p;
  }

  /**
   * Adds the block to the graph.
   *
   * @param ctx the graph context
   * @param x input [N, C, H, W]
   * @return output [N, C', H', W']
   */
  public SDVariable forward(GraphContext ctx, SDVariable x) {
    SDVariable h = Activations.relu(bn1.forward(ctx, conv1.forward(ctx, x)));
    h = bn2.forward(ctx, conv2.forward(ctx, h));
    if (conv3 != null) {
      h = bn3.forward(ctx, conv3.forward(ctx, Activations.relu(h)));
    }
    SDVariable shortcut = downConv == null ? x : downBn.forward(ctx, downConv.forward(ctx, x));
    return Activations.relu(h.add(shortcut));
  }
}

package dev.clce.models.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The projection head of SimCLR and SupCon on the pooled embedding: {@code Linear(d, d), ReLU,
 * Linear(d, p)}, named as a {@code torch.nn.Sequential} of those three modules names it
 * ({@code prefix.0}, {@code prefix.2}).
 *
 * @param hidden the first linear layer ({@code prefix.0})
 * @param output the second linear layer ({@code prefix.2})
 */
public record ProjectionHead(Linear hidden, Linear output) {

  /**
   * Checks the layers fit each other.
   *
   * @param hidden the first linear layer
   * @param output the second linear layer
   */
  public ProjectionHead {
    if (hidden == null || output == null) {
      throw new IllegalArgumentException("hidden, output: must not be null, got " + hidden + ", " + output);
    }
    if (hidden.out() != output.in()) {
      throw new IllegalArgumentException("output: must read the hidden layer's " + hidden.out() + " features, got " + output.in());
    }
  }

  /**
   * A head with {@code torch.nn.Linear}'s default initialisation.
   *
   * @param prefix state-dict prefix of the head
   * @param in width of the embedding (and of the hidden layer)
   * @param out width of the projection
   * @return the head
   */
  public static ProjectionHead torchDefault(String prefix, int in, int out) {
    return new ProjectionHead(Linear.torchDefault(prefix + ".0", in, in), Linear.torchDefault(prefix + ".2", in, out));
  }

  /** @return width of the projection */
  public int outputDim() {
    return output.out();
  }

  /** @return the state entries: both layers' weight and bias, in that order */
  public List<ParamSpec> params() {
    List<ParamSpec> p = new ArrayList<>(hidden.params());
    p.addAll(output.params());
    return p;
  }

  /**
   * Adds the head to the graph.
   *
   * @param ctx the graph context
   * @param x the embedding [N, d]
   * @return the projection [N, p]
   */
  public SDVariable forward(GraphContext ctx, SDVariable x) {
    return output.forward(ctx, Activations.relu(hidden.forward(ctx, x)));
  }
}

package dev.clce.models.layers;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How the graph variable of a state entry is laid out relative to torchvision's state dict: the one
 * place that converts between the two.
 *
 * <p>Everything on disk or user-facing that speaks torchvision (safetensors import and export,
 * parameter listings and counts, training checkpoints, {@code weights_sha256}) uses the state-dict
 * layout; the SameDiff variable uses the graph layout. Both layouts hold the same values, only the
 * axis order differs: {@link #stateView} and {@link #graphView} are writable views (an
 * {@code assign} into them writes through to the array they view).
 */
public enum StateLayout {

  /** The graph variable has the state-dict shape and element order. */
  SAME(null),

  /**
   * A 2-D convolution weight: torchvision's {@code [out, in, kH, kW]} (OIHW) in the state dict,
   * ND4J's {@code YXIO} {@code [kH, kW, in, out]} in the graph, so that {@code conv2d} reads the
   * variable directly (no permute op in the forward graph, none in the backward one).
   */
  CONV2D_YXIO(new int[] {2, 3, 1, 0});

  /** Axis {@code i} of the graph array is axis {@code toGraph[i]} of the state-dict array. */
  private final int[] toGraph;
  /** Axis {@code i} of the state-dict array is axis {@code toState[i]} of the graph array. */
  private final int[] toState;

  StateLayout(int[] toGraph) {
    this.toGraph = toGraph;
    if (toGraph == null) {
      this.toState = null;
    } else {
      this.toState = new int[toGraph.length];
      for (int i = 0; i < toGraph.length; i++) {
        this.toState[toGraph[i]] = i;
      }
    }
  }

  /** @return the rank this layout applies to, or -1 for any rank ({@link #SAME}) */
  public int rank() {
    return toGraph == null ? -1 : toGraph.length;
  }

  /**
   * @param stateShape a shape in the state-dict layout
   * @return the graph variable's shape
   * @throws IllegalArgumentException if the rank does not fit the layout
   */
  public long[] graphShape(long[] stateShape) {
    return permuteShape(stateShape, toGraph, "stateShape");
  }

  /**
   * @param graphShape the graph variable's shape
   * @return the shape in the state-dict layout
   * @throws IllegalArgumentException if the rank does not fit the layout
   */
  public long[] stateShape(long[] graphShape) {
    return permuteShape(graphShape, toState, "graphShape");
  }

  /**
   * A view of a graph array in the state-dict layout (the array itself for {@link #SAME}).
   *
   * @param graph an array in the graph layout
   * @return a writable view in the state-dict layout
   */
  public INDArray stateView(INDArray graph) {
    return permute(graph, toState, "graph");
  }

  /**
   * A view of a state-dict array in the graph layout (the array itself for {@link #SAME}).
   *
   * @param state an array in the state-dict layout
   * @return a writable view in the graph layout
   */
  public INDArray graphView(INDArray state) {
    return permute(state, toGraph, "state");
  }

  /**
   * Converts a flat array made of whole copies of a parameter, each flattened in C order of the
   * graph layout (an optimiser's state view: Adam's first and second moments back to back, SGD
   * momentum's velocity), to the same copies flattened in C order of the state-dict layout.
   *
   * @param flat the flat array (any shape whose length is a multiple of the parameter's)
   * @param graphShape the parameter's graph shape
   * @return a new C-order array of {@code flat}'s shape (for {@link #SAME}, {@code flat} itself)
   * @throws IllegalArgumentException if the length is not a multiple of the parameter's
   */
  public INDArray flatToState(INDArray flat, long[] graphShape) {
    return convertFlat(flat, graphShape, toState, "flat");
  }

  /**
   * The inverse of {@link #flatToState}.
   *
   * @param flat copies of a parameter flattened in C order of the state-dict layout
   * @param stateShape the parameter's state-dict shape
   * @return a new C-order array of {@code flat}'s shape (for {@link #SAME}, {@code flat} itself)
   * @throws IllegalArgumentException if the length is not a multiple of the parameter's
   */
  public INDArray flatToGraph(INDArray flat, long[] stateShape) {
    return convertFlat(flat, stateShape, toGraph, "flat");
  }

  private long[] permuteShape(long[] shape, int[] perm, String what) {
    if (shape == null) {
      throw new IllegalArgumentException(what + ": must not be null");
    }
    if (perm == null) {
      return shape.clone();
    }
    requireRank(shape, what);
    long[] out = new long[perm.length];
    for (int i = 0; i < perm.length; i++) {
      out[i] = shape[perm[i]];
    }
    return out;
  }

  private INDArray permute(INDArray a, int[] perm, String what) {
    if (a == null) {
      throw new IllegalArgumentException(what + ": must not be null");
    }
    if (perm == null) {
      return a;
    }
    requireRank(a.shape(), what);
    return a.permute(perm);
  }

  private INDArray convertFlat(INDArray flat, long[] fromShape, int[] perm, String what) {
    if (flat == null || fromShape == null) {
      throw new IllegalArgumentException(what + ": array and shape must not be null");
    }
    if (perm == null) {
      return flat;
    }
    requireRank(fromShape, "shape");
    long n = 1;
    for (long d : fromShape) {
      n *= d;
    }
    if (n == 0 || flat.length() % n != 0) {
      throw new IllegalArgumentException(what + ": length must be a multiple of " + n + " " + Arrays.toString(fromShape)
          + ", got " + flat.length());
    }
    long[] blocks = new long[fromShape.length + 1];
    blocks[0] = flat.length() / n;
    System.arraycopy(fromShape, 0, blocks, 1, fromShape.length);
    int[] blockPerm = new int[perm.length + 1];
    for (int i = 0; i < perm.length; i++) {
      blockPerm[i + 1] = perm[i] + 1;
    }
    INDArray c = flat.dup('c');
    INDArray out = c.reshape('c', blocks).permute(blockPerm).dup('c').reshape('c', flat.shape());
    c.close();
    return out;
  }

  private void requireRank(long[] shape, String what) {
    if (shape.length != toGraph.length) {
      throw new IllegalArgumentException(what + ": " + name() + " needs rank " + toGraph.length + ", got "
          + Arrays.toString(shape));
    }
  }
}

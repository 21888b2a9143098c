package dev.clce.models.weights;

import java.util.Arrays;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fits weights trained on one kind of input to a model for another: ImageNet weights (three
 * channels, 224 px) into a model for grey images of another size, as {@link LoadRule#withInputAdaptation()}
 * asks. Two kinds of tensor depend on the input, and only these are adapted:
 * <ul>
 *   <li>the stem convolution ({@code conv1.weight} of a ResNet, {@code conv_proj.weight} of a ViT),
 *       [O, C, kH, kW], when only C differs: for one input channel the weights are summed over the
 *       file's channels (a grey image replicated to C channels then gives the same response);
 *       otherwise channel {@code c} takes the file's channel {@code c mod C'} scaled by
 *       {@code C' / C}, as timm's {@code adapt_input_conv} does;</li>
 *   <li>a ViT's position embedding ({@code encoder.pos_embedding}, [1, 1 + g*g, D]) for another
 *       patch grid: the class token's entry is kept and the g x g grid is resized bicubically with
 *       aligned corners, as torchvision's {@code interpolate_embeddings} does when it loads a ViT at
 *       another image size.</li>
 * </ul>
 * Anything else whose shape differs is still refused. Computed in double, then stored in the
 * model's element type.
 */
public final class InputAdaptation {
  /** The stem convolutions of torchvision's ResNets and ViTs. */
  public static final Set<String> STEM_CONVOLUTIONS = Set.of("conv1.weight", "conv_proj.weight");
  /** The position embedding of torchvision's ViTs. */
  public static final String POSITION_EMBEDDING = "encoder.pos_embedding";
  /** PyTorch's bicubic coefficient. */
  private static final double A = -0.75;

  private InputAdaptation() {}

  /**
   * How a tensor of the file's shape would be adapted to the model's, or null when it cannot be.
   *
   * @param name the model name
   * @param file the file's shape
   * @param model the model's shape
   * @return one line for the load report, or null
   */
  static String describe(String name, long[] file, long[] model) {
    if (STEM_CONVOLUTIONS.contains(name) && file.length == 4 && model.length == 4 && file[0] == model[0]
        && file[2] == model[2] && file[3] == model[3] && file[1] >= 1 && model[1] >= 1 && file[1] != model[1]) {
      return name + ": " + Arrays.toString(file) + " -> " + Arrays.toString(model) + " ("
          + (model[1] == 1 ? "summed over the " + file[1] + " input channels" : "input channels repeated and scaled by "
          + file[1] + "/" + model[1]) + ")";
    }
    if (POSITION_EMBEDDING.equals(name) && file.length == 3 && model.length == 3 && file[0] == 1 && model[0] == 1
        && file[2] == model[2] && grid(file[1]) > 0 && grid(model[1]) > 0 && file[1] != model[1]) {
      return name + ": " + Arrays.toString(file) + " -> " + Arrays.toString(model) + " (patch grid " + grid(file[1]) + "x"
          + grid(file[1]) + " -> " + grid(model[1]) + "x" + grid(model[1]) + ", bicubic, class token kept)";
    }
    return null;
  }

  /**
   * Adapts a tensor that {@link #describe} accepts.
   *
   * @param name the model name
   * @param file the file's tensor
   * @param model the model's shape
   * @return a new array of the model's shape, in the file tensor's element type
   */
  static INDArray adapt(String name, INDArray file, long[] model) {
    if (describe(name, file.shape(), model) == null) {
      throw new IllegalArgumentException("tensor '" + name + "': cannot adapt " + Arrays.toString(file.shape()) + " to "
          + Arrays.toString(model));
    }
    INDArray d = file.castTo(DataType.DOUBLE);
    INDArray out = STEM_CONVOLUTIONS.contains(name) ? stem(d, model) : positions(d, model);
    return out.castTo(file.dataType());
  }

  private static INDArray stem(INDArray w, long[] model) {
    long o = model[0];
    long cf = w.size(1);
    long c = model[1];
    INDArray out = Nd4j.zeros(DataType.DOUBLE, model);
    for (long i = 0; i < o; i++) {
      for (long y = 0; y < model[2]; y++) {
        for (long x = 0; x < model[3]; x++) {
          if (c == 1) {
            double s = 0;
            for (long k = 0; k < cf; k++) {
              s += w.getDouble(i, k, y, x);
            }
            out.putScalar(new long[] {i, 0, y, x}, s);
          } else {
            for (long k = 0; k < c; k++) {
              out.putScalar(new long[] {i, k, y, x}, w.getDouble(i, k % cf, y, x) * cf / (double) c);
            }
          }
        }
      }
    }
    return out;
  }

  private static INDArray positions(INDArray pos, long[] model) {
    int g = grid(pos.size(1));
    int n = grid(model[1]);
    int dim = (int) model[2];
    INDArray out = Nd4j.zeros(DataType.DOUBLE, model);
    for (int k = 0; k < dim; k++) {
      out.putScalar(new long[] {0, 0, k}, pos.getDouble(0, 0, k));
      double[][] src = new double[g][g];
      for (int y = 0; y < g; y++) {
        for (int x = 0; x < g; x++) {
          src[y][x] = pos.getDouble(0, 1 + y * g + x, k);
        }
      }
      double[][] dst = bicubic(src, n);
      for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
          out.putScalar(new long[] {0, 1 + y * n + x, k}, dst[y][x]);
        }
      }
    }
    return out;
  }

  /**
   * PyTorch's {@code interpolate(mode="bicubic", align_corners=True)} of a square grid: source
   * position {@code dst * (g - 1) / (n - 1)}, four taps per axis with indices clamped to the grid,
   * cubic convolution with A = -0.75, first along x, then along y.
   */
  static double[][] bicubic(double[][] src, int n) {
    int g = src.length;
    double scale = n > 1 ? (g - 1) / (double) (n - 1) : 0;
    double[][] out = new double[n][n];
    for (int oy = 0; oy < n; oy++) {
      double ry = scale * oy;
      int iy = (int) Math.floor(ry);
      double[] cy = coefficients(ry - iy);
      for (int ox = 0; ox < n; ox++) {
        double rx = scale * ox;
        int ix = (int) Math.floor(rx);
        double[] cx = coefficients(rx - ix);
        double v = 0;
        for (int j = 0; j < 4; j++) {
          double[] row = src[clamp(iy - 1 + j, g)];
          double r = 0;
          for (int i = 0; i < 4; i++) {
            r += cx[i] * row[clamp(ix - 1 + i, g)];
          }
          v += cy[j] * r;
        }
        out[oy][ox] = v;
      }
    }
    return out;
  }

  private static double[] coefficients(double t) {
    return new double[] {far(t + 1), near(t), near(1 - t), far(2 - t)};
  }

  /** Cubic convolution for |x| <= 1. */
  private static double near(double x) {
    return ((A + 2) * x - (A + 3)) * x * x + 1;
  }

  /** Cubic convolution for 1 < |x| < 2. */
  private static double far(double x) {
    return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  }

  private static int clamp(int i, int size) {
    return Math.max(0, Math.min(size - 1, i));
  }

  /** The side of the patch grid of a sequence with a class token, or -1 when it is not a square. */
  private static int grid(long tokens) {
    long cells = tokens - 1;
    long side = Math.round(Math.sqrt(cells));
    return cells >= 1 && side * side == cells ? (int) side : -1;
  }
}

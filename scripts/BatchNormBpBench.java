import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's {@code batchnorm_bp} alone, the kernel behind {@code clce_batch_norm_bp} (docs/PERFORMANCE.md,
 * "The bench encoder, side by side per op"): median time per call at the bench encoder's four shapes
 * and one ResNet-101 shape, with oneDNN allowed (what a graph runs), with oneDNN off for the call
 * ({@code OpContext.allowHelpers(false)}: ND4J's own kernel), and on channels-last data (axis 3).
 * Each line also prints the largest difference between the paths' input gradients, so that a faster
 * path that computes something else would show.
 *
 *   ./clce --version    # builds the jar
 *   OMP_WAIT_POLICY=PASSIVE java -cp "clce-bench/target/clce-bench.jar:clce-bench/target/lib/*" scripts/BatchNormBpBench.java
 */
public class BatchNormBpBench {
  private static final int WARMUP = 5;
  private static final int CALLS = 40;

  /** Median milliseconds per call; the input gradient goes to {@code dx}. */
  static double time(INDArray x, INDArray g, int axis, boolean helpers, INDArray dx) {
    int[] reduce = axis == 1 ? new int[] {0, 2, 3} : new int[] {0, 1, 2};
    long c = x.size(axis);
    INDArray mean = x.mean(reduce);
    INDArray var = x.var(false, reduce);
    Nd4j.getRandom().setSeed(3);
    INDArray gamma = Nd4j.rand(DataType.FLOAT, c).addi(0.5);
    INDArray beta = Nd4j.rand(DataType.FLOAT, c);
    INDArray[] out = {dx, mean.ulike(), var.ulike(), gamma.ulike(), beta.ulike()};
    DynamicCustomOp op = DynamicCustomOp.builder("batchnorm_bp").build();
    long[] ns = new long[CALLS];
    for (int i = 0; i < WARMUP + CALLS; i++) {
      try (OpContext ctx = Nd4j.getExecutioner().buildContext()) {
        ctx.setInputArrays(x, mean, var, gamma, beta, g);
        ctx.setOutputArrays(out);
        ctx.setIArguments(1, 1, axis);
        ctx.setTArguments(1e-5);
        ctx.allowHelpers(helpers);
        long t0 = System.nanoTime();
        Nd4j.getExecutioner().exec(op, ctx);
        long t = System.nanoTime() - t0;
        if (i >= WARMUP) {
          ns[i - WARMUP] = t;
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    Arrays.sort(ns);
    return ns[CALLS / 2] / 1e6;
  }

  public static void main(String[] args) {
    long[][] shapes = {{128, 16, 16, 16}, {128, 32, 8, 8}, {128, 64, 4, 4}, {128, 128, 2, 2}, {2, 256, 56, 56}};
    System.out.println("shape (NCHW) | oneDNN, NCHW ms | ND4J's own, NCHW ms | oneDNN, NHWC ms | max |dx| difference");
    for (long[] s : shapes) {
      Nd4j.getRandom().setSeed(7);
      INDArray x = Nd4j.randn(DataType.FLOAT, s);
      INDArray g = Nd4j.randn(DataType.FLOAT, s);
      INDArray dxOne = x.ulike();
      INDArray dxOwn = x.ulike();
      INDArray dxLast = x.permute(0, 2, 3, 1).dup('c').ulike();
      double one = time(x, g, 1, true, dxOne);
      double own = time(x, g, 1, false, dxOwn);
      double last = time(x.permute(0, 2, 3, 1).dup('c'), g.permute(0, 2, 3, 1).dup('c'), 3, true, dxLast);
      double diff = Math.max(dxOne.sub(dxOwn).amaxNumber().doubleValue(),
          dxOne.sub(dxLast.permute(0, 3, 1, 2)).amaxNumber().doubleValue());
      System.out.printf("%s | %.3f | %.3f | %.3f | %.2e%n", Arrays.toString(s), one, own, last, diff);
    }
  }
}

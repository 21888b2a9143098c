import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import java.util.Arrays;

/**
 * Which ND4J ops give other bits with another number of threads: run twice per thread count and compare
 * (docs/TRAINING.md, "Thread counts"). Each line is an op and a hash of its output.
 *
 *   for t in 1 2; do OMP_NUM_THREADS=$t java -cp "clce-bench/target/clce-bench.jar:clce-bench/target/lib/*" scripts/OpDeterminism.java; done
 */
public class OpDeterminism {
  static String h(INDArray a) { return Integer.toHexString(Arrays.hashCode(a.dup().data().asFloat())); }
  public static void main(String[] args) {
    Nd4j.getRandom().setSeed(7);
    INDArray a = Nd4j.rand(DataType.FLOAT, 256, 1152).subi(0.5);
    INDArray b = Nd4j.rand(DataType.FLOAT, 1152, 256).subi(0.5);
    System.out.println("mmul " + h(a.mmul(b)));
    INDArray big = Nd4j.rand(DataType.FLOAT, 4_000_000).subi(0.5);
    System.out.println("sum " + Float.floatToIntBits(big.sumNumber().floatValue()));
    INDArray x = Nd4j.rand(DataType.FLOAT, 64, 32, 16, 16).subi(0.5);
    System.out.println("sum_dim0 " + h(x.sum(0, 2, 3)));
    System.out.println("mean_var " + h(x.var(false, 0, 2, 3)));
    INDArray w = Nd4j.rand(DataType.FLOAT, 3, 3, 32, 32).subi(0.5);
    INDArray out = Nd4j.create(DataType.FLOAT, 64, 32, 16, 16);
    DynamicCustomOp conv = DynamicCustomOp.builder("conv2d").addInputs(x, w).addOutputs(out)
        .addIntegerArguments(3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0).build();
    Nd4j.exec(conv);
    System.out.println("conv2d " + h(out));
    INDArray eps = Nd4j.rand(DataType.FLOAT, 64, 32, 16, 16).subi(0.5);
    INDArray gx = Nd4j.create(DataType.FLOAT, 64, 32, 16, 16), gw = Nd4j.create(DataType.FLOAT, 3, 3, 32, 32);
    Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, eps).addOutputs(gx, gw)
        .addIntegerArguments(3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0).build());
    System.out.println("conv2d_bp dx " + h(gx) + " dw " + h(gw));
  }
}

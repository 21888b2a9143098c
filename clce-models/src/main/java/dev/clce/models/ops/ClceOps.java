package dev.clce.models.ops;

import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.api.buffer.DataType;

/** Registration of clce's ops with ND4J, and small graph helpers built on them. */
public final class ClceOps {

  private static volatile boolean registered;

  private ClceOps() {}

  /**
   * Adds clce's ops to ND4J's op-name table, so that SameDiff can rebuild them by name (when it builds
   * a gradient graph, and when it loads a saved graph). Idempotent and thread-safe; cheap after the
   * first call.
   */
  public static void register() {
    if (registered) {
      return;
    }
    synchronized (ClceOps.class) {
      if (registered) {
        return;
      }
      Map<String, DifferentialFunction> table = ImportClassMapping.getOpNameMapping();
      for (DifferentialFunction op : new DifferentialFunction[] {new FusedBatchNorm(), new FusedBatchNormBp(), new BitCastOp(), new Relu(), new Normalize(), new ScaleShift()}) {
        DifferentialFunction previous = table.putIfAbsent(op.opName(), op);
        if (previous != null && previous.getClass() != op.getClass()) {
          throw new IllegalStateException("ND4J already has an op named " + op.opName() + ": " + previous.getClass().getName());
        }
      }
      registered = true;
    }
  }

  /**
   * The same values as {@code v}, through which no gradient flows: SameDiff treats the result as
   * not connected to the loss (the path passes through an integer bit pattern), so it neither
   * differentiates the ops that computed {@code v} nor computes a zero gradient for them. For small
   * tensors (two bit casts of {@code v}'s size).
   *
   * @param sd the graph
   * @param v a FLOAT, DOUBLE or HALF variable
   * @return a variable with {@code v}'s values and type
   */
  public static SDVariable stopGradient(SameDiff sd, SDVariable v) {
    DataType f = v.dataType();
    DataType bits = switch (f) {
      case DOUBLE -> DataType.INT64;
      case FLOAT -> DataType.INT32;
      case HALF, BFLOAT16 -> DataType.INT16;
      default -> throw new IllegalArgumentException("v: must be a floating-point variable, got " + f + " (" + v.name() + ")");
    };
    SDVariable asBits = new BitCastOp(sd, v, bits).outputVariable();
    return new BitCastOp(sd, asBits, f).outputVariable();
  }
}

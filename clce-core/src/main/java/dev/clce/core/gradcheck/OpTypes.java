package dev.clce.core.gradcheck;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseScalarOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.dtype.Cast;
import org.nd4j.autodiff.samediff.serde.FlatBuffersMapper;

/**
 * Moves the floating types that ops fix when a graph is built (a {@code castTo(FLOAT)}, the scalar
 * of {@code x.add(1e-12)}, an output type such as {@code oneHot(..., FLOAT)}) to DOUBLE, so that a
 * graph built in FLOAT runs in double after its variables are converted; every change is recorded
 * in an undo list so that the graph can be put back exactly.
 *
 * <p>ND4J 1.0.0-M2.1 has no public API for most of this: the scalar of a scalar op is replaced with
 * {@link BaseScalarOp#setScalar(INDArray)}; {@link DataType} fields, the data-type arguments of
 * custom ops and the integer argument of {@link Cast} are rewritten by reflection. Best effort: an
 * op that keeps its type another way makes the check fail with a type error or refuse a loss that
 * is not double, never silently run in float.
 */
final class OpTypes {
  private OpTypes() {}

  static void toDouble(SameDiff g, List<Runnable> undo) {
    for (SameDiffOp op : g.getOps().values()) {
      DifferentialFunction f = op.getOp();
      if (f instanceof BaseScalarOp) {
        BaseScalarOp s = (BaseScalarOp) f;
        INDArray sc = s.scalar();
        if (sc != null && lowFloat(sc.dataType())) {
          s.setScalar(sc.castTo(DataType.DOUBLE));
          undo.add(() -> s.setScalar(sc));
        }
      }
      rewriteDataTypeFields(f, undo);
      if (f instanceof DynamicCustomOp) {
        rewriteDArguments((DynamicCustomOp) f, undo);
        if (f instanceof Cast) {
          rewriteCastIArgument((DynamicCustomOp) f, undo);
        }
      }
    }
  }

  private static boolean lowFloat(DataType t) {
    return t != null && t.isFPType() && t != DataType.DOUBLE;
  }

  private static void rewriteDataTypeFields(Object f, List<Runnable> undo) {
    for (Class<?> c = f.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (field.getType() != DataType.class || Modifier.isStatic(field.getModifiers())) {
          continue;
        }
        try {
          field.setAccessible(true);
          Object before = field.get(f);
          if (lowFloat((DataType) before)) {
            field.set(f, DataType.DOUBLE);
            undo.add(() -> {
              try {
                field.set(f, before);
              } catch (IllegalAccessException e) {
                throw new IllegalStateException("could not restore " + field, e);
              }
            });
          }
        } catch (ReflectiveOperationException | RuntimeException e) {
          // not writable: leave it; the run reports a type error or a non-double loss
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Object> listField(DynamicCustomOp op, String name) {
    try {
      Field field = DynamicCustomOp.class.getDeclaredField(name);
      field.setAccessible(true);
      return (List<Object>) field.get(op);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static void rewriteDArguments(DynamicCustomOp op, List<Runnable> undo) {
    List<Object> d = listField(op, "dArguments");
    if (d == null) {
      return;
    }
    for (int i = 0; i < d.size(); i++) {
      Object before = d.get(i);
      if (before instanceof DataType && lowFloat((DataType) before)) {
        d.set(i, DataType.DOUBLE);
        int at = i;
        undo.add(() -> d.set(at, before));
      }
    }
  }

  /** {@link Cast} passes its target type to the native op as a FlatBuffers type byte. */
  private static void rewriteCastIArgument(DynamicCustomOp op, List<Runnable> undo) {
    List<Object> args = listField(op, "iArguments");
    if (args == null) {
      return;
    }
    long dbl = FlatBuffersMapper.getDataTypeAsByte(DataType.DOUBLE);
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof Long) {
        DataType t;
        try {
          t = FlatBuffersMapper.getDataTypeFromByte(((Long) a).byteValue());
        } catch (RuntimeException e) {
          continue;
        }
        if (lowFloat(t)) {
          args.set(i, dbl);
          int at = i;
          undo.add(() -> args.set(at, a));
        }
      }
    }
  }
}

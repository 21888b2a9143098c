package dev.clce.models.ops;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Reinterprets the bits of a tensor as another type of the same width (the native {@code bitcast}
 * kernel). ND4J's own {@code BitCast} does not record its target type when built from SameDiff in
 * M2.1; this one does. Used by {@link ClceOps#stopGradient}; it has no gradient.
 */
public final class BitCastOp extends NativeAliasOp {

  /** This op's name in graphs. */
  public static final String OP_NAME = "clce_bitcast";
  private static final String PROP_TO = "to";

  static {
    ClceOps.register();
  }

  private DataType to;

  /** For SameDiff's rebuilding by name. */
  public BitCastOp() {
    super();
  }

  /**
   * @param sd the graph
   * @param x the input
   * @param to the type to reinterpret as (same element width as {@code x}'s)
   */
  public BitCastOp(SameDiff sd, SDVariable x, DataType to) {
    super(sd, new SDVariable[] {x});
    if (to == null || to.width() != x.dataType().width()) {
      throw new IllegalArgumentException("to: must have the width of " + x.dataType() + ", got " + to);
    }
    this.to = to;
    setArgs();
  }

  private void setArgs() {
    iArguments.clear();
    addIArgument(to.toInt());
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public String nativeName() {
    return "bitcast";
  }

  @Override
  public Map<String, Object> propertiesForFunction() {
    Map<String, Object> m = super.propertiesForFunction();
    m.put(PROP_TO, (long) to.toInt());
    return m;
  }

  @Override
  public void setPropertiesForFunction(Map<String, Object> properties) {
    to = DataType.fromInt(((Number) properties.get(PROP_TO)).intValue());
    setArgs();
  }

  @Override
  public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
    return List.of(to);
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradients) {
    throw new UnsupportedOperationException(OP_NAME + " has no gradient: it is only used where none flows");
  }
}

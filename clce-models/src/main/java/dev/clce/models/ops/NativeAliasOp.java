package dev.clce.models.ops;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A custom op with a clce name of its own that executes an existing native ND4J kernel.
 *
 * <p>{@link #opName()} is the clce name, under which SameDiff serialises the op and rebuilds it (see
 * the package documentation); {@link #opHash()} and {@link #getDescriptor()} are those of
 * {@link #nativeName()}, which is what ND4J's executioner uses to find the kernel.
 */
public abstract class NativeAliasOp extends DynamicCustomOp {

  /** For SameDiff's rebuilding by name: fields are set afterwards from the op's properties. */
  protected NativeAliasOp() {
    super();
  }

  /**
   * @param sd the graph
   * @param inputs the op's inputs, in the native kernel's order
   */
  protected NativeAliasOp(SameDiff sd, SDVariable[] inputs) {
    super(null, sd, inputs, false);
  }

  /** @return the name of the native kernel this op runs */
  public abstract String nativeName();

  @Override
  public long opHash() {
    return getDescriptor().getHash();
  }

  @Override
  public CustomOpDescriptor getDescriptor() {
    CustomOpDescriptor d = Nd4j.getExecutioner().getCustomOperations().get(nativeName());
    if (d == null) {
      throw new IllegalStateException("the ND4J backend has no native op " + nativeName() + " (needed by " + opName() + ")");
    }
    return d;
  }

  /**
   * The op's properties, written when SameDiff serialises the op and given back to
   * {@link #setPropertiesForFunction} when it rebuilds it. None by default: ND4J's default looks the
   * op's name up in its own descriptor table, where clce's names are not.
   *
   * @return a mutable map, empty here
   */
  @Override
  public Map<String, Object> propertiesForFunction() {
    return new HashMap<>();
  }

  /**
   * Restores fields from {@link #propertiesForFunction()}: nothing by default.
   *
   * @param properties the properties written by {@link #propertiesForFunction()}
   */
  @Override
  public void setPropertiesForFunction(Map<String, Object> properties) {
  }
}

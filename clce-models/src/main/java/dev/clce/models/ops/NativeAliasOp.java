package dev.clce.models.ops;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
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
  private static final Map<String, CustomOpDescriptor> DESCRIPTORS = new ConcurrentHashMap<>();

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

  /** @return the native kernel's descriptor (looked up once per kernel name: this runs for every execution) */
  @Override
  public CustomOpDescriptor getDescriptor() {
    return DESCRIPTORS.computeIfAbsent(nativeName(), n -> {
      CustomOpDescriptor d = Nd4j.getExecutioner().getCustomOperations().get(n);
      if (d == null) {
        throw new IllegalStateException("the ND4J backend has no native op " + n + " (needed by " + opName() + ")");
      }
      return d;
    });
  }

  /** @return 1: one output unless the op says otherwise */
  @Override
  public int getNumOutputs() {
    return 1;
  }

  /**
   * @param dataTypes the inputs' types
   * @return the first input's type for every output
   */
  @Override
  public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
    return Collections.nCopies(getNumOutputs(), dataTypes.get(0));
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

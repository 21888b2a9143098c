package dev.clce.models.weights;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What a model expects of one stored tensor: its name (torchvision's state-dict key), shape and
 * element type. Immutable.
 */
public final class TensorSpec {
  private final String name;
  private final long[] shape;
  private final DataType dataType;

  /**
   * @param name the state-dict key
   * @param shape the shape (empty for a scalar)
   * @param dataType the element type the model holds it in
   */
  public TensorSpec(String name, long[] shape, DataType dataType) {
    this.name = Objects.requireNonNull(name, "name");
    this.shape = Objects.requireNonNull(shape, "shape").clone();
    this.dataType = Objects.requireNonNull(dataType, "dataType");
  }

  /** @return the state-dict key */
  public String name() {
    return name;
  }

  /** @return a copy of the shape */
  public long[] shape() {
    return shape.clone();
  }

  /** @return the element type the model holds this tensor in */
  public DataType dataType() {
    return dataType;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && name.equals(t.name) && Arrays.equals(shape, t.shape) && dataType == t.dataType;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), dataType);
  }

  @Override
  public String toString() {
    return name + " " + Arrays.toString(shape) + " " + dataType;
  }
}

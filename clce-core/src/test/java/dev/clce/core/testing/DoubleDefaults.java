package dev.clce.core.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes DOUBLE ND4J's default types for a test class (arrays made without a type are then double, as
 * float64 gradient checks need) and restores the previous defaults after it:
 * {@code @ExtendWith(DoubleDefaults.class)}.
 */
public final class DoubleDefaults implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DoubleDefaults.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).put("saved", new DataType[] {Nd4j.dataType(), Nd4j.defaultFloatingPointType()});
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    DataType[] saved = context.getStore(NS).remove("saved", DataType[].class);
    Nd4j.setDefaultDataTypes(saved[0], saved[1]);
  }
}

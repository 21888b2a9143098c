package dev.clce.bench.train;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A test class's synthetic Fashion-MNIST-format dataset ({@link SyntheticFashion}), written once
 * before its tests into a temporary directory, with ND4J on one thread while they run:
 *
 * <pre>
 * &#64;RegisterExtension static final SyntheticFashionData DATA = new SyntheticFashionData(4, 24, 10, 7);
 * ... DataSpec.parse("fashion-mnist:" + DATA.dir()) ...
 * </pre>
 */
public final class SyntheticFashionData implements BeforeAllCallback, AfterAllCallback {
  private final int classes;
  private final int trainPerClass;
  private final int testPerClass;
  private final long seed;
  private Path root;
  private Path dir;
  private int threads;

  /**
   * @param classes number of classes
   * @param trainPerClass training images per class
   * @param testPerClass test images per class
   * @param seed noise seed
   */
  public SyntheticFashionData(int classes, int trainPerClass, int testPerClass, long seed) {
    this.classes = classes;
    this.trainPerClass = trainPerClass;
    this.testPerClass = testPerClass;
    this.seed = seed;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    root = Files.createTempDirectory("clce-synthetic-");
    dir = SyntheticFashion.write(root.resolve("data"), classes, trainPerClass, testPerClass, seed);
    threads = SyntheticFashion.singleThreaded();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Nd4j.getEnvironment().setMaxThreads(threads);
    if (root != null) {
      try (var paths = Files.walk(root)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** @return the dataset's directory (after {@code beforeAll}) */
  public Path dir() {
    if (dir == null) {
      throw new IllegalStateException("the dataset is written before the class's tests: register as a static field");
    }
    return dir;
  }

  /** @return a scratch directory beside the dataset, removed after the class's tests */
  public Path scratch() {
    return root;
  }
}

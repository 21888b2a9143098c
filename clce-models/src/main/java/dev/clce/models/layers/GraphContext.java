package dev.clce.models.layers;

import dev.clce.core.random.NdRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a layer needs while it adds itself to a graph: the graph, the floating-point type, a seeded
 * random source, the model's training switch, and the record of every state entry created so far.
 *
 * <p>Every parameter and buffer goes through {@link #param(ParamSpec)}: the variable is named as the
 * spec says and shaped as its {@link ParamSpec#graphShape()}, so the list of specs a layer reports
 * ({@code params()}) and the variables it creates are one definition.
 */
public final class GraphContext implements AutoCloseable {
  private final SameDiff sd;
  private final DataType dataType;
  private final Random rng;
  private final SDVariable training;
  private final NormKernel normKernel;
  private final Map<String, ParamSpec> created = new LinkedHashMap<>();
  private final List<BatchNorm2d> batchNorms = new ArrayList<>();

  /**
   * @param sd the graph to build into
   * @param dataType floating-point type of parameters and activations
   * @param seed seed of the initialisation
   * @param trainingFlagName name of the scalar constant that is 1 in training and 0 in inference
   */
  public GraphContext(SameDiff sd, DataType dataType, long seed, String trainingFlagName) {
    this(sd, dataType, seed, trainingFlagName, NormKernel.AUTO);
  }

  /**
   * @param sd the graph to build into
   * @param dataType floating-point type of parameters and activations
   * @param seed seed of the initialisation
   * @param trainingFlagName name of the scalar constant that is 1 in training and 0 in inference
   * @param normKernel how BatchNorm and LayerNorm layers compute ({@link NormKernel#AUTO} resolves by
   *     {@code dataType})
   */
  public GraphContext(SameDiff sd, DataType dataType, long seed, String trainingFlagName, NormKernel normKernel) {
    if (normKernel == null) {
      throw new IllegalArgumentException("normKernel: must not be null");
    }
    this.sd = Objects.requireNonNull(sd, "sd");
    if (dataType == null || !dataType.isFPType()) {
      throw new IllegalArgumentException("dataType: must be a floating-point type, got " + dataType);
    }
    this.dataType = dataType;
    this.normKernel = normKernel.resolve(dataType);
    this.rng = NdRandom.generator(seed);
    this.training = sd.constant(trainingFlagName, Nd4j.scalar(dataType, 1.0));
  }

  /** @return the graph */
  public SameDiff sd() {
    return sd;
  }

  /** @return how BatchNorm and LayerNorm layers compute: {@link NormKernel#NATIVE} or {@link NormKernel#PRIMITIVE} */
  public NormKernel normKernel() {
    return normKernel;
  }

  /** @return the floating-point type */
  public DataType dataType() {
    return dataType;
  }

  /** @return the scalar training switch (1 training, 0 inference) */
  public SDVariable training() {
    return training;
  }

  /**
   * Creates the variable for a state entry: a trainable {@code VARIABLE} or a {@code CONSTANT}
   * buffer, initialised as the spec says. The random values are drawn in the state-dict shape and
   * then laid out as {@link ParamSpec#layout()} says, so a seed gives the same torchvision-layout
   * weights whatever the graph layout.
   *
   * @param spec the entry
   * @return the variable, named {@code spec.name()}, shaped {@code spec.graphShape()}
   */
  public SDVariable param(ParamSpec spec) {
    if (created.containsKey(spec.name())) {
      throw new IllegalStateException("state entry created twice: " + spec.name());
    }
    created.put(spec.name(), spec);
    if (spec.role() == ParamSpec.Role.BATCH_COUNT) {
      return sd.constant(spec.name(), Nd4j.scalar(DataType.INT64, 0L));
    }
    INDArray state = initialise(spec);
    INDArray arr = spec.layout() == StateLayout.SAME ? state : spec.layout().graphView(state).dup('c');
    if (spec.trainable()) {
      return sd.var(spec.name(), arr);
    }
    return sd.constant(spec.name(), arr);
  }

  private INDArray initialise(ParamSpec spec) {
    long[] shape = spec.shape();
    ParamSpec.Init init = spec.init();
    INDArray arr;
    switch (init.kind()) {
      case CONSTANT -> arr = Nd4j.valueArrayOf(shape, init.value(), dataType);
      case NORMAL -> {
        arr = Nd4j.createUninitialized(dataType, shape);
        Nd4j.randn(arr, rng);
        arr.muli(init.value());
      }
      case UNIFORM -> {
        arr = Nd4j.createUninitialized(dataType, shape);
        Nd4j.rand(arr, rng);
        arr.muli(2 * init.value()).subi(init.value());
      }
      default -> throw new IllegalStateException("unknown init " + init);
    }
    return arr;
  }

  /**
   * Records a BatchNorm layer, so that the model can update its running statistics.
   *
   * @param bn the layer
   */
  void registerBatchNorm(BatchNorm2d bn) {
    batchNorms.add(bn);
  }

  /** @return the BatchNorm layers in the order they were built */
  public List<BatchNorm2d> batchNorms() {
    return Collections.unmodifiableList(batchNorms);
  }

  /** @return every state entry created, in creation order */
  public List<ParamSpec> created() {
    return List.copyOf(created.values());
  }

  /** Releases the random source. */
  @Override
  public void close() {
    try {
      rng.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not release the random generator", e);
    }
  }
}

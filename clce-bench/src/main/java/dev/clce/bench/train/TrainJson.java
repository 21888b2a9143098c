package dev.clce.bench.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import dev.clce.bench.data.DataSpec;
import dev.clce.core.internal.AtomicFiles;
import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.layers.NormKernel;
import dev.clce.models.Stem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one JSON form of the training records ({@link TrainConfig}, {@link TrainResult}): snake_case
 * keys, enums by their command-line names, a dataset as {@code KIND:DIR}. The value classes of
 * clce-core and clce-models ({@link LossConfig}, {@link ModelOptions}) carry no Jackson annotations,
 * so their form is given here by mix-ins and read back through their own builders, which check them.
 *
 * <p>A configuration written before it had parts (one flat object, clce up to 051f51b) is read by
 * {@link #config(JsonNode)} too, so older run directories still evaluate and resume.
 */
public final class TrainJson {
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .addMixIn(LossConfig.class, LossConfigMixin.class)
      .addMixIn(LossConfig.Builder.class, LossBuilderMixin.class)
      .addMixIn(ModelOptions.class, ModelOptionsMixin.class)
      .addMixIn(ModelOptions.Builder.class, ModelBuilderMixin.class)
      .addMixIn(DataSpec.class, DataSpecMixin.class)
      .addMixIn(LossKind.class, CliNamed.class)
      .addMixIn(Aggregation.class, CliNamed.class)
      .addMixIn(Arch.class, CliNamed.class)
      .addMixIn(Stem.class, CliNamed.class)
      .addMixIn(NormKernel.class, CliNamed.class)
      .addMixIn(OptimizerKind.class, CliNamed.class)
      .addMixIn(Sampler.class, CliNamed.class);

  private TrainJson() {}

  /** @return the mapper (shared, configured once; do not reconfigure) */
  public static ObjectMapper mapper() {
    return JSON;
  }

  /**
   * The JSON tree of a value.
   *
   * @param value a record of this package (or any value the mapper knows)
   * @return its tree
   */
  public static JsonNode tree(Object value) {
    return JSON.valueToTree(value);
  }

  /**
   * Writes a value atomically, indented.
   *
   * @param file the file
   * @param value the value
   */
  public static void write(Path file, Object value) {
    try {
      AtomicFiles.write(file, JSON.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("could not encode " + file, e);
    }
  }

  /**
   * Reads a value written by {@link #write}.
   *
   * @param file the file
   * @param type its type
   * @param <T> the type
   * @return the value
   * @throws IllegalArgumentException naming the file when it does not hold a valid value
   */
  public static <T> T read(Path file, Class<T> type) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("file: no such file, got " + file);
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException(file + ": not a valid " + type.getSimpleName()
            + " (the file must hold one JSON object, got " + (root == null ? "nothing" : root.getNodeType()) + ")");
      }
      return JSON.treeToValue(upgrade(root), type);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not a valid " + type.getSimpleName() + " (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Reads a configuration from its JSON tree: the form of this version (one object per part) or the
   * flat form of clce up to 051f51b.
   *
   * @param node the tree
   * @return the configuration
   * @throws IllegalArgumentException naming the first missing or bad value
   */
  public static TrainConfig config(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("config: must be a JSON object, got " + node);
    }
    try {
      JsonNode loss = node.get("loss");
      if (loss != null && loss.isTextual()) {
        return JSON.treeToValue(node, LegacyTrainConfig.class).toConfig();
      }
      return JSON.treeToValue(upgrade(node.deepCopy()), TrainConfig.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      throw new IllegalArgumentException("config: " + message.lines().findFirst().orElse(""), e);
    }
  }

  /**
   * Brings a tree written by an earlier version of this form up to date, in place: a budget written
   * before chunked steps existed has no {@code chunk}, and such a run took each batch in one pass
   * ({@code chunk} 0). Every other value must be present (missing values are refused, never
   * defaulted).
   *
   * @param node a record's tree (a configuration, or a record holding one at any depth)
   * @return {@code node}
   */
  static JsonNode upgrade(JsonNode node) {
    if (node != null && node.isContainerNode()) {
      JsonNode budget = node.get(BUDGET);
      if (budget instanceof com.fasterxml.jackson.databind.node.ObjectNode b && !b.has(CHUNK)) {
        b.put(CHUNK, 0);
      }
      for (JsonNode child : node) {
        upgrade(child);
      }
    }
    return node;
  }

  private static final String BUDGET = "budget";
  private static final String CHUNK = "chunk";

  /** Enums by their command-line names. */
  abstract static class CliNamed {
    @JsonValue
    abstract String cliName();
  }

  /** {@code KIND:DIR}. */
  abstract static class DataSpecMixin {
    @JsonValue
    @Override
    public abstract String toString();

    @JsonCreator
    static DataSpec parse(String text) {
      return null;
    }
  }

  @JsonDeserialize(builder = LossConfig.Builder.class)
  @JsonPropertyOrder({"kind", "tau", "lambda", "beta", "aggregation", "detach_weights"})
  abstract static class LossConfigMixin {
    @JsonProperty
    abstract LossKind kind();

    @JsonProperty
    abstract double tau();

    @JsonProperty
    abstract double lambda();

    @JsonProperty
    abstract double beta();

    @JsonProperty
    abstract Aggregation aggregation();

    @JsonProperty
    abstract boolean detachWeights();

    @JsonIgnore
    abstract boolean checkInputs();
  }

  @JsonPOJOBuilder(withPrefix = "opt")
  abstract static class LossBuilderMixin {
    @JsonCreator
    LossBuilderMixin(@JsonProperty("kind") LossKind kind) {}

    @JsonIgnore
    abstract LossConfig.Builder optCheckInputs(boolean v);
  }

  /** Only the architecture options: classes, input size, channels and seed belong to other parts. */
  @JsonDeserialize(builder = ModelOptions.Builder.class)
  @JsonPropertyOrder({"stem", "width", "projection_head", "projection_dim", "max_blocks_per_stage", "norm_kernel"})
  abstract static class ModelOptionsMixin {
    @JsonProperty
    abstract Stem stem();

    @JsonProperty
    abstract double width();

    @JsonProperty
    abstract boolean projectionHead();

    @JsonProperty
    abstract int projectionDim();

    @JsonProperty
    abstract int maxBlocksPerStage();

    @JsonProperty
    abstract NormKernel normKernel();
  }

  @JsonPOJOBuilder(withPrefix = "opt")
  abstract static class ModelBuilderMixin {
    @JsonIgnore
    abstract ModelOptions.Builder optClasses(int v);

    @JsonIgnore
    abstract ModelOptions.Builder optImageSize(int v);

    @JsonIgnore
    abstract ModelOptions.Builder optChannels(int v);

    @JsonIgnore
    abstract ModelOptions.Builder optSeed(long v);

    @JsonIgnore
    abstract ModelOptions.Builder optDataType(org.nd4j.linalg.api.buffer.DataType v);
  }
}

package dev.clce.models;

import dev.clce.models.layers.GraphContext;
import dev.clce.models.layers.ParamSpec;
import dev.clce.models.layers.StateLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SDVariable;
import dev.clce.models.ops.FusedBatchNorm;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A built encoder: a SameDiff graph with documented names, and the switch between training and
 * inference.
 *
 * <ul>
 *   <li>Input placeholder {@link ModelNames#INPUT}: float [N, C, H, W], NCHW, N free.</li>
 *   <li>{@link ModelNames#EMBEDDING}: the pooled embedding [N, d] that contrastive losses read
 *       (ResNet: global-average-pooled features; ViT: class token after the final LayerNorm).</li>
 *   <li>{@link ModelNames#LOGITS}: [N, classes].</li>
 *   <li>{@link ModelNames#PROJECTION}: [N, projectionDim], only with the projection head.</li>
 *   <li>Every parameter and buffer is a variable named by its torchvision state-dict key with
 *       torchvision's shape, except convolution weights, which the graph holds in ND4J's YXIO layout
 *       {@code [kH, kW, in, out]} (torchvision: {@code [out, in, kH, kW]}; see {@link StateLayout}
 *       and {@link #stateArray(String)}): trainable parameters are {@code VARIABLE}s, BatchNorm
 *       running statistics and {@code num_batches_tracked} (INT64 scalar) are {@code CONSTANT}s.</li>
 * </ul>
 *
 * <pre>{@code
 * EncoderModel m = Arch.RESNET50.create(ModelOptions.defaults());
 * SameDiff sd = m.sameDiff();
 * SDVariable labels = sd.placeHolder("labels", DataType.INT32, -1);
 * SDClceLoss.of(sd).loss("loss", cfg, m.embedding(), labels, m.logits()).markAsLoss();
 * sd.setTrainingConfig(...);
 * sd.fit(iterator, epochs, m.batchNormStatistics().listener());
 * m.setTraining(false);   // running statistics from now on
 * }</pre>
 *
 * <p>A new model is in training mode (batch statistics in BatchNorm).
 */
public final class EncoderModel {
  private final ModelSpec spec;
  private final SameDiff sd;
  private final SDVariable embedding;
  private final SDVariable logits;
  private final SDVariable projection;
  private final BatchNormStatistics batchNorm;
  private final Map<String, ParamSpec> entries = new HashMap<>();
  private boolean training = true;

  EncoderModel(ModelSpec spec, SameDiff sd, GraphContext ctx, SDVariable embedding, SDVariable logits, SDVariable projection) {
    List<ParamSpec> expected = spec.stateEntries();
    List<ParamSpec> created = ctx.created();
    if (expected.size() != created.size() || !new java.util.HashSet<>(expected).equals(new java.util.HashSet<>(created))) {
      throw new IllegalStateException("graph of " + spec.name() + " created " + created.size() + " state entries, spec lists "
          + expected.size() + ": the builder and its spec disagree");
    }
    this.spec = spec;
    this.sd = sd;
    this.embedding = embedding;
    this.logits = logits;
    this.projection = projection;
    this.batchNorm = new BatchNormStatistics(sd, ctx.batchNorms());
    for (ParamSpec p : expected) {
      entries.put(p.name(), p);
    }
  }

  /** @return the graph */
  public SameDiff sameDiff() {
    return sd;
  }

  /** @return the description the graph was built from */
  public ModelSpec spec() {
    return spec;
  }

  /** @return the input placeholder's name, {@link ModelNames#INPUT} */
  public String inputName() {
    return ModelNames.INPUT;
  }

  /** @return the pooled embedding's name, {@link ModelNames#EMBEDDING} */
  public String embeddingName() {
    return embedding.name();
  }

  /** @return the logits' name, {@link ModelNames#LOGITS} */
  public String logitsName() {
    return logits.name();
  }

  /** @return the projection head output's name, when the head is built */
  public Optional<String> projectionName() {
    return Optional.ofNullable(projection).map(SDVariable::name);
  }

  /** @return the input placeholder */
  public SDVariable input() {
    return sd.getVariable(ModelNames.INPUT);
  }

  /** @return the pooled embedding [N, d] */
  public SDVariable embedding() {
    return embedding;
  }

  /** @return the logits [N, classes] */
  public SDVariable logits() {
    return logits;
  }

  /** @return the projection head output [N, projectionDim], when the head is built */
  public Optional<SDVariable> projection() {
    return Optional.ofNullable(projection);
  }

  /** @return what a contrastive loss should read: the projection output if built, else the embedding */
  public SDVariable contrastiveEmbedding() {
    return projection != null ? projection : embedding;
  }

  /** @return width of the pooled embedding */
  public int embeddingDim() {
    return spec.embeddingDim();
  }

  /** @return names of all trainable parameters, in torchvision's order (then the projection head) */
  public List<String> parameterNames() {
    return names(spec.stateEntries(), true);
  }

  /** @return names of every state entry (parameters and buffers), in torchvision's state-dict order */
  public List<String> stateNames() {
    return names(spec.stateEntries(), false);
  }

  /** @return names of the feature extractor's trainable parameters */
  public List<String> featureParameterNames() {
    return names(spec.featureEntries(), true);
  }

  /** @return names of the classifier's parameters ({@code fc.*} or {@code heads.head.*}) */
  public List<String> headParameterNames() {
    return names(spec.headEntries(), true);
  }

  /** @return names of the projection head's parameters (empty when it is off) */
  public List<String> projectionParameterNames() {
    return names(spec.projectionEntries(), true);
  }

  private static List<String> names(List<ParamSpec> entries, boolean trainableOnly) {
    List<String> n = new ArrayList<>(entries.size());
    for (ParamSpec p : entries) {
      if (!trainableOnly || p.trainable()) {
        n.add(p.name());
      }
    }
    return Collections.unmodifiableList(n);
  }

  /**
   * How a state entry's graph variable is laid out relative to torchvision's state dict.
   *
   * @param name a state entry ({@link #stateNames()})
   * @return its layout ({@link StateLayout#CONV2D_YXIO} for convolution weights, else
   *     {@link StateLayout#SAME})
   * @throws IllegalArgumentException if the name is not a state entry
   */
  public StateLayout layout(String name) {
    return entry(name).layout();
  }

  /**
   * A state entry's current value in torchvision's layout and shape: a writable view of the graph
   * variable's array (the array itself unless {@link #layout} says otherwise), so
   * {@code stateArray(n).assign(torchvisionArray)} loads a value and {@code stateArray(n).dup()}
   * reads one.
   *
   * @param name a state entry ({@link #stateNames()})
   * @return the view, shaped as torchvision's {@code state_dict()[name]}
   * @throws IllegalArgumentException if the name is not a state entry
   */
  public INDArray stateArray(String name) {
    return entry(name).layout().stateView(sd.getArrForVarName(name));
  }

  private ParamSpec entry(String name) {
    ParamSpec p = name == null ? null : entries.get(name);
    if (p == null) {
      throw new IllegalArgumentException("name: not a state entry of " + spec.name() + ", got " + name);
    }
    return p;
  }

  /** @return the number of trainable scalars */
  public long trainableParameterCount() {
    return spec.trainableParameterCount();
  }

  /**
   * Switches the whole model between training (BatchNorm uses batch statistics) and inference
   * (running statistics). Dropout-free models have no other difference.
   *
   * @param training true for training
   */
  public void setTraining(boolean training) {
    setTraining(sd, training);
    this.training = training;
  }

  /**
   * Switches a graph built by this package between training and inference, also a bare graph that
   * {@code ModelCheckpoint.load} returned: sets the training flag ({@link ModelNames#TRAINING_FLAG},
   * read by BatchNorm from primitive ops and by {@link BatchNormStatistics}) and wires every native
   * BatchNorm to the batch or the running statistics ({@link FusedBatchNorm#useBatchStatistics}).
   * Assigning the flag alone does not switch native BatchNorm layers.
   *
   * @param sd the graph
   * @param training true for training
   * @throws IllegalArgumentException if the graph has no training flag
   */
  public static void setTraining(SameDiff sd, boolean training) {
    if (sd == null || !sd.hasVariable(ModelNames.TRAINING_FLAG)) {
      throw new IllegalArgumentException("sd: must be a graph with the training flag " + ModelNames.TRAINING_FLAG + ", got "
          + (sd == null ? "null" : "a graph without it"));
    }
    sd.getArrForVarName(ModelNames.TRAINING_FLAG).assign(training ? 1.0 : 0.0);
    FusedBatchNorm.useBatchStatistics(sd, training);
  }

  /** @return whether the model is in training mode */
  public boolean isTraining() {
    return training;
  }

  /** @return the running-statistics updater of the BatchNorm layers (empty for a ViT) */
  public BatchNormStatistics batchNormStatistics() {
    return batchNorm;
  }

  /**
   * Runs the graph on a batch in the current mode.
   *
   * @param input [N, C, H, W] in the model's data type
   * @return the embedding, the logits and (when built) the projection output, by name
   */
  public Map<String, INDArray> output(INDArray input) {
    long[] s = input == null ? null : input.shape();
    ModelOptions o = spec.options();
    if (s == null || s.length != 4 || s[1] != o.channels() || s[2] != o.imageSize() || s[3] != o.imageSize()) {
      throw new IllegalArgumentException("input: must be [N, " + o.channels() + ", " + o.imageSize() + ", " + o.imageSize()
          + "], got " + (s == null ? "null" : java.util.Arrays.toString(s)));
    }
    List<String> outs = new ArrayList<>(List.of(embeddingName(), logitsName()));
    projectionName().ifPresent(outs::add);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(ModelNames.INPUT, input.castTo(o.dataType()));
    return sd.output(ph, outs);
  }
}

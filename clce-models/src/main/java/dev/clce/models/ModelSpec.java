package dev.clce.models;

import dev.clce.models.layers.ParamSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The complete description of one model: its state entries (torchvision names and shapes, in
 * torchvision's {@code state_dict()} order, then the optional projection head) and its geometry.
 * Computing a spec allocates no arrays, so parameter counts of full-size networks are cheap; the
 * graph built by {@link #build()} creates exactly these entries (it checks so).
 */
public interface ModelSpec {

  /** @return the architecture name ({@code resnet50}, {@code vit_b_16}, or a custom name) */
  String name();

  /** @return the family */
  Arch.Family family();

  /** @return the options the spec was made from */
  ModelOptions options();

  /** @return width of the pooled embedding */
  int embeddingDim();

  /** @return entries of the feature extractor (everything before the classifier) */
  List<ParamSpec> featureEntries();

  /** @return entries of the classifier ({@code fc} or {@code heads.head}) */
  List<ParamSpec> headEntries();

  /** @return entries of the projection head (empty when it is off) */
  List<ParamSpec> projectionEntries();

  /**
   * Architecture-specific facts for summaries (blocks, heads, patch size, ...).
   *
   * @return an ordered map of names to numbers or strings
   */
  Map<String, Object> details();

  /**
   * Builds the SameDiff graph.
   *
   * @return a new model, in training mode
   */
  EncoderModel build();

  /** @return every state entry: features, classifier, projection head */
  default List<ParamSpec> stateEntries() {
    List<ParamSpec> all = new ArrayList<>(featureEntries());
    all.addAll(headEntries());
    all.addAll(projectionEntries());
    return all;
  }

  /** @return the number of trainable scalars (torchvision's {@code sum(p.numel() for p in parameters())}) */
  default long trainableParameterCount() {
    return stateEntries().stream().filter(ParamSpec::trainable).mapToLong(ParamSpec::numel).sum();
  }

  /** @return the number of scalars in non-trainable buffers (running statistics and counters) */
  default long bufferCount() {
    return stateEntries().stream().filter(p -> !p.trainable()).mapToLong(ParamSpec::numel).sum();
  }

  /**
   * A summary for people and for JSON: name, family, trainable parameters, buffers, tensors,
   * input shape, embedding and logits widths, then {@link #details()}.
   *
   * @return an ordered map
   */
  default Map<String, Object> summary() {
    ModelOptions o = options();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("arch", name());
    m.put("family", family().name().toLowerCase(java.util.Locale.ROOT));
    m.put("parameters", trainableParameterCount());
    m.put("buffers", bufferCount());
    m.put("tensors", stateEntries().size());
    m.put("input", List.of(-1, o.channels(), o.imageSize(), o.imageSize()));
    m.put("classes", o.classes());
    m.put("imageSize", o.imageSize());
    m.put("channels", o.channels());
    m.put("width", o.width());
    m.put("embeddingDim", embeddingDim());
    m.put("projectionDim", o.projectionHead() ? o.projectionDim() : 0);
    m.putAll(details());
    return m;
  }
}

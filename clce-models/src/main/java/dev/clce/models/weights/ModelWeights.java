package dev.clce.models.weights;

import dev.clce.models.EncoderModel;
import dev.clce.models.ModelSpec;
import dev.clce.models.layers.ParamSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * torchvision-compatible weights for our encoders: import and export of a state dict stored as
 * safetensors, with torchvision's names and shapes (buffers included). Files are always in
 * torchvision's layout: convolution weights, which the graph holds as YXIO {@code [kH, kW, in, out]},
 * are converted from and to {@code [out, in, kH, kW]} here ({@link dev.clce.models.layers.StateLayout}).
 *
 * <pre>{@code
 * EncoderModel m = Arch.RESNET50.create(ModelOptions.builder().build());
 * ModelWeights.load(m, Path.of("resnet50.safetensors"));          // every tensor, strictly
 * m.setTraining(false);
 *
 * EncoderModel ft = Arch.RESNET50.create(ModelOptions.builder().optClasses(100).build());
 * ModelWeights.loadBackbone(ft, Path.of("resnet50.safetensors")); // all but the classifier
 * ModelWeights.export(ft, Path.of("finetuned.safetensors"));
 * }</pre>
 *
 * <p>A file made from a torchvision model: {@code safetensors.torch.save_file(model.state_dict(), f)}
 * (or the struct+json writer of {@code clce-models/src/test/python/make_model_fixtures.py}).
 * Checkpoints from before torchvision 0.14 name ViT MLP layers {@code mlp.linear_1/2}: pass
 * {@code LoadRule.strict().withRename(TorchvisionNames.LEGACY_VIT_MLP)}.
 */
public final class ModelWeights {

  /** Metadata key of the architecture name in exported files. */
  public static final String META_ARCH = "arch";
  /** Metadata key of the format, as the safetensors library writes it for PyTorch. */
  public static final String META_FORMAT = "format";
  /** The format value for PyTorch state dicts. */
  public static final String FORMAT_PT = "pt";

  private ModelWeights() {}

  /**
   * What a model expects of a weight file, computed from its spec (no graph, no arrays): every state
   * entry with its torchvision name and shape, trainable parameters and running statistics in the
   * model's floating type, {@code num_batches_tracked} as INT64.
   *
   * @param spec the model's spec
   * @return the expected tensors, in torchvision's state-dict order
   */
  public static List<TensorSpec> expected(ModelSpec spec) {
    if (spec == null) {
      throw new IllegalArgumentException("spec: must not be null");
    }
    DataType fp = spec.options().dataType();
    List<TensorSpec> out = new ArrayList<>();
    for (ParamSpec p : spec.stateEntries()) {
      DataType t = p.role() == ParamSpec.Role.BATCH_COUNT ? DataType.INT64 : fp;
      out.add(new TensorSpec(p.name(), p.shape(), t));
    }
    return out;
  }

  /**
   * Checks a weight file against a spec from its header alone (no graph, no tensor data).
   *
   * @param spec the model's spec
   * @param file the file
   * @param rule what to skip, ignore or rename ({@link LoadRule#withoutHeads()} is resolved from the spec)
   * @return the outcome: problems, what would load, conversions, ignored and renamed tensors
   * @throws IllegalArgumentException if the file is not a readable safetensors file
   */
  public static StateDict.Check check(ModelSpec spec, Path file, LoadRule rule) {
    if (rule == null) {
      throw new IllegalArgumentException("rule: must not be null");
    }
    List<TensorSpec> expected = expected(spec);
    Set<String> heads = new HashSet<>();
    spec.headEntries().forEach(p -> heads.add(p.name()));
    spec.projectionEntries().forEach(p -> heads.add(p.name()));
    return StateDict.check(expected, StateDict.Source.of(file).tensors(), rule.resolveHeads(heads));
  }

  /**
   * Loads every parameter and buffer of the model from a safetensors file that holds exactly the
   * model's state dict; all or nothing.
   *
   * @param model the model
   * @param file the file
   * @return what was loaded
   * @throws IllegalArgumentException if the file is malformed or does not fit the model (the model
   *     is then unchanged)
   */
  public static StateDict.Result load(EncoderModel model, Path file) {
    return load(model, file, LoadRule.strict());
  }

  /**
   * Loads the model's parameters and buffers from a safetensors file in torchvision's layout; all
   * or nothing ({@link StateDict#load(EncoderModel, Path, LoadRule)}).
   *
   * @param model the model
   * @param file the file
   * @param rule what to skip, ignore or rename
   * @return what was loaded
   * @throws IllegalArgumentException if the file is malformed or does not fit the model (the model
   *     is then unchanged)
   */
  public static StateDict.Result load(EncoderModel model, Path file, LoadRule rule) {
    return StateDict.load(model, file, rule);
  }

  /**
   * Loads everything but the classifier and the projection head (which keep their values), for
   * fine-tuning from weights trained on other classes; the file's classifier and projection head
   * are ignored, whatever their shapes ({@link LoadRule#backbone()}).
   *
   * @param model the model
   * @param file the file
   * @return what was loaded
   * @throws IllegalArgumentException if the file is malformed or its feature extractor does not fit
   */
  public static StateDict.Result loadBackbone(EncoderModel model, Path file) {
    return StateDict.load(model, file, LoadRule.backbone());
  }

  /**
   * Writes every parameter and buffer of the model to a safetensors file (atomically), under
   * torchvision's names and in torchvision's shapes and layout, with metadata {@code format=pt} and
   * {@code arch}.
   *
   * @param model the model
   * @param file the target (replaced if present)
   */
  public static void export(EncoderModel model, Path file) {
    requireModel(model);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(META_FORMAT, FORMAT_PT);
    meta.put(META_ARCH, model.spec().name());
    WeightImport.export(model.sameDiff(), model.stateNames(), file, meta, model::layout);
  }

  private static void requireModel(EncoderModel model) {
    if (model == null) {
      throw new IllegalArgumentException("model: must not be null");
    }
  }
}

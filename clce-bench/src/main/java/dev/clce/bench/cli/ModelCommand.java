package dev.clce.bench.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.ModelSpec;
import dev.clce.core.internal.Npy;
import dev.clce.models.EncoderModel;
import dev.clce.models.weights.ModelWeights;
import dev.clce.models.weights.LoadRule;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clce model}: describes a registered architecture (trainable parameters, buffers, input,
 * embedding width, layout). The summary is computed from the model's spec: nothing is allocated, so
 * it is instant even for ViT-L/16.
 *
 * <pre>
 * ./clce model --arch resnet50 --num-classes 100 --json
 * ./clce model --arch resnet50 --weights resnet50.safetensors --input x.npy --out logits.npy --features emb.npy
 * </pre>
 *
 * <p>With {@code --weights}, {@code --input} and {@code --out} it also runs inference: it builds the
 * graph, loads a torchvision state dict stored as safetensors (every parameter and buffer, names and
 * shapes checked before anything is loaded), switches to eval mode (BatchNorm running statistics)
 * and writes the logits {@code [N, classes]} (and with {@code --features} the pooled embeddings
 * {@code [N, d]}) of a float32 NCHW batch as float32 {@code .npy} files. Every argument, the input's
 * shape and the weight file's header are checked before the graph is built.
 * *
 * <p>Extension point: options that need the built graph (weights, inference) go in further
 * {@code @Option} fields and are handled in {@link #call()} after {@link #options()} and
 * {@link #spec()}.
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = {"Describe a registered encoder architecture (trainable parameter count, shapes, layout).",
        "With --weights, --input and --out: eval-mode inference with a torchvision state dict (safetensors) on a"
            + " float32 NCHW .npy batch, writing logits (and --features embeddings) as .npy."})
public final class ModelCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Option(names = "--arch", required = true, paramLabel = "ARCH", completionCandidates = CliTypes.Archs.class,
      description = "${COMPLETION-CANDIDATES}")
  String arch;

  @CommandLine.Mixin ModelOptionsMixin model = new ModelOptionsMixin();

  @CommandLine.Mixin InputShapeMixin shape = new InputShapeMixin();

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Option(names = "--weights", paramLabel = "W.safetensors",
      description = "inference: torchvision state dict (safetensors) to load; needs --input and --out")
  Path weights;

  @Option(names = "--input", paramLabel = "X.npy", description = "inference: float32 batch [N, C, H, W] (.npy)")
  Path input;

  @Option(names = "--out", paramLabel = "LOGITS.npy", description = "inference: where to write the logits [N, classes] (.npy)")
  Path outFile;

  @Option(names = "--features", paramLabel = "F.npy", description = "inference: where to write the pooled embeddings [N, d] (.npy)")
  Path features;

  @Option(names = "--batch-size", paramLabel = "B", description = "inference: examples per forward pass (default ${DEFAULT-VALUE})")
  int batchSize = DEFAULT_BATCH_SIZE;

  /** Default number of examples per forward pass in inference. */
  public static final int DEFAULT_BATCH_SIZE = 64;

  /**
   * The validated model options from the command line.
   *
   * @return the options
   * @throws IllegalArgumentException naming the bad option
   */
  ModelOptions options() {
    return shape.apply(model.builder()).build();
  }

  /**
   * The architecture's spec for the command line's options.
   *
   * @return the spec
   * @throws IllegalArgumentException naming the bad option
   */
  ModelSpec spec() {
    return Arch.fromName(arch).spec(options());
  }

  /**
   * Prints the summary.
   *
   * @return the exit code
   */
  @Override
  public Integer call() {
    ModelSpec spec = spec();
    Map<String, Object> summary = spec.summary();
    if (inferenceRequested()) {
      summary.put("inference", infer(spec));
    }
    PrintWriter out = commandSpec.commandLine().getOut();
    if (json) {
      try {
        out.println(new ObjectMapper().writeValueAsString(summary));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("could not write the summary as JSON", e);
      }
    } else {
      for (Map.Entry<String, Object> e : summary.entrySet()) {
        Object v = e.getValue();
        String text = v instanceof Long l ? String.format(java.util.Locale.ROOT, "%,d", l) : String.valueOf(v);
        if (v instanceof Map<?, ?> m) {
          text = m.toString();
        }
        out.printf(java.util.Locale.ROOT, "%-18s %s%n", e.getKey(), text);
      }
    }
    out.flush();
    return 0;
  }

  private boolean inferenceRequested() {
    return weights != null || input != null || outFile != null || features != null;
  }

  /**
   * Checks the inference arguments, the input and the weight file's fit to the model, then builds
   * the model, loads the weights and writes the outputs.
   *
   * @param spec the model's spec
   * @return what was done, for the summary
   */
  private Map<String, Object> infer(ModelSpec spec) {
    if (weights == null) {
      throw new IllegalArgumentException("--weights: required for inference (with --input and --out), got none");
    }
    if (input == null) {
      throw new IllegalArgumentException("--input: required with --weights, got none");
    }
    if (outFile == null) {
      throw new IllegalArgumentException("--out: required with --weights, got none");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size: must be >= 1, got " + batchSize);
    }
    requireWritable("--out", outFile);
    if (features != null) {
      requireWritable("--features", features);
      if (features.toAbsolutePath().normalize().equals(outFile.toAbsolutePath().normalize())) {
        throw new IllegalArgumentException("--features: must differ from --out, got " + features);
      }
    }
    for (Path p : features == null ? List.of(outFile) : List.of(outFile, features)) {
      if (p.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())
          || p.toAbsolutePath().normalize().equals(weights.toAbsolutePath().normalize())) {
        throw new IllegalArgumentException((p == outFile ? "--out" : "--features")
            + ": must not overwrite --input or --weights, got " + p);
      }
    }
    // The weight file must fit the model: checked from its header, before anything is built.
    try {
      ModelWeights.check(spec, weights, LoadRule.strict()).requireOk(weights);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--weights: " + e.getMessage(), e);
    }
    INDArray x;
    try {
      x = Npy.read(input);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--input: " + e.getMessage(), e);
    }
    ModelOptions o = spec.options();
    long[] s = x.shape();
    if (s.length != 4 || s[0] < 1 || s[1] != o.channels() || s[2] != o.imageSize() || s[3] != o.imageSize()
        || !x.dataType().isFPType()) {
      throw new IllegalArgumentException("--input: must be a floating [N, " + o.channels() + ", " + o.imageSize() + ", "
          + o.imageSize() + "] batch (N >= 1), got " + x.dataType() + " " + Arrays.toString(s) + " in " + input);
    }

    EncoderModel model = spec.build();
    try {
      ModelWeights.load(model, weights);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--weights: " + e.getMessage(), e);
    }
    model.setTraining(false);
    long n = s[0];
    List<INDArray> logits = new ArrayList<>();
    List<INDArray> embeddings = new ArrayList<>();
    for (long start = 0; start < n; start += batchSize) {
      long end = Math.min(n, start + batchSize);
      INDArray chunk = x.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup();
      Map<String, INDArray> r = model.output(chunk);
      logits.add(r.get(model.logitsName()).castTo(DataType.FLOAT));
      embeddings.add(r.get(model.embeddingName()).castTo(DataType.FLOAT));
    }
    INDArray allLogits = Nd4j.concat(0, logits.toArray(new INDArray[0]));
    Npy.write(outFile, allLogits);
    Map<String, Object> done = new LinkedHashMap<>();
    done.put("weights", weights.toString());
    done.put("input", input.toString());
    done.put("examples", n);
    done.put("logits", outFile.toString());
    if (features != null) {
      Npy.write(features, Nd4j.concat(0, embeddings.toArray(new INDArray[0])));
      done.put("features", features.toString());
    }
    return done;
  }

  private static void requireWritable(String option, Path p) {
    Path dir = p.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + ": directory does not exist, got " + p);
    }
    if (Files.isDirectory(p)) {
      throw new IllegalArgumentException(option + ": is a directory, got " + p);
    }
  }
}

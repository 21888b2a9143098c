package dev.clce.bench.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.ModelSpec;
import dev.clce.models.Models;
import dev.clce.models.Stem;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clce model}: describes a registered architecture (trainable parameters, buffers, input,
 * embedding width, layout). The summary is computed from the model's spec: nothing is allocated, so
 * it is instant even for ViT-L/16.
 *
 * <pre>
 * ./clce model --arch resnet50 --classes 100 --json
 * </pre>
 *
 * <p>Extension point: options that need the built graph (weights, inference) go in further
 * {@code @Option} fields and are handled in {@link #call()} after {@link #options()} and
 * {@link #spec()}.
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Describe a registered encoder architecture (trainable parameter count, shapes, layout).")
public final class ModelCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Option(names = "--arch", required = true, paramLabel = "ARCH",
      description = "resnet18, resnet34, resnet50, resnet101, resnet152, vit_ti_16, vit_s_16, vit_b_16, vit_b_32, vit_l_16")
  String arch;

  @Option(names = "--classes", paramLabel = "N", description = "number of classes (default ${DEFAULT-VALUE})")
  int classes = ModelOptions.DEFAULT_CLASSES;

  @Option(names = "--image-size", paramLabel = "PX", description = "input height and width (default ${DEFAULT-VALUE})")
  int imageSize = ModelOptions.DEFAULT_IMAGE_SIZE;

  @Option(names = "--channels", paramLabel = "C", description = "input channels (default ${DEFAULT-VALUE})")
  int channels = ModelOptions.DEFAULT_CHANNELS;

  @Option(names = "--stem", paramLabel = "STEM", description = "ResNet stem: imagenet or small (default ${DEFAULT-VALUE})")
  String stem = Stem.IMAGENET.cliName();

  @Option(names = "--width", paramLabel = "W", description = "width multiplier (default ${DEFAULT-VALUE})")
  double width = 1.0;

  @Option(names = "--projection-head", description = "add the projection head (Linear, ReLU, Linear to --projection-dim)")
  boolean projectionHead;

  @Option(names = "--projection-dim", paramLabel = "D", description = "projection head output width (default ${DEFAULT-VALUE})")
  int projectionDim = ModelOptions.DEFAULT_PROJECTION_DIM;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  /**
   * The validated model options from the command line.
   *
   * @return the options
   * @throws IllegalArgumentException naming the bad option
   */
  ModelOptions options() {
    return ModelOptions.builder()
        .optClasses(classes)
        .optImageSize(imageSize)
        .optChannels(channels)
        .optStem(Stem.fromName(stem))
        .optWidth(width)
        .optProjectionHead(projectionHead)
        .optProjectionDim(projectionDim)
        .build();
  }

  /**
   * The architecture's spec for the command line's options.
   *
   * @return the spec
   * @throws IllegalArgumentException naming the bad option
   */
  ModelSpec spec() {
    return Models.spec(Arch.fromName(arch), options());
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
        out.printf(java.util.Locale.ROOT, "%-18s %s%n", e.getKey(), text);
      }
    }
    out.flush();
    return 0;
  }
}

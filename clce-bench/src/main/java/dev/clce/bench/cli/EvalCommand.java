package dev.clce.bench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.bench.data.ClassSubset;
import dev.clce.bench.data.DataSpec;
import dev.clce.bench.data.ImageDataset;
import dev.clce.bench.data.Split;
import dev.clce.bench.train.ModelEvaluator;
import dev.clce.bench.train.TrainConfig;
import dev.clce.bench.train.TrainedModel;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clce eval}: top-1 of a trained checkpoint on a test split: the classification head, and a
 * nearest-centroid classifier on L2-normalised embeddings with centroids from the training split.
 *
 * <pre>
 * ./clce eval --checkpoint runs/clce --json
 * ./clce eval --checkpoint runs/clce/checkpoint-000001000.ckpt --data fashion-mnist:/data/fm --classes 0-4
 * </pre>
 *
 * <p>Data and classes default to the run's own; the class list must have as many classes as the
 * model's classifier.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Top-1 of a checkpoint on the test split (classification head and nearest centroid).")
public final class EvalCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CheckpointMixin checkpoint = new CheckpointMixin();

  @Option(names = "--test-per-class", paramLabel = "K", description = "test images per class, 0 = all (default 0)")
  int testPerClass;

  @Option(names = "--train-per-class", paramLabel = "K", description = "training images per class for the centroids (default: the run's)")
  Integer trainPerClass;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (testPerClass < 0) {
      throw new IllegalArgumentException("test-per-class: must be >= 0, got " + testPerClass);
    }
    if (trainPerClass != null && trainPerClass < 0) {
      throw new IllegalArgumentException("train-per-class: must be >= 0, got " + trainPerClass);
    }
    CheckpointMixin.Loaded loaded = checkpoint.load();
    TrainedModel tm = loaded.trained();
    TrainConfig run = loaded.run();
    DataSpec ds = loaded.data();
    List<Integer> cls = loaded.classes() != null ? loaded.classes() : run.data().classes();
    int perTrain = trainPerClass != null ? trainPerClass : run.data().trainPerClass();
    ImageDataset train = new ClassSubset(cls, perTrain).apply(ds.load(Split.TRAIN));
    ImageDataset test = new ClassSubset(cls, testPerClass).apply(ds.load(Split.TEST));
    if (test.numClasses() != tm.numClasses()) {
      throw new IllegalArgumentException("classes: the model has " + tm.numClasses() + " classes, the data "
          + test.numClasses() + " (pass --classes with " + tm.numClasses() + " classes)");
    }
    loaded.checkChannels(test);
    ModelEvaluator.Scores s = ModelEvaluator.evaluate(tm.model(), train, test, tm.augment(), run.run().evalBatch());
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("checkpoint", tm.checkpoint().toString());
      m.put("step", tm.step());
      m.put("data", ds.toString());
      m.put("classes", cls.isEmpty() ? "all" : cls);
      m.put("test_images", s.testImages());
      m.put("test_top1", s.headTop1());
      m.put("nearest_centroid_top1", s.nearestCentroidTop1());
      w.println(new ObjectMapper().writeValueAsString(m));
    } else {
      w.printf(Locale.ROOT, "test_top1 %.4f  nearest_centroid_top1 %.4f  (%d test images, %s, step %d)%n",
          s.headTop1(), s.nearestCentroidTop1(), s.testImages(), tm.checkpoint(), tm.step());
    }
    w.flush();
    return 0;
  }
}

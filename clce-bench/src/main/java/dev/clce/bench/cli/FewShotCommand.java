package dev.clce.bench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.bench.data.ClassSubset;
import dev.clce.bench.data.DataSpec;
import dev.clce.bench.data.ImageDataset;
import dev.clce.bench.data.Split;
import dev.clce.bench.eval.FewShotConfig;
import dev.clce.bench.eval.FewShotEvaluator;
import dev.clce.bench.eval.FewShotResult;
import dev.clce.bench.eval.LogisticRegression;
import dev.clce.bench.train.ModelEvaluator;
import dev.clce.bench.train.TrainConfig;
import dev.clce.bench.train.TrainedModel;
import java.io.PrintWriter;
import java.util.ArrayList;
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
 * {@code clce fewshot}: N-way K-shot episodes on frozen L2-normalised embeddings of a checkpoint
 * (test split images of the novel classes), classified by logistic regression and nearest centroid;
 * mean accuracy with a 95% confidence interval per K.
 *
 * <pre>
 * ./clce fewshot --checkpoint runs/clce --data fashion-mnist --classes 5,6,7,8,9 --ways 5 --shots 1,5 \
 *     --queries 15 --episodes 3000 --seed 1 --json
 * </pre>
 *
 * <p>The novel classes default to those the run did not train on.
 */
@Command(
    name = "fewshot",
    mixinStandardHelpOptions = true,
    description = "Few-shot episodes on frozen embeddings of a checkpoint (logistic regression, nearest centroid).")
public final class FewShotCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CheckpointMixin checkpoint = new CheckpointMixin();

  @Option(names = "--ways", paramLabel = "N", description = "classes per episode (default ${DEFAULT-VALUE})")
  int ways = FewShotConfig.DEFAULT_WAYS;

  @Option(names = "--shots", paramLabel = "K,...", split = ",", description = "support images per class, one evaluation each (default 1,5)")
  List<Integer> shots = new ArrayList<>(FewShotConfig.DEFAULT_SHOTS);

  @Option(names = "--queries", paramLabel = "Q", description = "query images per class (default ${DEFAULT-VALUE})")
  int queries = FewShotConfig.DEFAULT_QUERIES;

  @Option(names = "--episodes", paramLabel = "E", description = "episodes per K (default ${DEFAULT-VALUE})")
  int episodes = FewShotConfig.DEFAULT_EPISODES;

  @Option(names = "--seed", paramLabel = "N", description = "episode seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Override
  public Integer call() throws Exception {
    FewShotConfig fs = new FewShotConfig(ways, shots, queries, episodes, seed, LogisticRegression.DEFAULT_C);
    CheckpointMixin.Loaded loaded = checkpoint.load();
    List<Integer> novel = loaded.classes();
    if (novel != null && novel.size() < ways) {
      throw new IllegalArgumentException("classes: " + ways + "-way episodes need at least " + ways + " classes, got " + novel);
    }
    TrainedModel tm = loaded.trained();
    TrainConfig run = loaded.run();
    DataSpec ds = loaded.data();
    ImageDataset full = ds.load(Split.TEST);
    List<Integer> trained = run.data().classes();
    if (novel == null) {
      novel = trained.isEmpty() ? List.of() : ClassSubset.complement(trained, full.numClasses());
      if (novel.size() < ways) {
        throw new IllegalArgumentException("classes: the run trained on " + (trained.isEmpty() ? "all classes"
            : trained) + ", which leaves " + novel + " for " + ways + "-way episodes: pass --classes");
      }
    }
    loaded.checkChannels(full);
    ImageDataset test = new ClassSubset(novel, 0).apply(full);
    ModelEvaluator.Outputs emb = ModelEvaluator.run(tm.model(), test, tm.augment(), run.run().evalBatch());
    List<Integer> relabelled = new ArrayList<>();
    for (int i = 0; i < novel.size(); i++) {
      relabelled.add(i);
    }
    List<FewShotResult> results = FewShotEvaluator.evaluate(emb.embeddings(), emb.labels(), relabelled, fs);
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("checkpoint", tm.checkpoint().toString());
      m.put("step", tm.step());
      m.put("data", ds.toString());
      m.put("split", Split.TEST.id());
      m.put("classes", novel);
      m.put("images", test.size());
      m.put("config", fs);
      List<Map<String, Object>> rs = new ArrayList<>();
      for (FewShotResult r : results) {
        rs.add(r.describe());
      }
      m.put("results", rs);
      w.println(new ObjectMapper().writeValueAsString(m));
    } else {
      for (FewShotResult r : results) {
        w.printf(Locale.ROOT, "%d-way %d-shot (%d queries, %d episodes): logistic regression %s, nearest centroid %s%n",
            r.ways(), r.shots(), r.queries(), r.logisticRegression().n(), r.logisticRegression().toPercentString(),
            r.nearestCentroid().toPercentString());
      }
    }
    w.flush();
    return 0;
  }
}

package dev.clce.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.bench.train.SyntheticFashionData;
import dev.clce.bench.train.TrainConfig;
import dev.clce.bench.train.TrainJson;
import dev.clce.bench.train.TrainNames;
import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The train, eval and fewshot commands in-process, on a tiny model and a small synthetic dataset. */
class TrainCommandTest {
  @RegisterExtension static final SyntheticFashionData DATA = new SyntheticFashionData(4, 16, 10, 11);

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ClceCli.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  static List<String> tinyTrainArgs(Path outDir, String... extra) {
    List<String> a = new ArrayList<>(List.of("train", "--data", "fashion-mnist:" + DATA.dir(), "--arch", "resnet18",
        "--stem", "small", "--width", "0.125", "--max-blocks", "1", "--image-size", "8", "--loss", "clce",
        "--batch", "8", "--steps", "3", "--seed", "5", "--optimizer", "adamw", "--lr", "0.01", "--sampler", "class-pairs",
        "--out", outDir.toString()));
    a.addAll(List.of(extra));
    return a;
  }

  @Test
  void aDivergedRunIsOneErrorLineNamingTheStep(@TempDir Path tmp) {
    Path dir = tmp.resolve("run");
    Result r = run("train", "--data", "fashion-mnist:" + DATA.dir(), "--arch", "resnet18", "--stem", "small", "--width",
        "0.125", "--max-blocks", "1", "--image-size", "8", "--loss", "clce", "--batch", "8", "--steps", "3", "--seed", "5",
        "--optimizer", "sgd", "--lr", "1e40", "--checkpoint-every", "1", "--out", dir.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("error: training stopped at step 1: parameter "), r.err());
    assertFalse(r.err().contains("\tat "), "a stack trace: " + r.err());
    assertFalse(Files.exists(dir.resolve(TrainNames.FINAL_JSON)));
  }

  @Test
  void trainThenEvalAndFewShotPrintJson(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("run");
    Result t = run(tinyTrainArgs(dir, "--json").toArray(String[]::new));
    assertEquals(0, t.code(), t.err());
    ObjectMapper json = new ObjectMapper();
    JsonNode fin = json.readTree(dir.resolve(TrainNames.FINAL_JSON).toFile());
    for (String key : List.of("test_top1", "steps", "seed", "weights_sha256")) {
      assertTrue(fin.has(key), "final.json lacks " + key);
    }
    assertEquals(3, fin.get("steps").asLong());
    assertEquals(5, fin.get("seed").asLong());
    assertTrue(fin.get("weights_sha256").asText().matches("[0-9a-f]{64}"));
    assertEquals(fin.get("weights_sha256").asText(), json.readTree(t.out()).get("weights_sha256").asText());
    assertTrue(Files.isRegularFile(dir.resolve(TrainNames.METRICS_JSONL)));

    Result e = run("eval", "--checkpoint", dir.toString(), "--json");
    assertEquals(0, e.code(), e.err());
    JsonNode ev = json.readTree(e.out());
    assertEquals(fin.get("test_top1").asDouble(), ev.get("test_top1").asDouble(), 0.0, "same weights, same test images");
    assertEquals(40, ev.get("test_images").asInt());

    Result wrong = run("eval", "--checkpoint", dir.toString(), "--classes", "0,1");
    assertEquals(2, wrong.code(), wrong.err());
    // Fashion-MNIST has 10 classes (the synthetic files use 4 of them); the run trained on all.
    assertTrue(wrong.err().startsWith("error: classes: the model has 10 classes, the data 2"), wrong.err());

    Result f = run("fewshot", "--checkpoint", dir.toString(), "--data", "fashion-mnist:" + DATA.dir(), "--classes", "0,1,2,3",
        "--ways", "3", "--shots", "1,2", "--queries", "3", "--episodes", "20", "--seed", "1", "--json");
    assertEquals(0, f.code(), f.err());
    JsonNode fs = json.readTree(f.out());
    assertEquals(4, fs.get("classes").size());
    assertEquals(40, fs.get("images").asInt());
    JsonNode results = fs.get("results");
    assertEquals(2, results.size());
    for (int i = 0; i < 2; i++) {
      JsonNode r = results.get(i);
      assertEquals(i + 1, r.get("shots").asInt());
      assertEquals(3, r.get("ways").asInt());
      assertEquals(20, r.get("episodes").asInt());
      for (String clf : List.of("logreg", "nearest_centroid")) {
        double mean = r.get(clf).get("mean").asDouble();
        double ci = r.get(clf).get("ci95").asDouble();
        assertTrue(mean >= 0 && mean <= 1, clf + " mean " + mean);
        assertTrue(ci >= 0 && ci < 1, clf + " ci95 " + ci);
      }
    }
  }

  /** The combinations parse (every accepted spelling), keep their options and survive the JSON form. */
  @ParameterizedTest
  @CsvSource({"ce+supcon, CE_SUPCON", "CE_SUPCON, CE_SUPCON", "ce-supcon, CE_SUPCON", "ce+cl, CE_CL", "ce_cl, CE_CL"})
  void combinationLossesParse(String name, LossKind expected, @TempDir Path tmp) {
    List<String> args = tinyTrainArgs(tmp.resolve("run"), "--lambda", "0.3", "--tau", "0.2", "--aggregation",
        "mean-of-log");
    args.set(args.indexOf("--loss") + 1, name);
    CommandLine cl = ClceCli.newCommandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(String[]::new));
    TrainConfig c = ((TrainCommand) parsed.subcommand().commandSpec().userObject()).config();
    assertEquals(expected, c.loss().kind());
    assertEquals(0.3, c.loss().lambda(), 0.0);
    assertEquals(0.2, c.loss().tau(), 0.0);
    assertEquals(Aggregation.MEAN_OF_LOG, c.loss().aggregation());
    assertEquals(expected.cliName(), TrainJson.tree(c).get("loss").get("kind").asText());
    assertEquals(c, TrainJson.config(TrainJson.tree(c)));
  }

  @ParameterizedTest
  @CsvSource({
      "--lr, -1, lr:",
      "--batch, 1, batch:",
      "--loss, foo, loss:",
      "--optimizer, rmsprop, optimizer:",
      "--tau, 0, tau:",
      "--lambda, 2, lambda:",
      "--momentum, 1, momentum:",
      "--weight-decay, -0.1, weight-decay:",
      "--warmup-steps, 3, warmup-steps:",
      "--classes, 0, classes:",
      "--arch, resnet7, arch:",
      "--stem, tiny, stem",
      "--epochs, 2, steps:",
      "--sampler, random, sampler:",
      "--aggregation, max, aggregation",
      "--data, fashion-mnist:/nonexistent/fm, data:",
      "--checkpoint-every, -1, checkpoint-every:",
      "--chunk, 0, 'chunk: must be in [1, --batch = 8] images, got 0'",
      "--chunk, 9, 'chunk: must be in [1, --batch = 8] images, got 9'",
  })
  void badInputExitsTwoBeforeAnyWork(String option, String value, String named, @TempDir Path tmp) {
    Path dir = tmp.resolve("run");
    List<String> args = tinyTrainArgs(dir);
    int i = args.indexOf(option);
    if (i >= 0) {
      args.set(i + 1, value);
    } else {
      args.add(option);
      args.add(value);
    }
    Result r = run(args.toArray(String[]::new));
    assertEquals(2, r.code(), r.err());
    String line = r.err().strip();
    assertFalse(line.contains("\n"), "one line: " + line);
    assertTrue(line.startsWith("error: ") && line.contains(named), line);
    assertFalse(Files.exists(dir), "nothing written for bad input");
  }

  @Test
  void badFewShotAndEvalInputExitsTwo(@TempDir Path tmp) throws IOException {
    Result r = run("fewshot", "--checkpoint", tmp.toString(), "--ways", "1");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: ways:"), r.err());
    r = run("eval", "--checkpoint", tmp.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: checkpoint:"), r.err());
    Path junk = tmp.resolve("checkpoint-000000001.ckpt");
    Files.write(junk, new byte[100]);
    r = run("fewshot", "--checkpoint", junk.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: checkpoint:") && r.err().contains("not a clce checkpoint"), r.err());
  }
}

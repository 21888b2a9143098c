package dev.clce.bench.train;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;

/** The listeners every run has; {@link Trainer} adds them according to the run's {@link RunPolicy}. */
final class TrainListeners {

  private TrainListeners() {}

  /** Scores the model at the end of every epoch. */
  static final class EpochEvaluation implements TrainingListener {
    @Override
    public void onEpochEnd(Trainer trainer, long epoch, double trainLossMean) {
      trainer.evaluate(epoch, trainLossMean);
    }
  }

  /** Checkpoints every {@link RunPolicy#checkpointEvery()} steps (never at the last) and at the end. */
  static final class Checkpoints implements TrainingListener {
    @Override
    public void onStep(Trainer trainer, StepEvent step) {
      long every = trainer.config().run().checkpointEvery();
      if (every > 0 && step.step() % every == 0 && step.step() < trainer.totalSteps()) {
        trainer.saveCheckpoint();
      }
    }

    @Override
    public void onLastStep(Trainer trainer) {
      trainer.saveCheckpoint();
    }
  }

  /** {@code metrics.jsonl}: step records every {@link RunPolicy#logEvery()} steps, epoch and final records. */
  static final class Metrics implements TrainingListener {
    private MetricsLog log;

    @Override
    public void onStart(Trainer trainer, Checkpoint resumedFrom) {
      java.nio.file.Path file = trainer.dir().resolve(TrainNames.METRICS_JSONL);
      log = resumedFrom != null ? MetricsLog.resume(file, trainer.step()) : MetricsLog.create(file);
      if (resumedFrom != null) {
        Map<String, Object> r = record(MetricsLog.TYPE_RESUME, trainer.step());
        r.put("checkpoint", resumedFrom.file().getFileName().toString());
        log.write(r);
      }
    }

    @Override
    public void onStep(Trainer trainer, StepEvent s) {
      int every = trainer.config().run().logEvery();
      if (every > 0 && (s.step() % every == 0 || s.step() == trainer.totalSteps())) {
        Map<String, Object> r = record(MetricsLog.TYPE_STEP, s.step());
        r.put("epoch", s.epoch());
        r.put("loss", s.loss());
        r.put("lr", s.lr());
        r.put("images_per_s", s.imagesPerSecond());
        r.put("time_s", s.sessionSeconds());
        Runtime rt = Runtime.getRuntime();
        r.put("heap_used_mib", (rt.totalMemory() - rt.freeMemory()) >> 20);
        r.put("heap_committed_mib", rt.totalMemory() >> 20);
        r.put("offheap_mib", Math.round(Pointer.totalBytes() / 10485.76) / 100.0);
        r.put("rss_mib", Pointer.physicalBytes() >> 20);
        log.write(r);
      }
    }

    @Override
    public void onEvaluation(Trainer trainer, long epoch, double trainLossMean, ModelEvaluator.Scores scores) {
      Map<String, Object> r = record(MetricsLog.TYPE_EPOCH, trainer.step());
      r.put("epoch", epoch);
      r.put("train_loss_mean", trainLossMean);
      r.put("test_top1", scores.headTop1());
      r.put("nearest_centroid_top1", scores.nearestCentroidTop1());
      r.put("test_images", scores.testImages());
      log.write(r);
    }

    @Override
    public void onResult(Trainer trainer, TrainResult result) {
      Map<String, Object> r = record(MetricsLog.TYPE_FINAL, result.steps());
      r.put("test_top1", result.testTop1());
      r.put("nearest_centroid_top1", result.nearestCentroidTop1());
      r.put("weights_sha256", result.weightsSha256());
      log.write(r);
    }

    @Override
    public void onStop(Trainer trainer) {
      if (log != null) {
        log.close();
        log = null;
      }
    }

    private static Map<String, Object> record(String type, long step) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("type", type);
      r.put("step", step);
      return r;
    }
  }

  /** The progress bar (or lines every {@link RunPolicy#progressEvery()} steps) and the run's messages. */
  static final class Progress implements TrainingListener {
    private final PrintStream out;
    private ProgressBar bar;

    Progress(PrintStream out) {
      this.out = out;
    }

    @Override
    public void onStart(Trainer trainer, Checkpoint resumedFrom) {
      bar = new ProgressBar(out, ProgressBar.stderrIsTerminal(), trainer.totalSteps(),
          trainer.config().run().progressEvery());
      if (resumedFrom != null) {
        bar.message("resumed from " + resumedFrom.file() + " at step " + trainer.step() + "/" + trainer.totalSteps());
      }
    }

    @Override
    public void onStep(Trainer trainer, StepEvent s) {
      bar.update(s.step(), s.epoch(), s.loss(), s.imagesPerSecond(), s.secondsPerStep() * (trainer.totalSteps() - s.step()));
    }

    @Override
    public void onEvaluation(Trainer trainer, long epoch, double trainLossMean, ModelEvaluator.Scores scores) {
      bar.message(String.format(Locale.ROOT, "epoch %d: test top-1 %.4f (head), %.4f (nearest centroid)", epoch,
          scores.headTop1(), scores.nearestCentroidTop1()));
    }

    @Override
    public void onLastStep(Trainer trainer) {
      bar.finish();
    }

    @Override
    public void onResult(Trainer trainer, TrainResult r) {
      bar.message(String.format(Locale.ROOT, "done: %d steps, test top-1 %.4f (head), %.4f (nearest centroid), weights %s",
          r.steps(), r.testTop1(), r.nearestCentroidTop1(), r.weightsSha256()));
    }

    @Override
    public void onStop(Trainer trainer) {
      bar.finish();
    }
  }
}

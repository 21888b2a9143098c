package dev.clce.bench.train;

import dev.clce.bench.data.AugmentConfig;
import dev.clce.bench.data.ImageDataset;
import dev.clce.bench.data.TwoViewAugmenter;
import dev.clce.bench.eval.NearestCentroid;
import dev.clce.models.EncoderModel;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a model in inference mode (BatchNorm running statistics) over a dataset's un-augmented images
 * ({@link TwoViewAugmenter#plain}: resized to the input size and normalised) and scores it: top-1 of
 * the classification head, and top-1 of a nearest-centroid classifier on L2-normalised pooled
 * embeddings (centroids from the training subset, applied to the test subset).
 */
public final class ModelEvaluator {

  private ModelEvaluator() {}

  /**
   * A dataset's embeddings and head predictions.
   *
   * @param embeddings pooled embeddings, one row per image
   * @param predictions argmax of the logits
   * @param labels the dataset labels
   */
  public record Outputs(float[][] embeddings, int[] predictions, int[] labels) {

    /** @return fraction of images whose head prediction equals the label */
    public double headTop1() {
      int correct = 0;
      for (int i = 0; i < labels.length; i++) {
        if (predictions[i] == labels[i]) {
          correct++;
        }
      }
      return labels.length == 0 ? Double.NaN : (double) correct / labels.length;
    }
  }

  /**
   * Scores of one evaluation.
   *
   * @param headTop1 top-1 of the classification head on the test subset
   * @param nearestCentroidTop1 top-1 of the nearest centroid on the test subset
   * @param testImages number of test images
   */
  public record Scores(double headTop1, double nearestCentroidTop1, int testImages) {}

  /**
   * Embeds every image of a dataset.
   *
   * @param model the model (its mode is restored afterwards)
   * @param dataset the images
   * @param augment the preprocessing (its output size must be the model's input size)
   * @param batch images per forward pass
   * @return embeddings, predictions, labels
   */
  public static Outputs run(EncoderModel model, ImageDataset dataset, AugmentConfig augment, int batch) {
    boolean wasTraining = model.isTraining();
    model.setTraining(false);
    try {
      TwoViewAugmenter plain = new TwoViewAugmenter(dataset, augment, 0L, false);
      int n = dataset.size();
      float[][] emb = new float[n][];
      int[] pred = new int[n];
      for (int start = 0; start < n; start += batch) {
        int end = Math.min(n, start + batch);
        int[] idx = new int[end - start];
        for (int i = 0; i < idx.length; i++) {
          idx[i] = start + i;
        }
        INDArray x = plain.plain(idx);
        Map<String, INDArray> out = model.output(x);
        INDArray e = out.get(model.embeddingName());
        INDArray logits = out.get(model.logitsName());
        float[][] rows = e.toFloatMatrix();
        INDArray am = logits.argMax(1);
        int[] p = am.toIntVector();
        System.arraycopy(rows, 0, emb, start, rows.length);
        System.arraycopy(p, 0, pred, start, p.length);
        am.close();
        x.close();
        for (INDArray a : out.values()) {
          a.close();
        }
      }
      return new Outputs(emb, pred, dataset.labels());
    } finally {
      model.setTraining(wasTraining);
    }
  }

  /**
   * Both top-1 scores.
   *
   * @param model the model
   * @param train the training subset (centroids)
   * @param test the test subset (scored)
   * @param augment the preprocessing
   * @param batch images per forward pass
   * @return the scores (nearest centroid NaN when an embedding is all zero)
   */
  public static Scores evaluate(EncoderModel model, ImageDataset train, ImageDataset test, AugmentConfig augment, int batch) {
    Outputs t = run(model, test, augment, batch);
    Outputs tr = run(model, train, augment, batch);
    double nc;
    try {
      nc = NearestCentroid.top1(tr.embeddings(), tr.labels(), t.embeddings(), t.labels(), train.numClasses());
    } catch (IllegalArgumentException allZeroRow) {
      nc = Double.NaN; // an all-zero embedding has no direction: the score is undefined
    }
    return new Scores(t.headTop1(), nc, test.size());
  }
}

package dev.clce.core.dl4j;

import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns any DL4J {@link DataSetIterator} into the two-view minibatches a contrastive loss trains on,
 * so that {@code net.fit(iterator, epochs)} works for a graph built with {@link Dl4jClce} and
 * {@code sd.fit(iterator, epochs)} for a SameDiff graph.
 *
 * <p>Each source minibatch of N images becomes one {@link MultiDataSet} of 2N rows: features
 * {@code [view1; view2]}, both views made from the same images by a {@link ViewAugmenter}, and the
 * labels {@code [labels; labels]} once per output. Both views of an image are always in the same
 * minibatch (the contrastive loss needs them there: they are each other's positives), and the
 * order of the source is kept (shuffle in the source, never afterwards: a shuffle across minibatches
 * separates the views).
 *
 * <p>Any source works: DL4J's MNIST/EMNIST/CIFAR iterators, a DataVec {@code
 * RecordReaderDataSetIterator} over an {@code ImageRecordReader} (its {@code ImageTransform}s then
 * act before the views are made; make the two views with a {@link ViewAugmenter}), your own. The
 * source's preprocessor (for example a scaler) runs first, since the source applies it.
 *
 * <pre>{@code
 * MultiDataSetIterator train = TwoViewIterator.builder(new MnistDataSetIterator(64, true, 1))
 *     .optAugmenter(ViewAugmenter.randomShiftFlip(1, 28, 28, 2, false))
 *     .optSeed(1)
 *     .build();
 * net.fit(train, 10);   // a ComputationGraph with Dl4jClce's embedding and logits outputs
 * }</pre>
 *
 * <p>Randomness: one generator seeded by {@link Builder#optSeed}; {@link #reset()} resets the
 * source but not the generator, so every epoch sees new views and a run is repeated by using the
 * same seed. Not thread-safe (DL4J's asynchronous prefetch calls it from one thread at a time).
 */
public final class TwoViewIterator implements MultiDataSetIterator {

  private static final long serialVersionUID = 1L;

  /** How the labels of the source (one-hot [N, C]) are handed on. */
  public enum LabelFormat {
    /** One-hot [2N, C], as DL4J output layers take them (and class indices [N, 1] unchanged). */
    ONE_HOT,
    /** Class indices [2N], INT32: the labels placeholder of a SameDiff graph with {@code SDClceLoss}. */
    CLASS_INDEX
  }

  private final DataSetIterator source;
  private final ViewAugmenter augmenter;
  private final long seed;
  private final LabelFormat labelFormat;
  private final int outputs;
  private final Random rng;
  private MultiDataSetPreProcessor preProcessor;

  private TwoViewIterator(Builder b) {
    this.source = b.source;
    this.augmenter = b.augmenter;
    this.seed = b.seed;
    this.labelFormat = b.labelFormat;
    this.outputs = b.outputs;
    this.rng = new Random(seed);
  }

  /**
   * Starts a builder.
   *
   * @param source the minibatches of images and one-hot labels
   * @return the builder
   * @throws IllegalArgumentException when {@code source} is null
   */
  public static Builder builder(DataSetIterator source) {
    if (source == null) {
      throw new IllegalArgumentException("source: must not be null");
    }
    return new Builder(source);
  }

  /** Settings of a {@link TwoViewIterator}; every setter returns a new builder. */
  public static final class Builder {
    private final DataSetIterator source;
    private ViewAugmenter augmenter = ViewAugmenter.identity();
    private long seed;
    private LabelFormat labelFormat = LabelFormat.ONE_HOT;
    private int outputs = 2;

    private Builder(DataSetIterator source) {
      this.source = source;
    }

    private Builder copy() {
      Builder b = new Builder(source);
      b.augmenter = augmenter;
      b.seed = seed;
      b.labelFormat = labelFormat;
      b.outputs = outputs;
      return b;
    }

    /**
     * How each view is made (default {@link ViewAugmenter#identity()}: no augmentation).
     *
     * @param augmenter the augmenter
     * @return a new builder
     */
    public Builder optAugmenter(ViewAugmenter augmenter) {
      if (augmenter == null) {
        throw new IllegalArgumentException("augmenter: must not be null");
      }
      Builder b = copy();
      b.augmenter = augmenter;
      return b;
    }

    /**
     * Seed of the generator the augmenter draws from (default 0).
     *
     * @param seed the seed
     * @return a new builder
     */
    public Builder optSeed(long seed) {
      Builder b = copy();
      b.seed = seed;
      return b;
    }

    /**
     * The labels' form (default {@link LabelFormat#ONE_HOT}).
     *
     * @param format the form
     * @return a new builder
     */
    public Builder optLabelFormat(LabelFormat format) {
      if (format == null) {
        throw new IllegalArgumentException("format: must not be null");
      }
      Builder b = copy();
      b.labelFormat = format;
      return b;
    }

    /**
     * How many label arrays each minibatch carries, one per output of the graph (default 2: the
     * embedding and the logits output of {@link Dl4jClce}'s recipe; 1 for a contrastive loss alone
     * or a SameDiff graph with one labels placeholder).
     *
     * @param outputs &gt;= 1
     * @return a new builder
     */
    public Builder optOutputs(int outputs) {
      if (outputs < 1) {
        throw new IllegalArgumentException("outputs: must be >= 1, got " + outputs);
      }
      Builder b = copy();
      b.outputs = outputs;
      return b;
    }

    /** @return the iterator */
    public TwoViewIterator build() {
      return new TwoViewIterator(this);
    }
  }

  @Override
  public boolean hasNext() {
    return source.hasNext();
  }

  @Override
  public MultiDataSet next() {
    if (!source.hasNext()) {
      throw new NoSuchElementException("the source iterator is exhausted; call reset()");
    }
    return twoViews(source.next());
  }

  @Override
  public MultiDataSet next(int num) {
    return twoViews(source.next(num));
  }

  /** The two-view minibatch of one source minibatch. */
  private MultiDataSet twoViews(DataSet ds) {
    if (ds.getFeaturesMaskArray() != null || ds.getLabelsMaskArray() != null) {
      throw new IllegalArgumentException("source: minibatches with masks are not supported (the contrastive loss"
          + " couples every row of a minibatch); drop the masked rows instead");
    }
    INDArray features = ds.getFeatures();
    INDArray labels = ds.getLabels();
    if (labels == null || labels.rank() != 2 || labels.size(0) != features.size(0)) {
      throw new IllegalArgumentException("source: labels must be [N, C] with N = " + features.size(0) + ", got "
          + (labels == null ? null : Arrays.toString(labels.shape())));
    }
    INDArray view1 = augmenter.augment(features, rng);
    INDArray view2 = augmenter.augment(features, rng);
    MultiDataSet mds;
    if (labelFormat == LabelFormat.ONE_HOT) {
      MultiDataSet two = Dl4jClce.twoViewBatch(view1, view2, labels);
      INDArray both = two.getLabels(0);
      mds = new MultiDataSet(two.getFeatures(), repeat(both));
    } else {
      INDArray idx = labels.size(1) == 1 ? labels.reshape(labels.size(0)) : labels.argMax(1);
      idx = idx.castTo(DataType.INT32);
      MultiDataSet two = Dl4jClce.twoViewBatch(view1, view2, idx.reshape(idx.length(), 1));
      mds = new MultiDataSet(two.getFeatures(), repeat(Nd4j.concat(0, idx, idx)));
    }
    if (preProcessor != null) {
      preProcessor.preProcess(mds);
    }
    return mds;
  }

  private INDArray[] repeat(INDArray labels) {
    INDArray[] out = new INDArray[outputs];
    out[0] = labels;
    for (int i = 1; i < outputs; i++) {
      out[i] = labels.dup();
    }
    return out;
  }

  @Override
  public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
    this.preProcessor = preProcessor;
  }

  @Override
  public MultiDataSetPreProcessor getPreProcessor() {
    return preProcessor;
  }

  @Override
  public boolean resetSupported() {
    return source.resetSupported();
  }

  @Override
  public boolean asyncSupported() {
    return source.asyncSupported();
  }

  @Override
  public void reset() {
    source.reset();
  }
}

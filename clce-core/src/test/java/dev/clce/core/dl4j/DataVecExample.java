package dev.clce.core.dl4j;

// --- docs/DL4J.md: DataVec images ---
import dev.clce.core.loss.LossConfig;
import dev.clce.core.loss.LossKind;
import java.io.File;
import java.io.IOException;
import java.util.Random;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.datavec.api.split.FileSplit;
import org.datavec.image.data.ImageWritable;
import org.datavec.image.loader.NativeImageLoader;
import org.datavec.image.recordreader.ImageRecordReader;
import org.datavec.image.transform.ImageTransform;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

class DataVecExample {
  /**
   * Views made by a DataVec ImageTransform, image by image, with the iterator's random generator
   * (so a seeded TwoViewIterator repeats its views).
   */
  static ViewAugmenter views(ImageTransform transform, int channels, int height, int width) {
    NativeImageLoader loader = new NativeImageLoader(height, width, channels);
    OpenCVFrameConverter.ToMat frames = new OpenCVFrameConverter.ToMat();
    return (batch, rng) -> {
      INDArray out = Nd4j.create(batch.dataType(), batch.shape());
      for (long i = 0; i < batch.size(0); i++) {
        INDArray image = batch.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(),
            NDArrayIndex.all());
        ImageWritable view = transform.transform(new ImageWritable(frames.convert(loader.asMat(image))), rng);
        try {
          out.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())
              .assign(loader.asMatrix(view).castTo(batch.dataType()));
        } catch (IOException e) {
          throw new IllegalStateException("image " + i + " of the minibatch", e);
        }
      }
      return out;
    };
  }

  /** Images in folders named by class (root/CLASS/*.png), read by DataVec, scaled to [0, 1]. */
  static DataSetIterator imageFolder(File root, int channels, int height, int width, int classes, int batch)
      throws IOException {
    ImageRecordReader reader = new ImageRecordReader(height, width, channels, new ParentPathLabelGenerator());
    reader.initialize(new FileSplit(root, NativeImageLoader.ALLOWED_FORMATS, new Random(1)));
    DataSetIterator images = new RecordReaderDataSetIterator(reader, batch, 1, classes);
    images.setPreProcessor(new ImagePreProcessingScaler(0, 1));
    return images;
  }

  /** Trains a small graph with CLCE on two views of every image, each view made by {@code transform}. */
  static ComputationGraph train(DataSetIterator images, ImageTransform transform, int channels, int height,
      int width, int classes, int epochs) {
    LossConfig cfg = LossConfig.builder(LossKind.CLCE).optTau(0.5).optLambda(0.9).build();
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(42)
        .updater(new Adam(1e-3))
        .weightInit(WeightInit.XAVIER)
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.convolutional(height, width, channels))
        .addLayer("enc", new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build(), "in")
        .addLayer("emb", Dl4jClce.embeddingOutput(64, 16, cfg), "enc")
        .addLayer("logits", Dl4jClce.logitsOutput(64, classes, cfg), "enc")
        .setOutputs("emb", "logits")
        .build();
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    net.fit(TwoViewIterator.builder(images)
        .optAugmenter(views(transform, channels, height, width))
        .optSeed(1)
        .build(), epochs);
    return net;
  }
// --- end ---
}

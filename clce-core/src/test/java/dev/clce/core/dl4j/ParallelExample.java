package dev.clce.core.dl4j;

// --- docs/DL4J.md: ParallelWrapper ---
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

class ParallelExample {
  /**
   * One epoch of data-parallel training on this host: one worker per CPU thread group or GPU.
   *
   * @param net a graph built with Dl4jClce (its parameters end up averaged over the workers)
   * @param twoViews a TwoViewIterator: each of its minibatches goes, whole, to one worker
   * @param workers how many model replicas train at once
   * @param averagingFrequency local steps between two parameter averagings
   */
  static void fitParallel(ComputationGraph net, MultiDataSetIterator twoViews, int workers, int averagingFrequency) {
    ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net)
        .workers(workers)
        .trainingMode(ParallelWrapper.TrainingMode.AVERAGING)
        .averagingFrequency(averagingFrequency)
        .averageUpdaters(true)            // Adam's moments are averaged with the parameters
        .prefetchBuffer(2 * workers)
        .build();
    wrapper.fit(twoViews);
    wrapper.shutdown();
  }
// --- end ---
}

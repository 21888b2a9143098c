package dev.clce.core.dl4j;

// --- docs/DL4J.md: ParallelWrapper ---
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.api.ndarray.INDArray;
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
    wrapper.setListeners(new StartTogether(workers));
    wrapper.fit(twoViews);
    wrapper.shutdown();
  }

  /**
   * Holds each worker at its first forward pass until every worker has reached its own. ParallelWrapper
   * (M2.1) makes each replica inside its worker thread, copying the graph's parameters at that moment,
   * while worker 0 trains the graph itself: a replica whose thread starts late would copy parameters
   * worker 0 has already updated. A forward pass changes no parameter, so once all workers are past
   * it, every replica started from the same parameters. Needs at least one minibatch per worker.
   */
  static final class StartTogether extends BaseTrainingListener {
    private final CountDownLatch started;
    private final Set<Model> seen = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    StartTogether(int workers) {
      this.started = new CountDownLatch(workers);
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
      if (seen.add(model)) {
        started.countDown();
        try {
          if (!started.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("a worker never started: fewer minibatches than workers?");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
      onForwardPass(model, (Map<String, INDArray>) null);
    }
  }
// --- end ---
}

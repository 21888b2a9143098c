package dev.clce.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

/** The documented DL4J example runs (a few steps; the training behaviour is in Dl4jClceTest). */
class TrainWithClceTest {
  @Test
  void theDocumentedExampleRuns() {
    ComputationGraph net = TrainWithClce.train(3);
    assertEquals(3, net.getIterationCount());
    assertTrue(Double.isFinite(net.score()) && net.score() > 0, "score " + net.score());
  }
}

/**
 * DL4J integration: {@link dev.clce.core.dl4j.LossContrastive}, a DL4J loss function for an
 * embedding output, {@link dev.clce.core.dl4j.LossCrossEntropy}, the cross-entropy of a logits
 * output computed from the pre-softmax logits, and {@link dev.clce.core.dl4j.Dl4jClce}, the recipe that makes a two-output
 * {@code ComputationGraph}'s score equal CLCE. The loss of one example depends on its whole
 * minibatch: keep the views of an image in the same minibatch, and do not accumulate gradients or
 * split minibatches across workers without accepting a different loss.
 */
package dev.clce.core.dl4j;

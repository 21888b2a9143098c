/**
 * {@code ./clce bench}: the paper's experiments at a scale this machine can run (Fashion-MNIST,
 * base/novel split, CE pretraining, transfer fine-tuning, few-shot episodes, from-scratch variant),
 * on top of the trainer of {@code dev.clce.bench.train}, and the report of {@code dev.clce.bench.report}.
 */
package dev.clce.bench.protocol;

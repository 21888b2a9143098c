package dev.clce.bench.eval;

/**
 * One N-way K-shot episode: indices into the embedding matrix and episode labels {@code 0..N-1}
 * (episode label {@code j} is dataset class {@code classes[j]}).
 *
 * @param classes the N dataset classes drawn
 * @param support the N*K support indices, class by class
 * @param supportLabels their episode labels
 * @param query the N*Q query indices, class by class
 * @param queryLabels their episode labels
 */
public record Episode(int[] classes, int[] support, int[] supportLabels, int[] query, int[] queryLabels) {}

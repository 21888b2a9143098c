/**
 * Exact large-batch gradients on small memory: {@link dev.clce.core.chunk.ChunkedGradients} runs a
 * SameDiff graph over a batch in chunks, computes the clce loss of the whole batch once, and
 * backpropagates each chunk's share of its gradient, so that the parameter gradients equal those of
 * the whole batch while only one chunk's activations are held. See the project's
 * {@code docs/GRADIENT-CACHING.md}.
 */
package dev.clce.core.chunk;

/**
 * The statistics and embedding measures of the bench report: the isotropy score (docs/LOSSES.md,
 * paper Eq. 4), exact t-SNE, the paired t-test with its 95% interval, and cosine-similarity
 * histograms of positive and negative pairs. Plain double arrays; nothing here needs a backend.
 */
package dev.clce.bench.metrics;

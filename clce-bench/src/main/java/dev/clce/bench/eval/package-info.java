/**
 * Evaluation on frozen embeddings: N-way K-shot few-shot episodes classified by logistic regression
 * (as Tian et al. 2020) and by nearest centroid, mean accuracy with a 95% confidence interval, and a
 * top-1 nearest-centroid classifier for per-epoch evaluation. Inputs are plain arrays (or
 * {@code INDArray}s) of embeddings and labels: nothing here depends on a model.
 */
package dev.clce.bench.eval;

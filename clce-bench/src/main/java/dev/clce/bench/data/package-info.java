/**
 * Image data for training and evaluation: validated loaders (Fashion-MNIST IDX, CIFAR-10/100 binary,
 * image folders), the in-memory {@link dev.clce.bench.data.ImageDataset}, class subsets, the paper's
 * two-view augmentation and deterministic, resumable batch samplers.
 */
package dev.clce.bench.data;

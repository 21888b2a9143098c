/**
 * Plumbing shared by the clce modules, not part of clce's API (it may change without notice and is
 * left out of the Javadoc jar): NumPy {@code .npy} files ({@link dev.clce.core.internal.Npy}) and
 * atomic file writes ({@link dev.clce.core.internal.AtomicFiles}).
 */
package dev.clce.core.internal;

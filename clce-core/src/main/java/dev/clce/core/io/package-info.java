/** File formats: NumPy {@code .npy} arrays ({@link dev.clce.core.io.Npy}). */
package dev.clce.core.io;

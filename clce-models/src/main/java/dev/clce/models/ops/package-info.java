/**
 * SameDiff ops that run ND4J's native kernels under clce's own op names, so that SameDiff M2.1 can
 * differentiate them.
 *
 * <p>Why this exists. When SameDiff builds a gradient graph it copies every op by serialising it and
 * rebuilding it <em>by op name</em>; the rebuilt op's {@code doDiff} is what runs. ND4J's own
 * {@code BatchNorm} loses its axis in that copy and its {@code BatchNormDerivative} declares the wrong
 * output types (deeplearning4j issue 9029, pinned by {@code NativeBatchNormAutodiffTest}), and neither
 * can be fixed from outside ND4J. The ops here are {@link org.nd4j.linalg.api.ops.DynamicCustomOp}s
 * with names of their own ({@code clce_*}): they point at a native kernel through
 * {@link NativeAliasOp#nativeName()}, and {@link ClceOps#register()} adds them to ND4J's op-name table
 * (a public, mutable map: {@code ImportClassMapping.getOpNameMapping()}) so that the copy rebuilds
 * them as themselves. No ND4J class is shadowed or patched.
 *
 * <ul>
 *   <li>{@link FusedBatchNorm} / {@link FusedBatchNormBp}: the {@code batchnorm} and
 *       {@code batchnorm_bp} kernels, with the training/inference switch handled in the gradient;</li>
 *   <li>{@link Normalize} and {@link ScaleShift}: LayerNorm on the same kernels (row
 *       standardisation, then a per-column scale and shift with a cheap gradient);</li>
 *   <li>{@link Relu}: the {@code relu} kernel, with a gradient from two element-wise ops;</li>
 *   <li>{@link BitCastOp} and {@link ClceOps#stopGradient}: a value that no gradient flows through,
 *       with no full-size zero gradient computed for it.</li>
 * </ul>
 *
 * <p>Graphs that contain these ops must be loaded after {@link ClceOps#register()} has run;
 * {@code ModelCheckpoint.load} and every op's class initialiser call it.
 */
package dev.clce.models.ops;

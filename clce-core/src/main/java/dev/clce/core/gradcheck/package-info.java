/**
 * Gradient checks for any SameDiff graph: {@link dev.clce.core.gradcheck.GradientCheck} compares
 * SameDiff's gradients with central finite differences in double precision and returns a readable
 * {@link dev.clce.core.gradcheck.GradientCheckReport}.
 */
package dev.clce.core.gradcheck;

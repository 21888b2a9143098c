/** The CLCE family of losses for ND4J, SameDiff and DL4J. */
package dev.clce.core;

/** The clce command-line tool and benchmarks. */
package dev.clce.bench;

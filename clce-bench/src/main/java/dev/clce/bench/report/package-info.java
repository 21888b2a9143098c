/**
 * The bench report: PNG plots drawn with Java2D in headless mode, markdown tables with their CSV
 * twins, and atomic file output.
 */
package dev.clce.bench.report;

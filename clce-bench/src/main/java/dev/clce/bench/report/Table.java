package dev.clce.bench.report;

import dev.clce.core.internal.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A table kept as rows of cells, written as markdown (numbers rounded for reading) and as CSV (every
 * number at full precision).
 */
public final class Table {
  private final List<String> header;
  private final List<List<Object>> rows = new ArrayList<>();

  /**
   * A table with these column names.
   *
   * @param header column names (at least one)
   */
  public Table(List<String> header) {
    if (header == null || header.isEmpty()) {
      throw new IllegalArgumentException("header: must name at least one column, got " + header);
    }
    this.header = List.copyOf(header);
  }

  /**
   * Adds a row.
   *
   * @param cells one value per column (numbers, strings; null for an empty cell)
   * @return this table
   */
  public Table add(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException("cells: need " + header.size() + " values, got " + cells.length);
    }
    rows.add(java.util.Arrays.asList(cells.clone()));
    return this;
  }

  /** @return the rows added so far */
  public int size() {
    return rows.size();
  }

  /** @return the table in GitHub markdown, numbers with 4 decimals */
  public String markdown() {
    StringBuilder b = new StringBuilder();
    b.append('|');
    for (String h : header) {
      b.append(' ').append(h).append(" |");
    }
    b.append("\n|");
    for (int i = 0; i < header.size(); i++) {
      b.append("---|");
    }
    b.append('\n');
    for (List<Object> r : rows) {
      b.append('|');
      for (Object o : r) {
        b.append(' ').append(show(o)).append(" |");
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** @return the table as CSV (RFC 4180 quoting, full precision) */
  public String csv() {
    StringBuilder b = new StringBuilder();
    b.append(String.join(",", header.stream().map(Table::quote).toList())).append('\n');
    for (List<Object> r : rows) {
      List<String> cells = new ArrayList<>();
      for (Object o : r) {
        cells.add(o == null ? "" : o instanceof Double d ? Double.toString(d) : quote(o.toString()));
      }
      b.append(String.join(",", cells)).append('\n');
    }
    return b.toString();
  }

  /**
   * Writes the CSV atomically.
   *
   * @param file the file
   */
  public void writeCsv(Path file) {
    AtomicFiles.writeString(file, csv());
  }

  /**
   * A number as the markdown tables show it.
   *
   * @param o a value
   * @return 4 decimals for doubles ("n/a" for NaN), the string form otherwise
   */
  public static String show(Object o) {
    if (o == null) {
      return "";
    }
    if (o instanceof Double d) {
      return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.4f", d);
    }
    return o.toString();
  }

  private static String quote(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}

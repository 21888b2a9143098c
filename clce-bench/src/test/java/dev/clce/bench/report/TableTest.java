package dev.clce.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {

  @Test
  void markdownRoundsAndCsvKeepsFullPrecision() {
    Table t = new Table(List.of("loss", "top-1")).add("CE, plain", 0.123456789).add("CLCE", Double.NaN);
    assertEquals("| loss | top-1 |\n|---|---|\n| CE, plain | 0.1235 |\n| CLCE | n/a |\n", t.markdown());
    assertEquals("loss,top-1\n\"CE, plain\",0.123456789\nCLCE,NaN\n", t.csv());
  }

  @Test
  void wrongRowLengthIsRefused() {
    Table t = new Table(List.of("a", "b"));
    assertThrows(IllegalArgumentException.class, () -> t.add("only one"));
  }
}

package dev.clce.bench.train;

import java.util.Locale;

/** How the trainer draws the images of a batch. */
public enum Sampler {
  /** A plain shuffle per epoch. */
  SHUFFLE,
  /** Every class of a batch appears at least twice (pairs of images); needs an even batch. */
  CLASS_PAIRS;

  /** @return the command-line and JSON name ({@code shuffle}, {@code class-pairs}) */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses a command-line name.
   *
   * @param name shuffle or class-pairs
   * @return the sampler
   * @throws IllegalArgumentException naming {@code sampler} for an unknown name
   */
  public static Sampler parse(String name) {
    for (Sampler s : values()) {
      if (s.cliName().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return s;
      }
    }
    throw new IllegalArgumentException("sampler: must be shuffle or class-pairs, got " + name);
  }
}

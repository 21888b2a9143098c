package dev.clce.models;

/** The first layers of a ResNet. */
public enum Stem {
  /** ImageNet stem: 7x7 stride-2 convolution, BatchNorm, ReLU, 3x3 stride-2 max-pool. */
  IMAGENET("imagenet"),
  /** Small-image stem for 28-32 px inputs: 3x3 stride-1 convolution, BatchNorm, ReLU, no pool. */
  SMALL("small");

  private final String cliName;

  Stem(String cliName) {
    this.cliName = cliName;
  }

  /** @return the lower-case name */
  public String cliName() {
    return cliName;
  }

  /**
   * @param name {@code imagenet} or {@code small}
   * @return the stem
   * @throws IllegalArgumentException for another name
   */
  public static Stem fromName(String name) {
    for (Stem s : values()) {
      if (s.cliName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("stem: must be imagenet or small, got " + name);
  }
}

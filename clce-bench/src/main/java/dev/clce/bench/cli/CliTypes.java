package dev.clce.bench.cli;

import dev.clce.bench.train.OptimizerKind;
import dev.clce.bench.train.Sampler;
import dev.clce.core.loss.Aggregation;
import dev.clce.core.loss.LossKind;
import dev.clce.models.Arch;
import dev.clce.models.layers.NormKernel;
import dev.clce.models.Stem;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * The options whose values are a fixed set: each enum once, as the completion candidates that help
 * texts list with {@code ${COMPLETION-CANDIDATES}} (so no list of names is written by hand) and as
 * its parser ({@link Named#parse}: the enum's own, so every spelling it accepts works and a bad value
 * is refused with the one-line {@code error: NAME: ...} of every other bad argument).
 */
final class CliTypes {

  private CliTypes() {}

  /** An enum by its command-line names. */
  abstract static class Named<E extends Enum<E>> implements Iterable<String> {
    private final List<String> names;
    private final Function<String, E> parser;

    Named(E[] values, Function<E, String> name, Function<String, E> parser) {
      this.names = Arrays.stream(values).map(name).toList();
      this.parser = parser;
    }

    /**
     * @param value a command-line name
     * @return the constant
     * @throws IllegalArgumentException naming the option's value kind when it is unknown
     */
    E parse(String value) {
      return parser.apply(value);
    }

    @Override
    public Iterator<String> iterator() {
      return names.iterator();
    }
  }

  /** Every {@link LossKind}. */
  static final class Losses extends Named<LossKind> {
    Losses() {
      super(LossKind.values(), LossKind::cliName, LossKind::parse);
    }
  }

  /** Every {@link Arch}. */
  static final class Archs extends Named<Arch> {
    Archs() {
      super(Arch.values(), Arch::cliName, Arch::fromName);
    }
  }

  /** Every {@link Stem}. */
  static final class Stems extends Named<Stem> {
    Stems() {
      super(Stem.values(), Stem::cliName, Stem::fromName);
    }
  }

  /** Every {@link NormKernel}. */
  static final class NormKernels extends Named<NormKernel> {
    NormKernels() {
      super(NormKernel.values(), NormKernel::cliName, CliTypes::normKernel);
    }
  }

  /** Every {@link Aggregation}. */
  static final class Aggregations extends Named<Aggregation> {
    Aggregations() {
      super(Aggregation.values(), Aggregation::cliName, Aggregation::parse);
    }
  }

  /** Every {@link OptimizerKind}. */
  static final class Optimizers extends Named<OptimizerKind> {
    Optimizers() {
      super(OptimizerKind.values(), OptimizerKind::cliName, OptimizerKind::parse);
    }
  }

  /** Every {@link Sampler}. */
  static final class Samplers extends Named<Sampler> {
    Samplers() {
      super(Sampler.values(), Sampler::cliName, Sampler::parse);
    }
  }

  private static NormKernel normKernel(String name) {
    for (NormKernel k : NormKernel.values()) {
      if (k.cliName().equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("normKernel: must be auto, native or primitive, got " + name);
  }
}

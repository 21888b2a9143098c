package dev.clce.models.weights;

import dev.clce.models.ModelNames;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Which tensors of a state dict load into which state entries of a model, for {@link StateDict}.
 * Immutable; start from {@link #strict()} (every entry of the model, nothing else) or
 * {@link #backbone()} (all but the classifier and the projection head).
 *
 * <p>A source tensor's name becomes a model name in three steps: tensors outside
 * {@link #withPrefix the prefix} are not part of the state dict; the prefix is removed; then
 * {@link #withRename the renaming} applies. {@link #withSkip Skipped} and
 * {@link #withIgnoreUnexpected ignored} names are tested on model names.
 */
public final class LoadRule {
  private static final Predicate<String> NONE = n -> false;
  private static final LoadRule STRICT = new LoadRule(NONE, NONE, UnaryOperator.identity(), "", false, null, false, false);

  private final Predicate<String> skip;
  private final Predicate<String> ignoreUnexpected;
  private final UnaryOperator<String> rename;
  private final String prefix;
  private final boolean withoutHeads;
  private final Set<String> heads;
  private final boolean exactTypes;
  private final boolean adaptInput;

  private LoadRule(Predicate<String> skip, Predicate<String> ignoreUnexpected, UnaryOperator<String> rename, String prefix,
      boolean withoutHeads, Set<String> heads, boolean exactTypes, boolean adaptInput) {
    this.skip = skip;
    this.ignoreUnexpected = ignoreUnexpected;
    this.rename = rename;
    this.prefix = prefix;
    this.withoutHeads = withoutHeads;
    this.heads = heads;
    this.exactTypes = exactTypes;
    this.adaptInput = adaptInput;
  }

  /** @return the rule under which every state entry of the model must be given, and nothing else */
  public static LoadRule strict() {
    return STRICT;
  }

  /**
   * The rule for fine-tuning from an encoder trained on other classes or with another loss: every
   * state entry but the classifier and the projection head, which keep their values; the source's
   * classifier and projection head are ignored, whatever their shapes.
   *
   * @return {@code strict().withoutHeads()}
   */
  public static LoadRule backbone() {
    return STRICT.withoutHeads();
  }

  /**
   * Leaves the model's classifier and projection head out on both sides (they keep their values),
   * and ignores the source's projection head ({@code projection.*}) when the model has none. Only
   * for loads into an {@code EncoderModel}, which knows its heads.
   *
   * @return new rule
   */
  public LoadRule withoutHeads() {
    return new LoadRule(skip, ignoreUnexpected, rename, prefix, true, heads, exactTypes, adaptInput);
  }

  /**
   * Model names neither loaded nor checked, on either side (for example a classifier of another
   * size: {@code n -> n.startsWith("fc.")}). Those entries keep their values.
   *
   * @param skip true for a name to leave out
   * @return new rule (replacing an earlier {@code withSkip})
   */
  public LoadRule withSkip(Predicate<String> skip) {
    return new LoadRule(Objects.requireNonNull(skip, "skip"), ignoreUnexpected, rename, prefix, withoutHeads, heads, exactTypes, adaptInput);
  }

  /**
   * Source tensors that the model does not have and that are then ignored instead of refused.
   *
   * @param ignore true for an extra tensor's model name to ignore
   * @return new rule (replacing an earlier {@code withIgnoreUnexpected})
   */
  public LoadRule withIgnoreUnexpected(Predicate<String> ignore) {
    return new LoadRule(skip, Objects.requireNonNull(ignore, "ignore"), rename, prefix, withoutHeads, heads, exactTypes, adaptInput);
  }

  /**
   * Maps each source name (after the prefix is removed) to the model name it loads into, for
   * example {@link TorchvisionNames#LEGACY_VIT_MLP} for checkpoints older than torchvision 0.14. Two
   * source tensors that map to one name are refused.
   *
   * @param rename source name to model name
   * @return new rule (replacing an earlier {@code withRename})
   */
  public LoadRule withRename(UnaryOperator<String> rename) {
    return new LoadRule(skip, ignoreUnexpected, Objects.requireNonNull(rename, "rename"), prefix, withoutHeads, heads, exactTypes, adaptInput);
  }

  /**
   * Reads only the source tensors whose names start with {@code prefix}, with the prefix removed: a
   * file that holds a model's state dict beside other tensors (a training checkpoint holds
   * {@code model/conv1.weight} beside {@code optimizer/conv1.weight}).
   *
   * @param prefix for example {@code "model/"}; empty for every tensor
   * @return new rule
   */
  public LoadRule withPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("prefix: must not be null (empty for none)");
    }
    return new LoadRule(skip, ignoreUnexpected, rename, prefix, withoutHeads, heads, exactTypes, adaptInput);
  }

  /**
   * Refuses a tensor whose element type is not the model's, instead of converting it (a checkpoint
   * that resumes training must give back exactly what was saved).
   *
   * @return new rule
   */
  public LoadRule withExactTypes() {
    return new LoadRule(skip, ignoreUnexpected, rename, prefix, withoutHeads, heads, true, adaptInput);
  }

  /**
   * Adapts the tensors that depend on the input when the model's input differs from the one the
   * weights were trained on ({@link InputAdaptation}): the stem convolution to another number of
   * input channels (ImageNet's three to one for grey images), a ViT's position embedding to another
   * patch grid (another image size). Every other shape must still match, and the load reports each
   * adaptation.
   *
   * @return new rule
   */
  public LoadRule withInputAdaptation() {
    return new LoadRule(skip, ignoreUnexpected, rename, prefix, withoutHeads, heads, exactTypes, true);
  }

  /** @return whether input-dependent tensors are adapted ({@link #withInputAdaptation()}) */
  boolean adaptsInput() {
    return adaptInput;
  }

  /**
   * A source tensor's name with the prefix removed.
   *
   * @param sourceName the tensor's name in the source
   * @return the name without the prefix, or null when the tensor is outside the prefix
   */
  String stripPrefix(String sourceName) {
    return sourceName.startsWith(prefix) ? sourceName.substring(prefix.length()) : null;
  }

  /**
   * The model name a tensor loads into.
   *
   * @param stripped the tensor's name without the prefix
   * @return its model name
   * @throws IllegalArgumentException if the renaming gives null
   */
  String modelName(String stripped) {
    String m = rename.apply(stripped);
    if (m == null) {
      throw new IllegalArgumentException("rule: rename maps '" + stripped + "' to null");
    }
    return m;
  }

  /** @return whether a model name is left out on both sides */
  boolean skips(String modelName) {
    return skip.test(modelName) || (heads != null && heads.contains(modelName));
  }

  /** @return whether an extra source tensor (by model name) is ignored instead of refused */
  boolean ignores(String modelName) {
    return ignoreUnexpected.test(modelName) || (withoutHeads && modelName.startsWith(ModelNames.PROJECTION_PREFIX + "."));
  }

  /** @return whether element types must match exactly */
  boolean exactTypes() {
    return exactTypes;
  }

  /**
   * This rule with the heads of the model it loads into named, when {@link #withoutHeads()} asked
   * for them to be left out.
   *
   * @param modelHeads the model's classifier and projection head entries
   * @return this rule, or a new one that skips {@code modelHeads}
   */
  LoadRule resolveHeads(Set<String> modelHeads) {
    return withoutHeads ? new LoadRule(skip, ignoreUnexpected, rename, prefix, true, Set.copyOf(modelHeads), exactTypes, adaptInput) : this;
  }

  /**
   * @return true when the rule leaves heads out but does not know them yet (it was not given a model)
   */
  boolean headsUnresolved() {
    return withoutHeads && heads == null;
  }
}

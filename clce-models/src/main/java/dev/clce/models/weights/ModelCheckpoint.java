package dev.clce.models.weights;

import dev.clce.core.internal.AtomicFiles;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelNames;
import dev.clce.models.ModelSpec;
import dev.clce.models.layers.StateLayout;
import dev.clce.models.ops.ClceOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.Permute;

/**
 * Saves and loads a model in SameDiff's own format (FlatBuffers, {@link SameDiff#save} /
 * {@link SameDiff#load}): the whole graph with every parameter, buffer, the training switch and,
 * optionally, the optimiser's state, so that training can continue.
 *
 * <pre>{@code
 * ModelCheckpoint.save(model, Path.of("model.sd"), true);
 * SameDiff sd = ModelCheckpoint.load(Path.of("model.sd"), true);          // the graph, as saved
 * EncoderModel again = ModelCheckpoint.restore(model.spec(), Path.of("model.sd")); // a full EncoderModel
 * }</pre>
 *
 * <p>A loaded {@link SameDiff} computes what the saved one did, but it is a bare graph: the
 * {@link EncoderModel} around it (mode switch, BatchNorm statistics updater) is rebuilt by
 * {@link #restore}, which builds the model from its spec and copies every state entry and the mode
 * from the file (the optimiser's state is not carried over there).
 */
public final class ModelCheckpoint {

  /** The largest file {@link #load} reads: SameDiff reads the whole file into one byte array. */
  static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

  private ModelCheckpoint() {}

  /**
   * Saves the model's graph atomically (temporary file in the target directory, then a move).
   *
   * @param model the model
   * @param file the target (replaced if present); its directory must exist
   * @param withUpdaterState also save the optimiser's state (after training with {@code sd.fit})
   * @throws IllegalArgumentException for a null model or a missing directory
   * @throws UncheckedIOException on an I/O error (the target is then unchanged)
   */
  public static void save(EncoderModel model, Path file, boolean withUpdaterState) {
    if (model == null) {
      throw new IllegalArgumentException("model: must not be null");
    }
    if (file == null) {
      throw new IllegalArgumentException("file: must not be null");
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("file: directory does not exist, got " + file);
    }
    AtomicFiles.writePath(file, tmp -> model.sameDiff().save(tmp.toFile(), withUpdaterState));
  }

  /**
   * Loads a graph saved by {@link #save}. The file's FlatBuffers structure is checked
   * ({@link FlatBuffersCheck}) before SameDiff reads it, because SameDiff allocates whatever sizes the
   * file declares.
   *
   * @param file the file
   * @param withUpdaterState also load the optimiser's state (it must have been saved)
   * @return the graph
   * @throws IllegalArgumentException if the file is missing or cannot be read as a SameDiff graph
   * @throws UncheckedIOException on an I/O error
   */
  public static SameDiff load(Path file, boolean withUpdaterState) {
    if (file == null || !Files.isRegularFile(file)) {
      throw new IllegalArgumentException("file: no such file, got " + file);
    }
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new IllegalArgumentException("file: " + file + " has " + size + " bytes, more than the "
            + MAX_FILE_BYTES + " a SameDiff model file can have (one Java array)");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
    String problem = FlatBuffersCheck.problem(bytes);
    if (problem != null) {
      throw new IllegalArgumentException("file: " + file + " is not a readable SameDiff model: " + problem);
    }
    ClceOps.register();   // the graph may hold clce's own ops (BatchNorm), rebuilt by name
    try {
      // what SameDiff.load(file) does after reading the file
      return SameDiff.fromFlatBuffers(ByteBuffer.wrap(bytes), withUpdaterState);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("file: " + file + " is not a readable SameDiff model: " + e.getMessage(), e);
    }
  }

  /**
   * Rebuilds a model from its spec and a file saved by {@link #save}: every state entry and the
   * training/inference mode come from the file; all or nothing. A file saved before convolution
   * weights moved to the graph's YXIO layout (its graph permutes {@code [out, in, kH, kW]} weights
   * before {@code conv2d}) is converted.
   *
   * @param spec the spec the saved model was built from (for example {@code saved.spec()}, or
   *     {@code arch.spec(options)} with the same options)
   * @param file the file
   * @return the model, in the saved mode
   * @throws IllegalArgumentException if the file is unreadable or its graph lacks a state entry of
   *     the spec or holds it in another shape (naming every such entry)
   */
  public static EncoderModel restore(ModelSpec spec, Path file) {
    if (spec == null) {
      throw new IllegalArgumentException("spec: must not be null");
    }
    SameDiff saved = load(file, false);
    INDArray flag = saved.hasVariable(ModelNames.TRAINING_FLAG) ? saved.getArrForVarName(ModelNames.TRAINING_FLAG) : null;
    if (flag == null || flag.length() != 1) {
      throw new IllegalArgumentException("file: " + file + " does not fit the model: missing '" + ModelNames.TRAINING_FLAG + "'");
    }
    EncoderModel model = spec.build();
    // The saved graph's state entries in torchvision's layout, then the one loading path.
    Map<String, INDArray> state = new LinkedHashMap<>();
    for (String n : model.stateNames()) {
      INDArray src = saved.hasVariable(n) ? saved.getArrForVarName(n) : null;
      if (src != null) {
        StateLayout layout = model.layout(n);
        state.put(n, inStateLayout(saved, n, layout) ? src : layout.stateView(src));
      }
    }
    StateDict.load(model, state, LoadRule.strict().withExactTypes(), file);
    model.setTraining(flag.getDouble(0) != 0.0);
    return model;
  }

  /**
   * Whether a saved graph holds a variable in the state-dict layout although the model lays it out
   * otherwise: files written before convolution weights moved to YXIO hold them as
   * {@code [out, in, kH, kW]} and feed {@code conv2d} through a {@code permute} op.
   */
  private static boolean inStateLayout(SameDiff saved, String name, StateLayout layout) {
    if (layout == StateLayout.SAME) {
      return false;
    }
    Variable v = saved.getVariables().get(name);
    List<String> consumers = v == null || v.getInputsForOp() == null ? List.of() : v.getInputsForOp();
    for (String op : consumers) {
      SameDiffOp o = saved.getOps().get(op);
      if (o != null && o.getOp() instanceof Permute) {
        return true;
      }
    }
    return false;
  }
}

package dev.clce.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clce.models.Arch;
import dev.clce.models.ModelOptions;
import dev.clce.models.ModelSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The full-size networks: what the importer expects of a weight file for each registered
 * architecture (from the spec alone, no graph) equals torchvision's state dict, as listed by
 * {@code make_model_fixtures.py} in {@code fixtures/models/torchvision_manifest.json} (names, order,
 * dtypes, shapes, buffers included; 1000 classes, 224 px).
 */
class TorchvisionManifestTest {
  private static JsonNode models;

  @BeforeAll
  static void readManifest() throws IOException {
    JsonNode root = new ObjectMapper().readTree(ReducedModels.resource("torchvision_manifest.json").toFile());
    models = root.get("models");
  }

  /** @return the manifest's tensors of one model, as a header with contiguous offsets */
  private static Map<String, SafetensorsTensorInfo> tensors(String arch) {
    JsonNode m = models.get(arch);
    Map<String, SafetensorsTensorInfo> out = new LinkedHashMap<>();
    long offset = 0;
    for (JsonNode e : m.get("tensors")) {
      String name = e.get(0).textValue();
      SafetensorsDtype dtype = SafetensorsDtype.fromHeader(e.get(1).textValue());
      long[] shape = new long[e.get(2).size()];
      long n = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = e.get(2).get(i).longValue();
        n *= shape[i];
      }
      long bytes = n * dtype.bytes();
      out.put(name, new SafetensorsTensorInfo(name, dtype, shape, offset, offset + bytes));
      offset += bytes;
    }
    return out;
  }

  private static List<TensorSpec> specs(Map<String, SafetensorsTensorInfo> header) {
    return header.values().stream().map(SafetensorsTensorInfo::spec).toList();
  }

  @ParameterizedTest
  @EnumSource(Arch.class)
  void importerExpectsExactlyTorchvisionsStateDict(Arch arch) {
    assertTrue(models.has(arch.cliName()), "manifest lacks " + arch.cliName());
    ModelSpec spec = arch.spec(ModelOptions.builder().build());
    List<TensorSpec> expected = ModelWeights.expected(spec);
    Map<String, SafetensorsTensorInfo> torchvision = tensors(arch.cliName());
    StateDict.Check check = StateDict.check(expected, specs(torchvision), LoadRule.strict());
    assertEquals(List.of(), check.problems(), arch + ": " + check.problems().size() + " problems");
    assertEquals(List.of(), check.conversions(), arch + ": float32 and int64 load without conversion");
    List<String> names = new ArrayList<>();
    expected.forEach(t -> names.add(t.name()));
    assertEquals(List.copyOf(torchvision.keySet()), names, arch + ": torchvision's state-dict order");
    assertEquals(models.get(arch.cliName()).get("parameters").longValue(), spec.trainableParameterCount(), arch + " parameters");
  }

  @Test
  void manifestCoversEveryArchitectureAndNothingElse() {
    Set<String> listed = new java.util.TreeSet<>();
    Iterator<String> it = models.fieldNames();
    it.forEachRemaining(listed::add);
    Set<String> ours = new java.util.TreeSet<>();
    EnumSet.allOf(Arch.class).forEach(a -> ours.add(a.cliName()));
    assertEquals(ours, listed);
  }

  @Test
  void aDifferentClassCountIsReportedAsShapeProblemsOfTheClassifierOnly() {
    ModelSpec spec = Arch.RESNET50.spec(ModelOptions.builder().optClasses(100).build());
    StateDict.Check check = StateDict.check(ModelWeights.expected(spec), specs(tensors("resnet50")),
        LoadRule.strict());
    assertEquals(List.of("shape of 'fc.weight': file [1000, 2048], model [100, 2048]",
        "shape of 'fc.bias': file [1000], model [100]"), check.problems());
  }
}

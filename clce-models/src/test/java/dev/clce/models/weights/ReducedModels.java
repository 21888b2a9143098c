package dev.clce.models.weights;

import dev.clce.models.Arch;
import dev.clce.models.EncoderModel;
import dev.clce.models.ModelOptions;
import dev.clce.models.ModelSpec;
import dev.clce.models.Stem;
import dev.clce.models.ViTBuilder;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The reduced torchvision models of {@code make_model_fixtures.py} (see its {@code REDUCED} table and
 * {@code fixtures/models/models.json}), built as our graphs, and their fixture files.
 */
enum ReducedModels {
  /** torchvision ResNet-18 layout at widths 8, 16, 32, 64; ImageNet stem; 32 px; 10 classes. */
  RESNET18_TINY("resnet18_tiny") {
    @Override
    ModelSpec spec() {
      return Arch.RESNET18.spec(ModelOptions.builder()
          .optWidth(0.125).optClasses(10).optImageSize(32).optStem(Stem.IMAGENET).build());
    }
  },
  /** ResNet-50 layout, one bottleneck per stage, widths 4, 8, 16, 32 (x4); small stem; 16 px; 7 classes. */
  RESNET50_TINY("resnet50_tiny") {
    @Override
    ModelSpec spec() {
      return Arch.RESNET50.spec(ModelOptions.builder()
          .optWidth(0.0625).optMaxBlocksPerStage(1).optClasses(7).optImageSize(16).optStem(Stem.SMALL).build());
    }
  },
  /** torchvision VisionTransformer: 32 px, patch 8, 2 layers, width 32, 4 heads, MLP 64, 5 classes. */
  VIT_TINY("vit_tiny") {
    @Override
    ModelSpec spec() {
      return ViTBuilder.custom("vit_tiny", 8, 2, 32, 4, 2.0,
          ModelOptions.builder().optClasses(5).optImageSize(32).build()).spec();
    }
  };

  /** Classpath folder of the fixtures. */
  static final String FOLDER = "/fixtures/models/";

  private final String fixture;

  ReducedModels(String fixture) {
    this.fixture = fixture;
  }

  /** @return the spec of the fixture's configuration (no graph) */
  abstract ModelSpec spec();

  /** @return the model, built with the fixture's configuration (random weights, training mode) */
  EncoderModel build() {
    return spec().build();
  }

  /** @return the fixture's base name */
  String fixture() {
    return fixture;
  }

  /** @return the weights file */
  Path weights() {
    return resource(fixture + ".safetensors");
  }

  /** @return the input batch (.npy, float32 NCHW) */
  Path input() {
    return resource(fixture + "_input.npy");
  }

  /** @return PyTorch's eval-mode logits (.npy) */
  Path logits() {
    return resource(fixture + "_logits.npy");
  }

  /** @return PyTorch's eval-mode embedding, the classifier's input (.npy) */
  Path embedding() {
    return resource(fixture + "_embedding.npy");
  }

  /**
   * @param name a file of the fixture folder
   * @return its path
   */
  static Path resource(String name) {
    try {
      java.net.URL u = ReducedModels.class.getResource(FOLDER + name);
      if (u == null) {
        throw new IllegalStateException("missing test resource " + FOLDER + name);
      }
      return Path.of(u.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

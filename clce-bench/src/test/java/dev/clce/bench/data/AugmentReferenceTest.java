package dev.clce.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Each augmentation step against torchvision 0.14's tensor transforms on a fixed image (fixture made
 * by clce-bench/src/test/python/augment_reference.py).
 */
class AugmentReferenceTest {

  private static JsonNode fixture() throws IOException {
    try (InputStream in = AugmentReferenceTest.class.getResourceAsStream("augment_reference.json")) {
      assertNotNull(in, "augment_reference.json missing from test resources");
      return new ObjectMapper().readTree(in);
    }
  }

  private static byte[] image(JsonNode f) {
    JsonNode img = f.get("image");
    byte[] px = new byte[img.size()];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) img.get(i).asInt();
    }
    return px;
  }

  private static void assertClose(JsonNode expected, float[] actual, double tol, String what) {
    assertEquals(expected.size(), actual.length, what + " length");
    for (int i = 0; i < actual.length; i++) {
      assertEquals(expected.get(i).asDouble(), actual[i], tol, what + " at " + i);
    }
  }

  @Test
  void resizedCropMatchesTorchvision() throws IOException {
    JsonNode f = fixture();
    byte[] px = image(f);
    int c = f.get("channels").asInt();
    int h = f.get("height").asInt();
    int w = f.get("width").asInt();
    int n = 0;
    for (JsonNode k : f.get("crops")) {
      int oh = k.get("oh").asInt();
      int ow = k.get("ow").asInt();
      float[] buf = new float[c * oh * ow];
      TwoViewAugmenter.resizedCrop(px, 0, c, h, w, k.get("top").asInt(), k.get("left").asInt(),
          k.get("h").asInt(), k.get("w").asInt(), oh, ow, k.get("flip").asBoolean(), buf);
      assertClose(k.get("out"), buf, 2e-6, "crop " + k.get("top") + "," + k.get("left") + " " + k.get("h")
          + "x" + k.get("w") + " -> " + oh + "x" + ow);
      n++;
    }
    assertEquals(4, n);
  }

  @Test
  void colourStepsMatchTorchvision() throws IOException {
    JsonNode f = fixture();
    byte[] px = image(f);
    int plane = f.get("height").asInt() * f.get("width").asInt();
    int n = 0;
    for (JsonNode k : f.get("colour")) {
      float[] buf = new float[px.length];
      for (int i = 0; i < px.length; i++) {
        buf[i] = (px[i] & 0xFF) / 255f;
      }
      String op = k.get("op").asText();
      float factor = (float) k.get("factor").asDouble();
      switch (op) {
        case "brightness" -> TwoViewAugmenter.adjustBrightness(buf, factor);
        case "contrast" -> TwoViewAugmenter.adjustContrast(buf, plane, factor);
        case "saturation" -> TwoViewAugmenter.adjustSaturation(buf, plane, factor);
        case "hue" -> TwoViewAugmenter.shiftHue(buf, plane, factor);
        case "grayscale" -> TwoViewAugmenter.grayscale(buf, plane);
        default -> throw new AssertionError("unknown op " + op);
      }
      assertClose(k.get("out"), buf, 2e-6, op + " " + factor);
      n++;
    }
    assertEquals(10, n);
  }
}

package dev.clce.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Samplers, the resumable iterator, class subsets. */
class SamplerTest {

  @Test
  void shuffleSamplerCoversEachEpochOnce() {
    ShuffleSampler s = new ShuffleSampler(23, 5, 1);
    assertEquals(4, s.stepsPerEpoch());
    for (long epoch = 0; epoch < 3; epoch++) {
      Set<Integer> seen = new HashSet<>();
      for (int step = 0; step < 4; step++) {
        int[] b = s.batch(epoch, step);
        assertEquals(5, b.length);
        for (int i : b) {
          assertTrue(i >= 0 && i < 23);
          assertTrue(seen.add(i), "index " + i + " twice in epoch " + epoch);
        }
      }
      assertEquals(20, seen.size());
    }
    assertFalse(Arrays.equals(s.batch(0, 0), s.batch(1, 0)), "epochs are shuffled afresh");
    assertArrayEquals(s.batch(2, 3), new ShuffleSampler(23, 5, 1).batch(2, 3));
    assertFalse(Arrays.equals(s.batch(2, 3), new ShuffleSampler(23, 5, 2).batch(2, 3)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.batch(0, 4));
    assertTrue(e.getMessage().startsWith("step: must be in [0, 4), got 4"), e.getMessage());
  }

  @Test
  void classPairSamplerGivesEveryClassAtLeastTwice() {
    // unbalanced classes: 7, 2, 5, 12, 3 images (class 5 absent)
    int[] counts = {7, 2, 5, 12, 3};
    List<Integer> labelList = new ArrayList<>();
    for (int c = 0; c < counts.length; c++) {
      for (int k = 0; k < counts[c]; k++) {
        labelList.add(c);
      }
    }
    java.util.Collections.shuffle(labelList, new java.util.Random(3));
    int[] labels = labelList.stream().mapToInt(Integer::intValue).toArray();
    ClassPairSampler s = new ClassPairSampler(labels, 6, 11);
    int pairs = 3 + 1 + 2 + 6 + 1;
    assertEquals(pairs / 3, s.stepsPerEpoch());
    for (long epoch = 0; epoch < 20; epoch++) {
      Set<Integer> epochSeen = new HashSet<>();
      for (int step = 0; step < s.stepsPerEpoch(); step++) {
        int[] b = s.batch(epoch, step);
        assertEquals(6, b.length);
        int[] perClass = new int[counts.length];
        Set<Integer> distinct = new HashSet<>();
        for (int i : b) {
          perClass[labels[i]]++;
          assertTrue(distinct.add(i), "image " + i + " twice in one batch");
          assertTrue(epochSeen.add(i), "image " + i + " twice in one epoch");
        }
        for (int c = 0; c < counts.length; c++) {
          assertTrue(perClass[c] == 0 || perClass[c] >= 2,
              "class " + c + " appears " + perClass[c] + " times in epoch " + epoch + " step " + step);
        }
      }
    }
    assertArrayEquals(s.batch(4, 1), new ClassPairSampler(labels, 6, 11).batch(4, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ClassPairSampler(labels, 5, 1));
    assertTrue(e.getMessage().startsWith("batchSize: must be even"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ClassPairSampler(new int[] {0, 0, 1}, 2, 1));
    assertTrue(e.getMessage().startsWith("labels: class 1 has a single image"), e.getMessage());
  }

  @Test
  void resumedIteratorSeesTheSameBatches() {
    ImageDataset ds = TwoViewAugmenterTest.noise(30, 3, 8, 12);
    AugmentConfig cfg = AugmentConfig.forDataset(ds);
    BatchIterator straight = new BatchIterator(new ShuffleSampler(30, 8, 5), new TwoViewAugmenter(ds, cfg, 5));
    List<float[]> features = new ArrayList<>();
    List<int[]> indices = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      TwoViewBatch b = straight.next();
      features.add(b.features().data().asFloat());
      indices.add(b.indices());
    }
    assertEquals(new BatchIterator.Position(3, 0, 9), straight.position());
    // a fresh iterator (fresh sampler and augmenter, as after a restart) moved to step 4
    BatchIterator resumed = new BatchIterator(new ShuffleSampler(30, 8, 5), new TwoViewAugmenter(ds, cfg, 5));
    resumed.seek(4);
    assertEquals(new BatchIterator.Position(1, 1, 4), resumed.position());
    for (int i = 4; i < 9; i++) {
      TwoViewBatch b = resumed.next();
      assertArrayEquals(indices.get(i), b.indices());
      assertArrayEquals(features.get(i), b.features().data().asFloat());
    }
  }

  @Test
  void classSubsetsRelabelAndLimit() {
    byte[] px = new byte[8];
    for (int i = 0; i < 8; i++) {
      px[i] = (byte) (10 * i);
    }
    int[] labels = {2, 0, 1, 2, 2, 1, 0, 2};
    ImageDataset ds = new ImageDataset("t", px, labels, List.of("zero", "one", "two"), 1, 1, 1);
    assertArrayEquals(new int[] {2, 2, 4}, ds.countsPerClass());
    ClassSubset subset = new ClassSubset(ClassSubset.parseClasses("2,0"), 2);
    ImageDataset sub = subset.apply(ds);
    // class 2 -> label 0, class 0 -> label 1; first two of each kept, dataset order
    assertArrayEquals(new int[] {0, 1, 0, 1}, sub.labels());
    assertArrayEquals(new byte[] {0, 10, 30, 60}, new byte[] {sub.image(0)[0], sub.image(1)[0],
        sub.image(2)[0], sub.image(3)[0]});
    assertEquals(List.of("two", "zero"), sub.classNames());
    assertArrayEquals(new int[] {2, 0}, sub.sourceClassIds());
    assertEquals(List.of(0, 1, 2, 3, 4, 7, 9), ClassSubset.parseClasses("0-4, 7,9"));
    assertEquals(List.of(1, 3), ClassSubset.complement(List.of(0, 2, 4), 5));
    assertEquals("{classes=[2, 0], max_per_class=2}", subset.describe().toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClassSubset.parseClasses("1,x"));
    assertTrue(e.getMessage().startsWith("classes: 'x'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ClassSubset.parseClasses("1,1"));
    assertTrue(e.getMessage().startsWith("classes: class 1 is listed twice"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ClassSubset(List.of(3), 0).apply(ds));
    assertTrue(e.getMessage().startsWith("classes: class 3 is outside [0, 3)"), e.getMessage());
  }
}

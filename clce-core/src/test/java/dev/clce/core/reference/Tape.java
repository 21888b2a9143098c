package dev.clce.core.reference;

import java.util.Arrays;

/**
 * A minimal scalar reverse-mode automatic differentiation tape in plain doubles, for the reference
 * losses. Every node has at most two parents with their local partial derivatives; {@link
 * #backward(int)} sweeps the tape once in reverse. Nodes are ints (indices into the tape).
 */
public final class Tape {
  private static final int NONE = -1;

  private double[] val = new double[1 << 12];
  private int[] pa = new int[1 << 12];
  private int[] pb = new int[1 << 12];
  private double[] da = new double[1 << 12];
  private double[] db = new double[1 << 12];
  private int n;

  private int push(double v, int a, double dA, int b, double dB) {
    if (n == val.length) {
      int cap = n * 2;
      val = Arrays.copyOf(val, cap);
      pa = Arrays.copyOf(pa, cap);
      pb = Arrays.copyOf(pb, cap);
      da = Arrays.copyOf(da, cap);
      db = Arrays.copyOf(db, cap);
    }
    val[n] = v;
    pa[n] = a;
    da[n] = dA;
    pb[n] = b;
    db[n] = dB;
    return n++;
  }

  /** @param v value @return a new input (or constant) node: nothing flows past it */
  public int leaf(double v) {
    return push(v, NONE, 0, NONE, 0);
  }

  /** @param a node @return its value */
  public double value(int a) {
    return val[a];
  }

  /** @return a + b */
  public int add(int a, int b) {
    return push(val[a] + val[b], a, 1, b, 1);
  }

  /** @return a - b */
  public int sub(int a, int b) {
    return push(val[a] - val[b], a, 1, b, -1);
  }

  /** @return a * b */
  public int mul(int a, int b) {
    return push(val[a] * val[b], a, val[b], b, val[a]);
  }

  /** @return a / b */
  public int div(int a, int b) {
    double vb = val[b];
    return push(val[a] / vb, a, 1 / vb, b, -val[a] / (vb * vb));
  }

  /** @return c * a for a constant c */
  public int scale(int a, double c) {
    return push(val[a] * c, a, c, NONE, 0);
  }

  /** @return a + c for a constant c */
  public int shift(int a, double c) {
    return push(val[a] + c, a, 1, NONE, 0);
  }

  /** @return exp(a) */
  public int exp(int a) {
    double e = Math.exp(val[a]);
    return push(e, a, e, NONE, 0);
  }

  /** @return log(a) */
  public int log(int a) {
    return push(Math.log(val[a]), a, 1 / val[a], NONE, 0);
  }

  /** @return log(1 + a) */
  public int log1p(int a) {
    return push(Math.log1p(val[a]), a, 1 / (1 + val[a]), NONE, 0);
  }

  /** @return the sum of the nodes (a constant 0 node when empty) */
  public int sum(int[] nodes, int count) {
    if (count == 0) {
      return leaf(0);
    }
    int acc = nodes[0];
    for (int i = 1; i < count; i++) {
      acc = add(acc, nodes[i]);
    }
    return acc;
  }

  /**
   * Reverse sweep from {@code out}.
   *
   * @param out the scalar output node
   * @return the adjoint of every node (d out / d node), indexed by node
   */
  public double[] backward(int out) {
    double[] adj = new double[n];
    adj[out] = 1;
    for (int i = out; i >= 0; i--) {
      double g = adj[i];
      if (g == 0) {
        continue;
      }
      if (pa[i] != NONE) {
        adj[pa[i]] += g * da[i];
      }
      if (pb[i] != NONE) {
        adj[pb[i]] += g * db[i];
      }
    }
    return adj;
  }
}

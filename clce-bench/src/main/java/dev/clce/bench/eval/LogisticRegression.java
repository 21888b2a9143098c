package dev.clce.bench.eval;

import java.util.Arrays;

/**
 * Multinomial logistic regression with an L2 penalty on the weights (not on the intercepts), the
 * classifier Tian et al. (2020) fit on frozen embeddings: scikit-learn's
 * {@code LogisticRegression(penalty='l2', C=1.0, solver='lbfgs', multi_class='multinomial')}. It
 * minimises
 * <pre>
 *   F(W, b) = sum_i [ logsumexp_k(W_k . x_i + b_k) - (W_{y_i} . x_i + b_{y_i}) ] + ||W||^2 / (2 C)
 * </pre>
 * (scikit-learn divides both terms by n in recent versions: same minimiser) with L-BFGS (10 pairs,
 * backtracking Armijo line search; where F is flat to round-off, a step that shrinks the gradient is
 * accepted) in double precision, starting from zero, until the largest
 * gradient component is below the tolerance. Plain sequential Java: the same input gives the same
 * bits.
 *
 * <p>When there are fewer examples than dimensions (the few-shot case: 25 examples of 512
 * dimensions), the weights of the minimiser lie in the span of the examples (the stationarity
 * condition {@code W = -C (P - Y)^T X}), so the problem is solved exactly in an orthonormal basis of
 * that span and mapped back: the same solution, at a cost independent of the dimension.
 *
 * <p>The intercepts are determined up to a common constant (softmax ignores it); starting from zero
 * the solver keeps their sum at zero.
 */
public final class LogisticRegression {

  /** scikit-learn's default inverse regularisation strength. */
  public static final double DEFAULT_C = 1.0;
  /** Iteration cap (Tian et al. pass {@code max_iter=1000}). */
  public static final int DEFAULT_MAX_ITERATIONS = 1000;
  /** Convergence: largest absolute gradient component of F. */
  public static final double DEFAULT_TOLERANCE = 1e-9;

  private static final int HISTORY = 10;
  private static final double ARMIJO = 1e-4;
  private static final int MAX_HALVINGS = 60;
  /** Relative change of F below which it counts as flat (round-off level). */
  private static final double FLAT = 1e-13;

  private final double[][] weights;
  private final double[] bias;
  private final int iterations;
  private final boolean converged;
  private final double objective;

  private LogisticRegression(double[][] weights, double[] bias, int iterations, boolean converged,
      double objective) {
    this.weights = weights;
    this.bias = bias;
    this.iterations = iterations;
    this.converged = converged;
    this.objective = objective;
  }

  /**
   * Fits with the defaults ({@code C = 1}, 1,000 iterations, tolerance 1e-9).
   *
   * @param x examples, {@code n} rows of {@code d} values
   * @param y labels in {@code [0, numClasses)}
   * @param numClasses the number of classes (at least 2)
   * @return the fitted model
   */
  public static LogisticRegression fit(double[][] x, int[] y, int numClasses) {
    return fit(x, y, numClasses, DEFAULT_C, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE);
  }

  /**
   * Fits the model.
   *
   * @param x examples, {@code n} rows of {@code d} values
   * @param y labels in {@code [0, numClasses)}
   * @param numClasses the number of classes (at least 2)
   * @param c inverse regularisation strength, &gt; 0
   * @param maxIterations the iteration cap, &gt; 0
   * @param tolerance stop when every gradient component is at most this, &gt; 0
   * @return the fitted model
   */
  public static LogisticRegression fit(double[][] x, int[] y, int numClasses, double c, int maxIterations,
      double tolerance) {
    if (x == null || x.length == 0 || x[0] == null || x[0].length == 0) {
      throw new IllegalArgumentException("x: must hold at least one non-empty row");
    }
    if (y == null || y.length != x.length) {
      throw new IllegalArgumentException("y: must hold one label per row (" + x.length + "), got "
          + (y == null ? "null" : y.length));
    }
    if (numClasses < 2) {
      throw new IllegalArgumentException("numClasses: must be >= 2, got " + numClasses);
    }
    if (!(c > 0) || !Double.isFinite(c)) {
      throw new IllegalArgumentException("c: must be finite and > 0, got " + c);
    }
    if (maxIterations <= 0) {
      throw new IllegalArgumentException("maxIterations: must be > 0, got " + maxIterations);
    }
    if (!(tolerance > 0)) {
      throw new IllegalArgumentException("tolerance: must be > 0, got " + tolerance);
    }
    int d = x[0].length;
    for (int i = 0; i < x.length; i++) {
      if (x[i] == null || x[i].length != d) {
        throw new IllegalArgumentException("x: row " + i + " does not have " + d + " values");
      }
      if (y[i] < 0 || y[i] >= numClasses) {
        throw new IllegalArgumentException("y: label " + y[i] + " at " + i + " is outside [0, " + numClasses + ")");
      }
    }
    double[][] basis = x.length < d ? orthonormalRowBasis(x) : null;
    double[][] features = basis == null ? x : project(x, basis);
    Problem p = new Problem(features, y, numClasses, 1.0 / c);
    Solution s = p.solve(maxIterations, tolerance);
    int r = features[0].length;
    double[][] w = new double[numClasses][d];
    for (int k = 0; k < numClasses; k++) {
      if (basis == null) {
        System.arraycopy(s.theta, k * r, w[k], 0, d);
      } else {
        for (int j = 0; j < r; j++) {
          double coef = s.theta[k * r + j];
          double[] q = basis[j];
          for (int t = 0; t < d; t++) {
            w[k][t] += coef * q[t];
          }
        }
      }
    }
    double[] b = Arrays.copyOfRange(s.theta, numClasses * r, numClasses * r + numClasses);
    return new LogisticRegression(w, b, s.iterations, s.converged, s.objective);
  }

  /** Modified Gram-Schmidt, applied twice per row for stability; rows that add no direction are dropped. */
  static double[][] orthonormalRowBasis(double[][] x) {
    int d = x[0].length;
    double[][] basis = new double[x.length][];
    int r = 0;
    for (double[] row : x) {
      double[] v = row.clone();
      double norm0 = norm(v);
      if (norm0 == 0) {
        continue;
      }
      for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < r; j++) {
          double dot = dot(basis[j], v);
          for (int t = 0; t < d; t++) {
            v[t] -= dot * basis[j][t];
          }
        }
      }
      double nv = norm(v);
      if (nv > 1e-10 * norm0) {
        for (int t = 0; t < d; t++) {
          v[t] /= nv;
        }
        basis[r++] = v;
      }
    }
    return Arrays.copyOf(basis, r);
  }

  private static double[][] project(double[][] x, double[][] basis) {
    double[][] out = new double[x.length][basis.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < basis.length; j++) {
        out[i][j] = dot(basis[j], x[i]);
      }
    }
    return out;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  /**
   * The class scores {@code W x + b}.
   *
   * @param x one example of {@code d} values
   * @return one score per class
   */
  public double[] scores(double[] x) {
    if (x == null || x.length != weights[0].length) {
      throw new IllegalArgumentException("x: must hold " + weights[0].length + " values, got "
          + (x == null ? "null" : x.length));
    }
    double[] z = new double[weights.length];
    for (int k = 0; k < weights.length; k++) {
      z[k] = dot(weights[k], x) + bias[k];
    }
    return z;
  }

  /**
   * The class probabilities (softmax of the scores).
   *
   * @param x one example
   * @return probabilities summing to 1
   */
  public double[] probabilities(double[] x) {
    double[] z = scores(x);
    softmaxInPlace(z);
    return z;
  }

  /**
   * The most probable class (the lowest index on a tie).
   *
   * @param x one example
   * @return the class
   */
  public int predict(double[] x) {
    return argmax(scores(x));
  }

  /**
   * The weights.
   *
   * @return a copy, {@code [numClasses][d]}
   */
  public double[][] weights() {
    double[][] w = new double[weights.length][];
    for (int k = 0; k < w.length; k++) {
      w[k] = weights[k].clone();
    }
    return w;
  }

  /**
   * The intercepts (summing to zero).
   *
   * @return a copy
   */
  public double[] bias() {
    return bias.clone();
  }

  /**
   * L-BFGS iterations used.
   *
   * @return the count
   */
  public int iterations() {
    return iterations;
  }

  /**
   * Whether the gradient tolerance was reached (false when the iteration cap was hit or no step
   * could make progress first; the solution is then still the best found).
   *
   * @return true if converged
   */
  public boolean converged() {
    return converged;
  }

  /**
   * The objective F at the solution.
   *
   * @return F(W, b)
   */
  public double objective() {
    return objective;
  }

  static int argmax(double[] z) {
    int best = 0;
    for (int k = 1; k < z.length; k++) {
      if (z[k] > z[best]) {
        best = k;
      }
    }
    return best;
  }

  static void softmaxInPlace(double[] z) {
    double m = z[argmax(z)];
    double s = 0;
    for (int k = 0; k < z.length; k++) {
      z[k] = Math.exp(z[k] - m);
      s += z[k];
    }
    for (int k = 0; k < z.length; k++) {
      z[k] /= s;
    }
  }

  private record Solution(double[] theta, int iterations, boolean converged, double objective) {}

  /** The objective over theta = [W (K x r, row-major), b (K)]. */
  private static final class Problem {
    private final double[][] x;
    private final int[] y;
    private final int k;
    private final int r;
    private final double lambda;

    Problem(double[][] x, int[] y, int k, double lambda) {
      this.x = x;
      this.y = y;
      this.k = k;
      this.r = x[0].length;
      this.lambda = lambda;
    }

    /** F(theta); the gradient goes into grad. */
    double evaluate(double[] theta, double[] grad) {
      Arrays.fill(grad, 0);
      double f = 0;
      double[] z = new double[k];
      for (int i = 0; i < x.length; i++) {
        double[] xi = x[i];
        for (int c = 0; c < k; c++) {
          double s = theta[k * r + c];
          int off = c * r;
          for (int j = 0; j < r; j++) {
            s += theta[off + j] * xi[j];
          }
          z[c] = s;
        }
        double m = z[argmax(z)];
        double sum = 0;
        for (int c = 0; c < k; c++) {
          sum += Math.exp(z[c] - m);
        }
        f += m + Math.log(sum) - z[y[i]];
        for (int c = 0; c < k; c++) {
          double g = Math.exp(z[c] - m) / sum - (c == y[i] ? 1 : 0);
          int off = c * r;
          for (int j = 0; j < r; j++) {
            grad[off + j] += g * xi[j];
          }
          grad[k * r + c] += g;
        }
      }
      double reg = 0;
      for (int t = 0; t < k * r; t++) {
        reg += theta[t] * theta[t];
        grad[t] += lambda * theta[t];
      }
      return f + 0.5 * lambda * reg;
    }

    Solution solve(int maxIterations, double tolerance) {
      int n = k * r + k;
      double[] theta = new double[n];
      double[] grad = new double[n];
      double f = evaluate(theta, grad);
      double[][] sHist = new double[HISTORY][];
      double[][] yHist = new double[HISTORY][];
      double[] rho = new double[HISTORY];
      int stored = 0;
      int head = 0;
      double[] dir = new double[n];
      double[] trial = new double[n];
      double[] trialGrad = new double[n];
      double[] alpha = new double[HISTORY];
      int it = 0;
      boolean converged = false;
      while (true) {
        if (maxAbs(grad) <= tolerance) {
          converged = true;
          break;
        }
        if (it >= maxIterations) {
          break;
        }
        // two-loop recursion: dir = -H grad
        for (int t = 0; t < n; t++) {
          dir[t] = -grad[t];
        }
        for (int m = 0; m < stored; m++) {
          int idx = Math.floorMod(head - 1 - m, HISTORY);
          alpha[idx] = rho[idx] * dot(sHist[idx], dir);
          axpy(-alpha[idx], yHist[idx], dir);
        }
        if (stored > 0) {
          int last = Math.floorMod(head - 1, HISTORY);
          double gamma = dot(sHist[last], yHist[last]) / dot(yHist[last], yHist[last]);
          for (int t = 0; t < n; t++) {
            dir[t] *= gamma;
          }
        }
        for (int m = stored - 1; m >= 0; m--) {
          int idx = Math.floorMod(head - 1 - m, HISTORY);
          double beta = rho[idx] * dot(yHist[idx], dir);
          axpy(alpha[idx] - beta, sHist[idx], dir);
        }
        double slope = dot(grad, dir);
        if (!(slope < 0)) {
          for (int t = 0; t < n; t++) {
            dir[t] = -grad[t];
          }
          slope = dot(grad, dir);
          stored = 0;
        }
        double step = stored == 0 ? Math.min(1.0, 1.0 / Math.sqrt(dot(grad, grad))) : 1.0;
        double fNew = Double.NaN;
        boolean accepted = false;
        for (int h = 0; h < MAX_HALVINGS; h++) {
          for (int t = 0; t < n; t++) {
            trial[t] = theta[t] + step * dir[t];
          }
          fNew = evaluate(trial, trialGrad);
          // Armijo; near the minimum, where F is flat to round-off, a smaller gradient is the progress
          boolean flat = Math.abs(fNew - f) <= FLAT * Math.max(1.0, Math.abs(f));
          if (fNew <= f + ARMIJO * step * slope || (flat && dot(trialGrad, trialGrad) < dot(grad, grad))) {
            accepted = true;
            break;
          }
          step *= 0.5;
        }
        it++;
        if (!accepted) {
          break;
        }
        double[] s = new double[n];
        double[] yv = new double[n];
        for (int t = 0; t < n; t++) {
          s[t] = trial[t] - theta[t];
          yv[t] = trialGrad[t] - grad[t];
        }
        double sy = dot(s, yv);
        if (sy > 1e-16 * Math.sqrt(dot(s, s) * dot(yv, yv))) {
          sHist[head] = s;
          yHist[head] = yv;
          rho[head] = 1.0 / sy;
          head = (head + 1) % HISTORY;
          stored = Math.min(stored + 1, HISTORY);
        }
        System.arraycopy(trial, 0, theta, 0, n);
        System.arraycopy(trialGrad, 0, grad, 0, n);
        f = fNew;
      }
      return new Solution(theta, it, converged, f);
    }

    private static double maxAbs(double[] v) {
      double m = 0;
      for (double a : v) {
        m = Math.max(m, Math.abs(a));
      }
      return m;
    }

    private static void axpy(double a, double[] x, double[] y) {
      for (int t = 0; t < y.length; t++) {
        y[t] += a * x[t];
      }
    }
  }
}

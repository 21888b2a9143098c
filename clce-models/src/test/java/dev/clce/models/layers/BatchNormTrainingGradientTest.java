package dev.clce.models.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clce.core.internal.Npy;
import dev.clce.core.testing.DoubleDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BatchNorm in training mode against PyTorch's exact gradient (fixtures from
 * {@code src/test/python/make_batchnorm_fixtures.py}, float64 autograd of
 * {@code sum(batch_norm(x, training=True) * g)}).
 *
 * <p>Checks ND4J's native {@code batchnorm_bp} kernel called directly with the batch mean and biased
 * batch variance (it may only be used if its {@code dx} is the exact training-mode gradient), and the
 * model's {@link BatchNorm2d}, which runs that kernel through SameDiff ({@code FusedBatchNorm}).
 */
@ExtendWith(DoubleDefaults.class)
class BatchNormTrainingGradientTest {
  private static final Path DIR = Paths.get("src", "test", "resources", "fixtures", "batchnorm");
  private static final double EPS = 1e-5;
  private static final String X = "x";
  private static final String G = "g";
  private static final String FLAG = "training";

  private static INDArray load(String caseName, String what) {
    Path p = DIR.resolve(caseName + "." + what + ".npy");
    assertTrue(Files.exists(p), "missing fixture " + p + " (run src/test/python/make_batchnorm_fixtures.py)");
    return Npy.read(p).castTo(DataType.DOUBLE);
  }

  /** max |a - b| / max(|b|) over the array: relative to the scale of the reference. */
  private static double relErr(INDArray actual, INDArray expected) {
    double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-300);
    return actual.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue() / scale;
  }

  @ParameterizedTest
  @ValueSource(strings = {"n98", "n18_small_var", "n2048"})
  void batchNorm2dMatchesPyTorchInDouble(String c) {
    check(c, DataType.DOUBLE, NormKernel.PRIMITIVE, 1e-9);
    // 1e-7, not double rounding: the native kernel holds epsilon and 1/n as float (measured 1e-9 to 4e-9)
    check(c, DataType.DOUBLE, NormKernel.NATIVE, 1e-7);
  }

  @ParameterizedTest
  @ValueSource(strings = {"n98", "n18_small_var", "n2048"})
  void batchNorm2dMatchesPyTorchInFloat(String c) {
    check(c, DataType.FLOAT, NormKernel.PRIMITIVE, 2e-4);
    check(c, DataType.FLOAT, NormKernel.NATIVE, 2e-4);
  }

  private void check(String c, DataType dt, NormKernel kernel, double tol) {
    INDArray x = load(c, "x").castTo(dt);
    INDArray gamma = load(c, "gamma").castTo(dt);
    INDArray beta = load(c, "beta").castTo(dt);
    INDArray g = load(c, "g").castTo(dt);
    long[] s = x.shape();
    SameDiff sd = SameDiff.create();
    BatchNorm2d bn = new BatchNorm2d("bn", (int) s[1], s[2] * s[3]);
    SDVariable y;
    try (GraphContext ctx = new GraphContext(sd, dt, 1, FLAG, kernel)) {
      SDVariable xv = sd.placeHolder(X, dt, s);
      y = bn.forward(ctx, xv);
    }
    sd.getArrForVarName("bn.weight").assign(gamma);
    sd.getArrForVarName("bn.bias").assign(beta);
    SDVariable gv = sd.placeHolder(G, dt, s);
    y.mul(gv).sum().markAsLoss();
    sd.createGradFunction(X);
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(X, x);
    ph.put(G, g);
    Map<String, INDArray> grads = sd.calculateGradients(ph, List.of(X, "bn.weight", "bn.bias"));
    INDArray out = sd.output(ph, y.name()).get(y.name());
    assertTrue(relErr(out, load(c, "y")) < tol, c + " " + kernel + " y rel err " + relErr(out, load(c, "y")));
    assertTrue(relErr(grads.get(X), load(c, "dx")) < tol, c + " " + kernel + " dx rel err " + relErr(grads.get(X), load(c, "dx")));
    assertTrue(relErr(grads.get("bn.weight"), load(c, "dgamma")) < tol,
        c + " " + kernel + " dgamma rel err " + relErr(grads.get("bn.weight"), load(c, "dgamma")));
    assertTrue(relErr(grads.get("bn.bias"), load(c, "dbeta")) < tol,
        c + " " + kernel + " dbeta rel err " + relErr(grads.get("bn.bias"), load(c, "dbeta")));
  }

  /**
   * ND4J's native {@code batchnorm_bp}, called directly with the batch mean and biased batch
   * variance, in double precision, with ND4J's platform helpers (oneDNN) on and off: its {@code dx} is
   * the exact training-mode gradient (the kernel folds the paths through the batch statistics into
   * {@code dx} and returns zero for d(mean) and d(var)). Its tolerance is looser than double rounding
   * because the kernel holds epsilon and 1/n as float. {@link BatchNorm2d} relies on both facts.
   */
  @ParameterizedTest
  @ValueSource(strings = {"n98", "n18_small_var", "n2048"})
  void nativeBatchnormBpKernelIsTheTrainingModeGradient(String c) {
    boolean helpers = Nd4j.getEnvironment().helpersAllowed();
    try {
      for (boolean h : new boolean[] {true, false}) {
        Nd4j.getEnvironment().allowHelpers(h);
        INDArray x = load(c, "x");
        INDArray gamma = load(c, "gamma");
        INDArray beta = load(c, "beta");
        INDArray mean = x.mean(0, 2, 3);
        INDArray var = x.var(false, 0, 2, 3);
        INDArray[] out = Nd4j.exec(DynamicCustomOp.builder("batchnorm_bp")
            .addInputs(x, mean, var, gamma, beta, load(c, "g"))
            .addIntegerArguments(1, 1, 1) // apply gamma, apply beta, axis 1
            .addFloatingPointArguments(EPS)
            .build());
        String at = c + " helpers=" + h;
        assertTrue(relErr(out[0], load(c, "dx")) < 1e-7, at + " dx rel err " + relErr(out[0], load(c, "dx")));
        assertTrue(relErr(out[3], load(c, "dgamma")) < 1e-7, at + " dgamma rel err " + relErr(out[3], load(c, "dgamma")));
        assertTrue(relErr(out[4], load(c, "dbeta")) < 1e-12, at + " dbeta rel err " + relErr(out[4], load(c, "dbeta")));
        assertTrue(out[1].amaxNumber().doubleValue() == 0 && out[2].amaxNumber().doubleValue() == 0,
            at + ": d(mean) and d(var) are expected to be zero");
        INDArray y = Nd4j.exec(DynamicCustomOp.builder("batchnorm")
            .addInputs(x, mean, var, gamma, beta)
            .addIntegerArguments(1, 1, 1)
            .addFloatingPointArguments(EPS)
            .build())[0];
        assertTrue(relErr(y, load(c, "y")) < 1e-12, at + " y rel err " + relErr(y, load(c, "y")));
      }
    } finally {
      Nd4j.getEnvironment().allowHelpers(helpers);
    }
  }
}

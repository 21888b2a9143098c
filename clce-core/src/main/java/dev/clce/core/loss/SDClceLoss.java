package dev.clce.core.loss;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * The CLCE family of losses as SameDiff ops, in the style of SameDiff's own {@code sd.loss()}:
 * each method adds the loss to the caller's graph and returns a scalar variable.
 *
 * <pre>{@code
 * SDVariable loss = SDClceLoss.of(sd).clce("loss", embeddings, labels, logits, 0.5, 0.9);
 * loss.markAsLoss();
 * }</pre>
 *
 * <p>Inputs: {@code embeddings} are raw encoder outputs [M, d] (L2 normalisation is part of the
 * loss); {@code labels} are integer class indices [M] (any integer type; cast inside; a floating
 * variable is accepted too and cast, so it must hold whole numbers); {@code logits} are [M, C].
 * Rows of the two views of an image sit in the same batch with the same label. The batch size M
 * and the widths d and C may be unknown ({@code -1}) when the graph is built: every size the graph
 * needs is read at run time. Shapes that are known at build time are checked here (ranks, M &gt;= 2,
 * equal row counts) with an {@link IllegalArgumentException} naming the argument; every rule of
 * LOSSES.md's "Bad input" (M &gt;= 2, equal row counts, labels in [0, C), no NaN or infinity when
 * {@link LossConfig#checkInputs()}) is also enforced on the arrays at run time, in
 * {@code sd.output}, {@code sd.calculateGradients} and {@code sd.fit}, before any op of the loss
 * computes with them (a listener attached to the graph checks each input just before the first op
 * of the loss that reads it; {@code sd.setListeners(...)} would remove it, so add your own listeners
 * with {@code sd.addListeners(...)}). The computation runs in the data type of
 * the inputs (double or float; embeddings and logits must agree).
 *
 * <p><b>Mathematics</b> (the project's {@code LOSSES.md}), with these implementation choices, none
 * of which changes a value or a gradient beyond rounding except the first:
 *
 * <ul>
 *   <li>L2 normalisation is the smooth form {@code x = z * rsqrt(||z||^2 + eps^2)}, eps = 1e-12,
 *       instead of {@code z / max(||z||, eps)}: in M2.1 the norm's backward is NaN at an all-zero
 *       row. The two agree exactly at a zero row (value 0, Jacobian {@code I / eps}) and differ by
 *       a relative {@code eps^2 / (2 ||z||^2)} elsewhere (below 1e-20 for any row with norm above
 *       1e-2).
 *   <li>Log-sum-exps are written by hand (M2.1's {@code logSumExp} backward fails), each set
 *       (positives, negatives) shifted by its own row maximum rounded toward zero through an
 *       integer cast, which holds it constant without running any backward op for it (SameDiff's
 *       autodiff follows floating-point variables only; {@code StopGradient} would still run the
 *       maximum's {@code _bp} on zeros). Non-members are masked <em>before</em> {@code exp} with an
 *       additive bias, so no mask multiplies the exponentials. The per-set shift is stronger than
 *       LOSSES.md's single shift {@code max_{j != i} s_ij} (which it contains as a special case)
 *       and keeps float finite at tau = 0.01 even when every negative lies far below the
 *       positives. Cross-entropy uses M2.1's native {@code log_softmax}.
 *   <li>Graph size: everything that depends on the labels or on the shifts only (masks, anchor
 *       weights, lambda, 1/M, the shifts' share of each per-anchor loss) is folded into
 *       forward-only terms with no backward counterpart; when M is known at build time the identity
 *       is a constant. Each SameDiff op has a fixed cost however small it is, so the op count sets
 *       the cost at small M.
 *   <li>H-SCL's softplus is written with {@code 2 atanh(q / (2 + q))} for {@code log1p(q)}: M2.1's
 *       {@code log1p} computes {@code log(1 + q)} and loses the loss's relative precision when
 *       the classes are well separated at a small tau.
 *   <li>Degenerate batches: an anchor without a positive does not count; when no anchor has one
 *       the loss is 0 with a zero gradient. An anchor without a negative has {@code W_i = 0}
 *       (H-SCL: weighted mean 0). H-SCL with M = 2 has the factor M - 2 = 0, so the loss is 0.
 * </ul>
 *
 * <p>Not thread-safe (neither is {@link SameDiff}): use one instance per graph and thread.
 */
public final class SDClceLoss {
  /** Added (in logit units) below the largest possible similarity to push masked entries under exp's range. */
  private static final double MASK_MARGIN = 1000.0;

  private final SameDiff sd;

  private SDClceLoss(SameDiff sd) {
    if (sd == null) {
      throw new IllegalArgumentException("sd: must not be null");
    }
    this.sd = sd;
  }

  /** @param sd the graph to add losses to @return the namespace */
  public static SDClceLoss of(SameDiff sd) {
    return new SDClceLoss(sd);
  }

  /**
   * Adds the loss that {@code config} describes.
   *
   * @param name name of the scalar output (null for a generated name)
   * @param config the loss and its hyper-parameters
   * @param embeddings [M, d] raw embeddings (ignored, may be null, for CE)
   * @param labels [M] integer labels
   * @param logits [M, C] logits (ignored, may be null, for the purely contrastive losses)
   * @return the scalar loss
   * @throws IllegalArgumentException naming the argument when an input is missing or a shape known
   *     at build time is wrong
   */
  public SDVariable loss(String name, LossConfig config, SDVariable embeddings, SDVariable labels, SDVariable logits) {
    if (config == null) {
      throw new IllegalArgumentException("config: must not be null");
    }
    checkInputs(config.kind(), embeddings, labels, logits);
    LossParts parts = config.parts();
    // Sizes known when the graph is built (-1 when not), read from the caller's variables.
    long m = rows(labels) >= 0 ? rows(labels)
        : parts.contrastive() && rows(embeddings) >= 0 ? rows(embeddings)
        : parts.crossEntropy() ? rows(logits) : -1;
    long classes = parts.crossEntropy() ? columns(logits) : -1;
    // The inputs are checked at run time, before the first op of this loss that reads each of them.
    java.util.Set<String> before = new java.util.HashSet<>(sd.getOps().keySet());
    SDVariable z = parts.contrastive() ? embeddings : null;
    SDVariable o = parts.crossEntropy() ? logits : null;
    SDVariable ce = parts.crossEntropy()
        ? crossEntropy(parts.contrastive() ? null : name, o, labels, parts.ceWeight(), m, classes)
        : null;
    SDVariable loss;
    if (!parts.contrastive()) {
      loss = ce;
    } else {
      String termName = ce == null ? name : null;
      Batch b = new Batch(z, labels, config.tau(), m);
      SDVariable term = parts.negatives() == NegativeWeighting.IMPORTANCE
          ? hsclLoss(termName, b, config.beta(), parts.contrastiveWeight())
          : contrastive(termName, b, parts.negatives(), parts.aggregation(), parts.contrastiveWeight());
      loss = ce == null ? term : ce.add(name, term);
    }
    LossInputGuard.watch(sd, config, before, z, labels, o);
    return loss;
  }

  /**
   * CLCE = (1 - lambda) CE + lambda LACLN, with LACLN's defaults (log of mean, weights
   * differentiated).
   *
   * @param name name of the scalar output (null for a generated name)
   * @param embeddings [M, d] raw embeddings
   * @param labels [M] integer labels
   * @param logits [M, C] logits
   * @param tau temperature, finite and &gt; 0
   * @param lambda weight of LACLN, in [0, 1]
   * @return the scalar loss
   */
  public SDVariable clce(String name, SDVariable embeddings, SDVariable labels, SDVariable logits, double tau,
      double lambda) {
    return loss(name, LossConfig.builder(LossKind.CLCE).optTau(tau).optLambda(lambda).build(), embeddings, labels,
        logits);
  }

  /**
   * CE+SupCon = (1 - lambda) CE + lambda SupCon, the paper's baseline combination.
   *
   * @param name name of the scalar output (null for a generated name)
   * @param embeddings [M, d] raw embeddings
   * @param labels [M] integer labels
   * @param logits [M, C] logits
   * @param tau temperature, finite and &gt; 0
   * @param lambda weight of SupCon, in [0, 1]
   * @return the scalar loss
   */
  public SDVariable ceSupCon(String name, SDVariable embeddings, SDVariable labels, SDVariable logits, double tau,
      double lambda) {
    return loss(name, LossConfig.builder(LossKind.CE_SUPCON).optTau(tau).optLambda(lambda).build(), embeddings,
        labels, logits);
  }

  /**
   * CE+CL = (1 - lambda) CE + lambda CL (CLCE without hard-negative mining), log of mean.
   *
   * @param name name of the scalar output (null for a generated name)
   * @param embeddings [M, d] raw embeddings
   * @param labels [M] integer labels
   * @param logits [M, C] logits
   * @param tau temperature, finite and &gt; 0
   * @param lambda weight of CL, in [0, 1]
   * @return the scalar loss
   */
  public SDVariable ceCl(String name, SDVariable embeddings, SDVariable labels, SDVariable logits, double tau,
      double lambda) {
    return loss(name, LossConfig.builder(LossKind.CE_CL).optTau(tau).optLambda(lambda).build(), embeddings,
        labels, logits);
  }

  /**
   * LACLN with its defaults (log of mean, weights differentiated).
   *
   * @param name name of the scalar output (null for a generated name)
   * @param embeddings [M, d] raw embeddings
   * @param labels [M] integer labels
   * @param tau temperature, finite and &gt; 0
   * @return the scalar loss
   */
  public SDVariable lacln(String name, SDVariable embeddings, SDVariable labels, double tau) {
    return loss(name, LossConfig.builder(LossKind.LACLN).optTau(tau).build(), embeddings, labels, null);
  }

  /**
   * The ablation CL (LACLN without hard-negative weights), log of mean.
   *
   * @param name name of the scalar output (null for a generated name)
   * @param embeddings [M, d] raw embeddings
   * @param labels [M] integer labels
   * @param tau temperature, finite and &gt; 0
   * @return the scalar loss
   */
  public SDVariable cl(String name, SDVariable embeddings, SDVariable labels, double tau) {
    return loss(name, LossConfig.builder(LossKind.CL).optTau(tau).build(), embeddings, labels, null);
  }

  /**
   * SupCon (Khosla et al. 2020, L_out).
   *
   * @param name name of the scalar output (null for a generated name)
   * @param embeddings [M, d] raw embeddings
   * @param labels [M] integer labels
   * @param tau temperature, finite and &gt; 0
   * @return the scalar loss
   */
  public SDVariable supCon(String name, SDVariable embeddings, SDVariable labels, double tau) {
    return loss(name, LossConfig.builder(LossKind.SUPCON).optTau(tau).build(), embeddings, labels, null);
  }

  /**
   * H-SCL (Jiang et al. 2022).
   *
   * @param name name of the scalar output (null for a generated name)
   * @param embeddings [M, d] raw embeddings
   * @param labels [M] integer labels
   * @param tau temperature, finite and &gt; 0
   * @param beta concentration of the hard-negative importance weights, finite and &gt;= 0
   * @return the scalar loss
   */
  public SDVariable hscl(String name, SDVariable embeddings, SDVariable labels, double tau, double beta) {
    return loss(name, LossConfig.builder(LossKind.HSCL).optTau(tau).optBeta(beta).build(), embeddings, labels,
        null);
  }

  /**
   * Mean cross-entropy of the logits against the integer labels.
   *
   * @param name name of the scalar output (null for a generated name)
   * @param logits [M, C] logits
   * @param labels [M] integer labels in [0, C) (a label outside is refused at run time)
   * @return the scalar loss
   */
  public SDVariable ce(String name, SDVariable logits, SDVariable labels) {
    return loss(name, LossConfig.builder(LossKind.CE).build(), null, labels, logits);
  }

  /**
   * Row-wise L2 normalisation as the losses use it: {@code z * rsqrt(||z||^2 + eps^2)} with
   * {@code eps = }{@link LossConfig#NORM_EPS} (finite gradient at an all-zero row; see the class
   * documentation for the difference from {@code z / max(||z||, eps)}).
   *
   * @param embeddings [M, d]
   * @return [M, d], each row of norm &lt;= 1
   */
  public SDVariable l2Normalize(SDVariable embeddings) {
    requireRank("embeddings", embeddings, 2);
    return embeddings.mul(inverseNorm(embeddings, 1.0));
  }

  // ------------------------------------------------------------------------------------------
  // Building blocks

  /** {@code rsqrt(sum(z^2) + eps^2) * scale}, [M, 1]. */
  private SDVariable inverseNorm(SDVariable z, double scale) {
    SDVariable inv = sd.math.rsqrt(sd.squaredNorm(z, true, 1).add(LossConfig.NORM_EPS * LossConfig.NORM_EPS));
    return scale == 1.0 ? inv : inv.mul(scale);
  }

  private SDVariable stop(SDVariable x) {
    return new StopGradient(sd, x).outputVariable();
  }

  /**
   * A stabilising shift near {@code x}, cut off from the gradient: {@code x} rounded toward zero
   * through an INT64 cast and cast back. SameDiff's autodiff only follows floating-point variables,
   * so unlike {@link StopGradient} (whose backward pass still runs the producer's {@code _bp} op on
   * zeros) nothing upstream of the cast is differentiated for it. Every log-sum-exp here is
   * invariant to its shift, and a shift within 1 of the maximum keeps {@code exp} in range just as
   * the maximum does.
   */
  private static SDVariable constantShift(SDVariable x) {
    return x.castTo(DataType.INT64).castTo(x.dataType());
  }

  /** The labels as INT64 (a no-op when they already are). */
  private static SDVariable intLabels(SDVariable labels) {
    return labels.dataType() == DataType.INT64 ? labels : labels.castTo(DataType.INT64);
  }

  /**
   * The shared pieces of every contrastive loss over one batch. Everything but {@link #s} depends on
   * the labels only, so it runs in the forward pass without a backward counterpart.
   */
  private final class Batch {
    final double big; // every similarity lies in [-1/tau, 1/tau]; masked entries sit `big` below that range
    final SDVariable labels; // [M] INT64
    final SDVariable s; // [M, M] similarities x_i . x_j / tau
    final SDVariable same; // [M, M] 1 where y_j = y_i (the diagonal included)
    final SDVariable pos; // [M, M] 1 where j != i and y_j = y_i
    final SDVariable posBias; // [M, M] 0 for positives, -big elsewhere
    final SDVariable negBias; // [M, M] 0 for negatives, -big elsewhere
    final SDVariable nPos; // [M, 1] |P(i)|
    final SDVariable nNeg; // [M, 1] |N(i)|
    final SDVariable hasPos; // [M, 1] 1 when |P(i)| >= 1
    final SDVariable noNeg; // [M, 1] 1 when N(i) is empty
    private SDVariable neg; // [M, M] 1 where y_j != y_i, built on first use

    /** @param m the batch size when known at build time, else -1 */
    Batch(SDVariable z, SDVariable labels, double tau, long m) {
      DataType dt = z.dataType();
      // s = (z z^T) * (u u^T) with u = rsqrt(||z||^2 + eps^2) / sqrt(tau): the same x_i . x_j / tau
      // without the [M, d] x [M, 1] broadcast multiply, whose backward (multiply_bp) was the
      // costliest op at d = 768; the scales meet the Gram matrix as an [M, M] product instead.
      SDVariable u = inverseNorm(z, 1.0 / Math.sqrt(tau));
      s = sd.mmul(z, z, false, true, false).mul(sd.mmul(u, u, false, true, false));
      SDVariable y = intLabels(labels);
      this.labels = y;
      big = 2.0 / tau + MASK_MARGIN;
      same = sd.eq(sd.reshape(y, -1, 1), sd.reshape(y, 1, -1)).castTo(dt);
      pos = same.sub(identity(y, m, dt));
      posBias = pos.sub(1.0).mul(big);
      negBias = same.mul(-big);
      nPos = pos.sum(true, 1);
      // |N(i)| = M - 1 - |P(i)|
      nNeg = m >= 0 ? nPos.rsub(m - 1.0) : sd.sizeAt(y, 0).castTo(dt).sub(1.0).sub(nPos);
      hasPos = sd.scalarMin(nPos, 1.0);
      noNeg = sd.scalarMin(nNeg, 1.0).rsub(1.0);
    }

    SDVariable neg() {
      if (neg == null) {
        neg = same.rsub(1.0);
      }
      return neg;
    }
  }

  /**
   * The [M, M] identity: a constant when M is known when the graph is built, else from a range
   * (in M2.1 sd.math.eye(SDVariable) fails to execute, and sd.math.setDiag crashes the JVM, SIGSEGV
   * in matrixSetDiag, when a graph sees a new M).
   */
  private SDVariable identity(SDVariable y, long m, DataType dt) {
    if (m >= 0) {
      return sd.constant(org.nd4j.linalg.factory.Nd4j.eye(m).castTo(dt));
    }
    SDVariable idx = sd.range(sd.constant(0L), sd.sizeAt(y, 0), sd.constant(1L), DataType.INT64);
    return sd.eq(sd.reshape(idx, -1, 1), sd.reshape(idx, 1, -1)).castTo(dt);
  }

  /** One masked set of a row: its shift and the row sum of its shifted exponentials. */
  private static final class MaskedExp {
    final SDVariable shift; // [M, 1] constant, within 1 of the row max over the set (about -big when empty)
    final SDVariable exp; // [M, M] exp(s - shift) on members, 0 elsewhere (see maskedExp for empty rows)
    final SDVariable sum; // [M, 1]

    MaskedExp(SDVariable shift, SDVariable exp, SDVariable sum) {
      this.shift = shift;
      this.exp = exp;
      this.sum = sum;
    }
  }

  /**
   * Members keep s; non-members sit at s - big, at least MASK_MARGIN below every member, so exp
   * underflows to exactly 0 for them. In a row without members, {@code emptyRowShift} (big on such
   * rows, 0 elsewhere; null when such rows need no zeroing) moves the shift up so that the row
   * underflows to 0 as well; without it such a row holds finite values that the caller must ignore.
   */
  private MaskedExp maskedExp(SDVariable s, SDVariable bias, SDVariable emptyRowShift) {
    SDVariable t = s.add(bias);
    SDVariable shift = constantShift(t.max(true, 1));
    SDVariable e = sd.math.exp(t.sub(emptyRowShift == null ? shift : shift.add(emptyRowShift)));
    return new MaskedExp(shift, e, e.sum(true, 1));
  }

  /**
   * SupCon, CL and LACLN, times {@code weight}: they differ only in the negative mass and the
   * aggregation. Everything that depends on the labels or on the shifts only (the anchor weights,
   * the shifts' part of each per-anchor loss) is folded into forward-only terms, so that the
   * backward pass runs as few ops as possible.
   */
  private SDVariable contrastive(String name, Batch b, NegativeWeighting massKind, Aggregation aggregation,
      double weight) {
    // Positives: rows without a positive are left unzeroed (finite, S+ >= 1/e): their anchor weight
    // below is 0, so they add nothing to the value or the gradient.
    MaskedExp p = maskedExp(b.s, b.posBias, null);
    // Negatives: rows without a negative must give W = 0 exactly.
    MaskedExp n = maskedExp(b.s, b.negBias, b.noNeg.mul(b.big));
    SDVariable mass;
    switch (massKind) {
      case UNIFORM:
        mass = n.sum;
        break;
      case HARD:
        // e * e rather than square(e): square's backward runs pow and its derivative (three ops).
        mass = b.nNeg.mul(n.exp.mul(n.exp).sum(true, 1)).div(n.sum.add(b.noNeg));
        break;
      case HARD_DETACHED: {
        SDVariable weights = stop(n.exp.div(n.sum.add(b.noNeg)));
        mass = b.nNeg.mul(weights.mul(n.exp).sum(true, 1));
        break;
      }
      default:
        throw new IllegalStateException("unhandled " + massKind);
    }
    // log(S+ + W) = c + log(fP S + fN W) with the common shift c = max(shift+, shift-) (about
    // max_{j != i} s_ij), fP = exp(shift+ - c), fN = exp(shift- - c): constants. A row without
    // negatives has shift- about big below shift+, so c = shift+ and its (zero) W drops out.
    SDVariable c = sd.math.max(p.shift, n.shift);
    SDVariable fP = sd.math.exp(p.shift.sub(c));
    SDVariable fN = sd.math.exp(n.shift.sub(c));
    // Anchor weights: weight / (number of anchors) on anchors, 0 elsewhere (labels only).
    SDVariable anchorWeights = b.hasPos.div(sd.scalarMax(b.hasPos.sum(), 1.0));
    if (weight != 1.0) {
      anchorWeights = anchorWeights.mul(weight);
    }
    SDVariable nPosAtLeast1 = sd.scalarMax(b.nPos, 1.0);
    if (aggregation == Aggregation.LOG_OF_MEAN) {
      // l_i = log(S+ + W) - log S+ + log |P| = log(fP + fN W / S) + (c - shift+ + log |P|)
      SDVariable rowTerm = sd.math.log(mass.div(p.sum).mul(fN).add(fP));
      SDVariable constant = c.sub(p.shift).add(sd.math.log(nPosAtLeast1));
      return rowTerm.mul(anchorWeights).sum().add(name, constant.mul(anchorWeights).sum());
    }
    // l_i = log(S+ + W) - (1/|P|) sum_p s_ip = log(fP S + fN W) + c - (1/|P|) sum_p s_ip
    SDVariable rowTerm = sd.math.log(p.sum.mul(fP).add(mass.mul(fN)));
    SDVariable positiveWeights = b.pos.mul(anchorWeights.div(nPosAtLeast1)); // labels only
    SDVariable positives = b.s.mul(positiveWeights).sum();
    return rowTerm.mul(anchorWeights).sum().add(c.mul(anchorWeights).sum()).sub(name, positives);
  }

  /** H-SCL, times {@code weight}. */
  private SDVariable hsclLoss(String name, Batch b, double beta, double weight) {
    SDVariable neg = b.neg();
    SDVariable noNeg = b.noNeg;
    SDVariable t = b.s.add(b.negBias);
    SDVariable shift = constantShift(t.max(true, 1));
    SDVariable shifted = t.sub(shift);
    SDVariable num = sd.math.exp(shifted.mul(1.0 + beta)).mul(neg).sum(true, 1).add(noNeg);
    SDVariable den = sd.math.exp(shifted.mul(beta)).mul(neg).sum(true, 1).add(noNeg);
    // log((M - 2) * weighted mean of the negatives); M - 2 = 0 is handled by `hasK` below.
    SDVariable k = sd.sizeAt(b.labels, 0).castTo(b.s.dataType()).sub(2.0);
    SDVariable logKw = shift.add(sd.math.log(num)).sub(sd.math.log(den)).add(sd.math.log(sd.scalarMax(k, 1.0)));
    // l_ip = softplus(u), u = log(K wmean_i) - s_ip, written stably with a constant shift r near
    // max(u, 0): softplus(u) = r + log1p(q), q = exp(u - r) + exp(-r) - 1 in (0, e). For u < 1,
    // r = 0 and q = exp(u), and log1p keeps the loss's relative precision when u is very negative
    // (well-separated classes at a small tau). M2.1's log1p is log(1 + q), which loses it, so
    // log1p(q) is written 2 atanh(q / (2 + q)) (M2.1's atanh is accurate near 0).
    SDVariable u = logKw.sub(b.s);
    SDVariable r = constantShift(sd.nn.relu(u, 0.0));
    SDVariable q = sd.math.exp(u.sub(r)).add(sd.math.exp(r.neg()).sub(1.0));
    SDVariable softplus = r.add(sd.math.atanh(q.div(q.add(2.0))).mul(2.0));
    SDVariable hasK = sd.scalarMin(k, 1.0);
    SDVariable pairs = sd.scalarMax(b.nPos.sum(), 1.0);
    if (weight != 1.0) {
      hasK = hasK.mul(weight);
    }
    return softplus.mul(b.pos).sum().mul(hasK).div(name, pairs);
  }

  /**
   * {@code weight} times the mean of {@code -log softmax(o_i)[y_i]}, from M2.1's native
   * {@code log_softmax} (whose backward works, unlike {@code logSumExp}'s) and a one-hot mask that
   * carries {@code -weight / M} (a native {@code onehot} when C is known when the graph is built).
   */
  private SDVariable crossEntropy(String name, SDVariable logits, SDVariable labels, double weight, long m, long c) {
    DataType dt = logits.dataType();
    SDVariable y = intLabels(labels);
    double on = m > 0 ? -weight / m : -weight;
    SDVariable oneHot;
    if (c > 0 && c <= Integer.MAX_VALUE) {
      oneHot = sd.oneHot(y, (int) c, -1, on, 0.0, dt);
    } else {
      SDVariable classes = sd.range(sd.constant(0L), sd.sizeAt(logits, 1), sd.constant(1L), DataType.INT64);
      oneHot = sd.eq(sd.reshape(y, -1, 1), sd.reshape(classes, 1, -1)).castTo(dt).mul(on);
    }
    SDVariable picked = sd.nn.logSoftmax(logits).mul(oneHot);
    return m > 0 ? picked.sum(name) : picked.sum().div(name, sd.sizeAt(y, 0).castTo(dt));
  }

  // ------------------------------------------------------------------------------------------
  // Build-time checks

  private static void checkInputs(LossKind kind, SDVariable z, SDVariable y, SDVariable o) {
    if (y == null) {
      throw new IllegalArgumentException("labels: must not be null");
    }
    requireRank("labels", y, 1);
    if (kind.usesEmbeddings()) {
      if (z == null) {
        throw new IllegalArgumentException("embeddings: must not be null for loss " + kind.cliName());
      }
      requireRank("embeddings", z, 2);
      requireFloating("embeddings", z);
    }
    if (kind.usesLogits()) {
      if (o == null) {
        throw new IllegalArgumentException("logits: must not be null for loss " + kind.cliName());
      }
      requireRank("logits", o, 2);
      requireFloating("logits", o);
    }
    if (kind.usesEmbeddings() && kind.usesLogits() && z.dataType() != o.dataType()) {
      throw new IllegalArgumentException(
          "logits: data type " + o.dataType() + " differs from the embeddings' " + z.dataType());
    }
    long m = rows(y);
    String mFrom = "labels";
    if (kind.usesEmbeddings()) {
      long mz = rows(z);
      if (m >= 0 && mz >= 0 && mz != m) {
        throw new IllegalArgumentException("labels: length " + m + " differs from the embeddings' rows " + mz);
      }
      if (m < 0) {
        m = mz;
        mFrom = "embeddings";
      }
    }
    if (kind.usesLogits()) {
      long mo = rows(o);
      if (m >= 0 && mo >= 0 && mo != m) {
        throw new IllegalArgumentException("logits: rows " + mo + " differ from the " + mFrom + "' " + m);
      }
      if (m < 0) {
        m = mo;
        mFrom = "logits";
      }
    }
    if (m >= 0 && m < 2) {
      throw new IllegalArgumentException(mFrom + ": the batch needs M >= 2 rows, got " + m);
    }
  }

  private static long columns(SDVariable v) {
    long[] shape = v.getShape();
    return shape == null || shape.length != 2 ? -1 : shape[1];
  }

  private static long rows(SDVariable v) {
    long[] shape = v.getShape();
    return shape == null || shape.length == 0 ? -1 : shape[0];
  }

  private static void requireRank(String arg, SDVariable v, int rank) {
    if (v == null) {
      throw new IllegalArgumentException(arg + ": must not be null");
    }
    long[] shape = v.getShape();
    if (shape != null && shape.length != rank) {
      throw new IllegalArgumentException(arg + ": must have rank " + rank + ", got shape " + Arrays.toString(shape));
    }
  }

  private static void requireFloating(String arg, SDVariable v) {
    if (!v.dataType().isFPType()) {
      throw new IllegalArgumentException(arg + ": must be floating point, got " + v.dataType());
    }
  }
}

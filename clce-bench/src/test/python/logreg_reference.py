#!/usr/bin/env python3
"""Reference solutions for dev.clce.bench.eval.LogisticRegressionTest.

Multinomial logistic regression with an L2 penalty on the weights only (scikit-learn's
LogisticRegression(penalty='l2', C=C, multi_class='multinomial') objective, up to the factor 1/n):

    F(W, b) = sum_i [logsumexp(W x_i + b) - (W x_i + b)_{y_i}] + ||W||^2 / (2 C)

solved independently of the Java code: scipy's L-BFGS-B to a tight tolerance, then Newton steps
with the exact Hessian (least squares, since F is flat along b -> b + const) until the gradient is
at round-off level. Intercepts are reported centred (sum zero), the same normalisation the Java
solver keeps. Run:  /usr/bin/python3 clce-bench/src/test/python/logreg_reference.py (numpy, scipy)
Writes clce-bench/src/test/resources/dev/clce/bench/eval/logreg_reference.json
"""
import json
import os

import numpy as np
from scipy.optimize import minimize


def objective(theta, x, y, k, c):
    n, d = x.shape
    w = theta[: k * d].reshape(k, d)
    b = theta[k * d:]
    z = x @ w.T + b
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    f = np.sum(lse - z[np.arange(n), y]) + 0.5 / c * np.sum(w * w)
    p = np.exp(z - lse[:, None])
    p[np.arange(n), y] -= 1.0
    gw = p.T @ x + w / c
    gb = p.sum(axis=0)
    return f, np.concatenate([gw.ravel(), gb])


def hessian(theta, x, y, k, c):
    n, d = x.shape
    w = theta[: k * d].reshape(k, d)
    b = theta[k * d:]
    z = x @ w.T + b
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    xt = np.hstack([x, np.ones((n, 1))])  # augmented features
    h = np.zeros((k * (d + 1), k * (d + 1)))
    for i in range(n):
        s = np.diag(p[i]) - np.outer(p[i], p[i])
        h += np.kron(s, np.outer(xt[i], xt[i]))
    # h is ordered (class, feature-with-bias); add the penalty on weights only
    for kk in range(k):
        for j in range(d):
            h[kk * (d + 1) + j, kk * (d + 1) + j] += 1.0 / c
    return h


def solve(x, y, k, c):
    n, d = x.shape
    theta0 = np.zeros(k * d + k)
    res = minimize(objective, theta0, args=(x, y, k, c), jac=True, method="L-BFGS-B",
                   options={"maxiter": 100000, "ftol": 1e-16, "gtol": 1e-12})
    theta = res.x
    # reorder helpers between (W flat, b) and (class, feature-with-bias)
    def to_aug(t):
        w = t[: k * d].reshape(k, d)
        return np.hstack([w, t[k * d:][:, None]]).ravel()

    def from_aug(a):
        a = a.reshape(k, d + 1)
        return np.concatenate([a[:, :d].ravel(), a[:, d]])

    for _ in range(20):
        f, g = objective(theta, x, y, k, c)
        if np.max(np.abs(g)) < 1e-13:
            break
        h = hessian(theta, x, y, k, c)
        step = np.linalg.lstsq(h, to_aug(g), rcond=None)[0]
        theta = theta - from_aug(step)
    f, g = objective(theta, x, y, k, c)
    w = theta[: k * d].reshape(k, d)
    b = theta[k * d:]
    b = b - b.mean()
    return w, b, f, float(np.max(np.abs(g)))


def probabilities(w, b, xq):
    z = xq @ w.T + b
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def case(name, rng, k, per_class, d, c, spread, normalise):
    centres = rng.normal(size=(k, d))
    x = np.concatenate([centres[j] + spread * rng.normal(size=(per_class, d)) for j in range(k)])
    y = np.repeat(np.arange(k), per_class)
    xq = np.concatenate([centres[j] + spread * rng.normal(size=(2, d)) for j in range(k)])
    if normalise:
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        xq /= np.linalg.norm(xq, axis=1, keepdims=True)
    w, b, f, gmax = solve(x, y, k, c)
    assert gmax < 1e-9, (name, gmax)
    return {
        "name": name, "k": k, "c": c,
        "x": x.tolist(), "y": y.tolist(),
        "weights": w.tolist(), "bias": b.tolist(), "objective": f,
        "query": xq.tolist(), "query_probabilities": probabilities(w, b, xq).tolist(),
        "max_abs_gradient": gmax,
    }


def main():
    rng = np.random.default_rng(20240517)
    cases = [
        # more examples than dimensions, overlapping clusters, C = 0.5
        case("dense_3way", rng, k=3, per_class=10, d=4, c=0.5, spread=1.0, normalise=False),
        # few-shot shape: 5-way 2-shot, 40 dimensions, unit rows, C = 1
        case("fewshot_5way_2shot_d40", rng, k=5, per_class=2, d=40, c=1.0, spread=0.8, normalise=True),
        # 5-way 1-shot, 64 dimensions, unit rows
        case("fewshot_5way_1shot_d64", rng, k=5, per_class=1, d=64, c=1.0, spread=0.5, normalise=True),
    ]
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "resources", "dev", "clce", "bench", "eval", "logreg_reference.json")
    with open(out, "w") as fh:
        json.dump({"generator": "clce-bench/src/test/python/logreg_reference.py",
                   "numpy": np.__version__, "cases": cases}, fh, indent=1)
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()

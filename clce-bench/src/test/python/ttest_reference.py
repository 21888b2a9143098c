"""Reference values for PairedTTestTest (scipy 1.17, numpy).

Run: python3 clce-bench/src/test/python/ttest_reference.py
Prints the paired t-test of the cases used in the Java test, the 95% interval of the mean
difference (t quantile); the values are copied into the test.
"""
import numpy as np
from scipy import stats

cases = {
    # Student (1908) / Cushny & Peebles sleep data, the textbook paired example (R: t.test(paired=TRUE)).
    "sleep": ([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4],
              [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]),
    # Three seeds of top-1, as the bench produces them.
    "three_seeds": ([0.8123, 0.8051, 0.8190], [0.8010, 0.8072, 0.8011]),
}
for name, (a, b) in cases.items():
    a, b = np.array(a), np.array(b)
    r = stats.ttest_rel(a, b)
    d = a - b
    n = len(d)
    se = d.std(ddof=1) / np.sqrt(n)
    q = stats.t.ppf(0.975, n - 1)
    print(f"{name}: t={r.statistic:.12g} p={r.pvalue:.12g} mean={d.mean():.12g} "
          f"ci=({d.mean() - q * se:.12g}, {d.mean() + q * se:.12g})")

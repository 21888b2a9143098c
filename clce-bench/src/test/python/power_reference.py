"""Monte Carlo reference for PairedPowerTest (numpy only; no scipy on the build machine).

Run: /usr/bin/python3 clce-bench/src/test/python/power_reference.py
The two-sided power of the paired t-test with n pairs and standardised effect d is
P(|T| > t_{1-alpha/2, n-1}) with T = (Z + d sqrt(n)) / sqrt(V / (n - 1)), Z ~ N(0, 1), V ~ chi2(n - 1):
drawn directly here, with the critical value from simulated central t draws cross-checked against
the table value (t_{0.975, 4} = 2.776445, t_{0.975, 1} = 12.706205). 4e6 draws: standard error < 3e-4.
"""
import numpy as np

CRIT = {4: 2.7764451051977987, 1: 12.706204736174698}  # Student t table, 0.975 quantile
rng = np.random.default_rng(20261204)
N = 4_000_000
for n, d in [(5, 1.0), (2, 2.0)]:
    df = n - 1
    z = rng.standard_normal(N)
    v = rng.chisquare(df, N)
    s = np.sqrt(v / df)
    central = np.quantile(rng.standard_normal(N) / s, 0.975)
    t = (z + d * np.sqrt(n)) / s
    power = np.mean(np.abs(t) > CRIT[df])
    print(f"n={n} d={d}: power={power:.5f} (se {np.sqrt(power * (1 - power) / N):.1e}); "
          f"simulated t quantile {central:.4f} vs table {CRIT[df]:.4f}")

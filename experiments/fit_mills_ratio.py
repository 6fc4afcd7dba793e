"""Fit of gelu's normal tail (generators/special_functions.h, sf::normal_tail).

h(a) = 1/R(a) - a, R the Mills ratio, as Ph(a)/Qh(a) with float32 coefficients, so that
c_hi a / (a + h) = a Phi(-a) e^(a^2/2) on [0, 15.4], c_hi = 1/sqrt(2 pi) rounded to float32
(its error goes into the fit; Ph(0) = 2 c_hi exactly, Qh(0) = 1). The target is the relative
error of a / (a + h), i.e. |Ph/Qh - h| / (a + h). Iteratively reweighted linearized least squares
on Chebyshev nodes, then the coefficients rounded to float32 one at a time (highest first), the
rest refitted after each. Prints the coefficients and the error in units of 2^-24.

    .venv/bin/python experiments/fit_mills_ratio.py            # degrees 4/5 (float32 results)
    .venv/bin/python experiments/fit_mills_ratio.py --narrow   # degrees 2/3 (bf16/f16 results)
    .venv/bin/python experiments/fit_mills_ratio.py --degrees 1 2   # any other pair
"""
import argparse
import struct

import mpmath as mp
import numpy as np


def f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--narrow", action="store_true", help="degrees 2 and 3 (bf16/f16 results)")
    ap.add_argument("--degrees", type=int, nargs=2, metavar=("P", "Q"), help="degrees of Ph and Qh")
    ap.add_argument("--nodes", type=int, default=4000)
    args = ap.parse_args()
    n, k = args.degrees or ((2, 3) if args.narrow else (4, 5))
    mp.mp.dps = 30
    amax, N = 15.4, args.nodes
    t = np.cos(np.pi * (np.arange(N) + 0.5) / N)
    aa = np.sort(amax * (t + 1) / 2)
    R = np.array([float(mp.sqrt(2 * mp.pi) * mp.erfc(mp.mpf(a) / mp.sqrt(2)) / 2 * mp.e ** (mp.mpf(a) ** 2 / 2))
                  for a in aa])
    h = 1 / R - aa
    c = float(1 / mp.sqrt(2 * mp.pi))
    c_hi = f32(c)
    cr = float(mp.mpf(c_hi) * mp.sqrt(2 * mp.pi))  # c_hi / c
    h = h * cr + aa * (cr - 1)  # c_hi a / (a + h_fit) = c a / (a + h)

    def fit(fixed, iters=80):
        nu = n + 1 + k
        Vp = np.vander(aa, n + 1, increasing=True)
        Vq = np.vander(aa, k + 1, increasing=True)[:, 1:]
        M = np.hstack([Vp, -h[:, None] * Vq])  # Ph - h (Qh - 1) = h
        free = [i for i in range(nu) if i not in fixed]
        rhs = h - sum((M[:, i] * v for i, v in fixed.items()), np.zeros(N))
        w, Q, best = np.ones(N), np.ones(N), None
        for _ in range(iters):
            W = w / ((aa + h) * np.abs(Q))
            sol, *_ = np.linalg.lstsq(M[:, free] * W[:, None], rhs * W, rcond=None)
            full = np.zeros(nu)
            full[free] = sol
            for i, v in fixed.items():
                full[i] = v
            p, q = full[: n + 1], np.concatenate([[1], full[n + 1:]])
            P, Q = np.polyval(p[::-1], aa), np.polyval(q[::-1], aa)
            err = (P / Q - h) / (aa + h)
            e = np.abs(err).max()
            if best is None or e < best[0]:
                best = (e, full.copy())
            w = w * (1 + 0.8 * np.abs(err) / e)
        return best

    fixed = {0: 2 * c_hi}
    e, full = fit(fixed)
    print(f"degrees {n}/{k}: real coefficients {e / 2**-24:.3f} 2^-24")
    for i in range(n + k, 0, -1):
        fixed[i] = f32(full[i])
        e, full = fit(fixed)
    p, q = full[: n + 1], np.concatenate([[1], full[n + 1:]])
    print(f"float32 coefficients: {e / 2**-24:.3f} 2^-24 (relative error of a/(a + h) on the nodes)")
    print("Ph:", ", ".join(float(v).hex() for v in p))
    print("Qh:", ", ".join(float(v).hex() for v in q))


if __name__ == "__main__":
    main()

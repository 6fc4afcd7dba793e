"""Float64 / mpmath references for the tests (docs/activations.md is the contract), and ULP
measures. Ops without a reference here are skipped by the reference tests (with the reason);
the layout and error tests run on every op the library reports."""

import math

import mpmath
import numpy as np

import hact

mpmath.mp.prec = 113  # quad precision: far beyond float32 and float64 roundings


def _sig(t):
    return 1 / (1 + mpmath.exp(-t))


def _swish(x, beta=1.0, scale=1.0):
    x, beta, scale = mpmath.mpf(x), mpmath.mpf(beta), mpmath.mpf(scale)
    return scale * x * _sig(beta * x)


def _swish_d(x, beta=1.0, scale=1.0):
    x, beta, scale = mpmath.mpf(x), mpmath.mpf(beta), mpmath.mpf(scale)
    s, c = _sig(beta * x), _sig(-beta * x)  # c = 1 - s without cancellation
    return scale * s * (1 + beta * x * c), max(abs(scale * s), abs(scale * s * beta * x * c))


def _pw(fn):
    """A piecewise-linear op in exact arithmetic (mpmath), from a function of (x, params)."""
    return fn


# Each entry: forward(x, **params) -> mpf; derivative(x, **params) -> (f'(x), the largest term of
# the textbook f' (the spec's scale for the backward error near roots of f')); kinks(**params):
# points where f' jumps (finite-difference checks stay away from them).
QUICK_GELU_BETA = float(np.float32(1.702))
REFERENCES = {
    "silu": (lambda x: _swish(x), lambda x: _swish_d(x), lambda: []),
    "swish": (lambda x, beta=1.0, scale=1.0: _swish(x, beta, scale),
              lambda x, beta=1.0, scale=1.0: _swish_d(x, beta, scale), lambda **_: []),
    "quick_gelu": (lambda x: _swish(x, QUICK_GELU_BETA), lambda x: _swish_d(x, QUICK_GELU_BETA),
                   lambda: []),
    "sigmoid": (lambda x: _sig(mpmath.mpf(x)),
                lambda x: (_sig(mpmath.mpf(x)) * _sig(-mpmath.mpf(x)),) * 2,
                lambda: []),
    "softsign": (lambda x: mpmath.mpf(x) / (1 + abs(mpmath.mpf(x))),
                 lambda x: (1 / (1 + abs(mpmath.mpf(x))) ** 2,) * 2, lambda: []),
    "relu": (lambda x: max(mpmath.mpf(x), 0), lambda x: (mpmath.mpf(1 if x > 0 else 0),) * 2,
             lambda: [0.0]),
    "relu6": (lambda x: min(max(mpmath.mpf(x), 0), 6),
              lambda x: (mpmath.mpf(1 if 0 < x < 6 else 0),) * 2, lambda: [0.0, 6.0]),
    "leaky_relu": (lambda x, negative_slope=0.01: mpmath.mpf(x) if x > 0
                   else mpmath.mpf(negative_slope) * mpmath.mpf(x),
                   lambda x, negative_slope=0.01: (mpmath.mpf(1 if x > 0 else negative_slope),) * 2,
                   lambda **_: [0.0]),
    "prelu": (lambda x, negative_slope=0.25: mpmath.mpf(x) if x > 0
              else mpmath.mpf(negative_slope) * mpmath.mpf(x),
              lambda x, negative_slope=0.25: (mpmath.mpf(1 if x > 0 else negative_slope),) * 2,
              lambda **_: [0.0]),
    "hardtanh": (lambda x, min_val=-1.0, max_val=1.0: min(max(mpmath.mpf(x), min_val), max_val),
                 lambda x, min_val=-1.0, max_val=1.0: (mpmath.mpf(1 if min_val < x < max_val else 0),) * 2,
                 lambda min_val=-1.0, max_val=1.0: [min_val, max_val]),
    "hardsigmoid": (lambda x, alpha=1 / 6, beta=0.5:
                    min(max(mpmath.mpf(alpha) * mpmath.mpf(x) + mpmath.mpf(beta), 0), 1),
                    lambda x, alpha=1 / 6, beta=0.5:
                    (mpmath.mpf(alpha) if 0 < mpmath.mpf(alpha) * mpmath.mpf(x) + mpmath.mpf(beta) < 1
                     else mpmath.mpf(0),) * 2,
                    lambda alpha=1 / 6, beta=0.5: [(0 - beta) / alpha, (1 - beta) / alpha]),
    "hardswish": (lambda x: mpmath.mpf(x) * min(max(mpmath.mpf(x) + 3, 0), 6) / 6,
                  lambda x: ((mpmath.mpf(0), mpmath.mpf(0)) if x <= -3 else
                             (mpmath.mpf(1), mpmath.mpf(1)) if x >= 3 else
                             (mpmath.mpf(x) / 3 + mpmath.mpf(0.5),
                              max(abs(mpmath.mpf(x) / 3), mpmath.mpf(0.5)))),
                  lambda: [-3.0, 3.0]),
}

# Parameter sets the reference tests use, per op (the defaults always; a few others).
PARAM_SETS = {
    "swish": [{}, {"beta": 1.702}, {"beta": 0.5, "scale": 1.6765}, {"beta": -1.0}, {"beta": 2.0}],
    "leaky_relu": [{}, {"negative_slope": 0.2}],
    "prelu": [{}, {"negative_slope": -0.5}],
    "hardtanh": [{}, {"min_val": -2.0, "max_val": 3.0}],
    "hardsigmoid": [{}, {"alpha": 0.2, "beta": 0.5}],
}


def param_sets(op):
    return PARAM_SETS.get(op, [{}])


def f32_params(op, params):
    """The op's parameters as the library sees them: its defaults (from the library's table)
    updated with `params`, as float32 values."""
    p = dict(hact.ops[op].defaults)
    p.update(params)
    return {k: float(np.float32(v)) for k, v in p.items()}


def reference_forward(op, xs, params):
    f = REFERENCES[op][0]
    p = f32_params(op, params)
    return np.array([float(f(float(x), **p)) for x in np.asarray(xs, np.float64).ravel()])


def reference_backward(op, xs, dys, params):
    """(dx = dy f'(x), |dy| * largest term) in float64."""
    d = REFERENCES[op][1]
    p = f32_params(op, params)
    out, scale = [], []
    for x, dy in zip(np.asarray(xs, np.float64).ravel(), np.asarray(dys, np.float64).ravel()):
        v, t = d(float(x), **p)
        out.append(float(mpmath.mpf(dy) * v))
        scale.append(abs(float(dy)) * float(t))
    return np.array(out), np.array(scale)


def ulp(values, dtype):
    """The spacing of `dtype` at |values| (below the smallest normal: the smallest subnormal
    spacing, as docs/accuracy.md counts)."""
    dtype = np.dtype(dtype)
    v = np.abs(np.asarray(values, np.float64))
    if dtype == hact.bfloat16:
        # bfloat16: 8 significand bits, float32's exponent range
        tiny, mant = 2.0 ** -126, 8
    else:
        info = np.finfo(dtype)
        tiny, mant = float(info.tiny), info.nmant + 1
    e = np.floor(np.log2(np.maximum(v, tiny)))
    return 2.0 ** (e - (mant - 1))


def ulp_error(got, want, dtype, scale=None):
    """|got - want| in ULPs of dtype at max(|want|, scale)."""
    ref = np.abs(want) if scale is None else np.maximum(np.abs(want), scale)
    got64 = np.asarray(got).astype(np.float64)
    return np.abs(got64 - want) / ulp(ref, dtype)


def mp_derivative(op, x, params):
    """f'(x) by finite differences at quad precision (mpmath.diff) on the reference."""
    f = REFERENCES[op][0]
    p = f32_params(op, params)
    return float(mpmath.diff(lambda t: f(t, **p), mpmath.mpf(float(x))))


def sample_inputs(rng, n=400, lo=-12.0, hi=12.0, dtype=np.float32, extra=()):
    """Inputs spread over [lo, hi], around 0, large and tiny magnitudes, plus `extra` points."""
    parts = [rng.uniform(lo, hi, n), rng.normal(0, 1e-3, n // 8), [0.0, -0.0, 1.0, -1.0, 3.0, -3.0,
             6.0, 20.0, -20.0, -87.0, 87.0, -100.0, 1e-30, -1e-30, 1e-40], list(extra)]
    return np.concatenate([np.asarray(p, np.float64) for p in parts]).astype(dtype)


def is_finite_float(x):
    return math.isfinite(float(x))


_SUPPORT = {}


def require_dtype(op, dtype):
    """Skip (with the library's reason) when this build has no `dtype` kernels for `op`: the
    library answers HACT_ERR_UNSUPPORTED. float32 is never skipped."""
    import pytest

    dtype = np.dtype(dtype)
    if dtype == np.float32:
        return
    key = (op, dtype.str)
    if key not in _SUPPORT:
        one = np.zeros(1, dtype)
        try:
            hact.forward(op, one)
            hact.backward(op, one, one)
            _SUPPORT[key] = None
        except hact.HactError as e:
            if e.status != hact.Status.UNSUPPORTED:
                raise
            _SUPPORT[key] = e.message
    if _SUPPORT[key] is not None:
        pytest.skip(f"{op} has no {dtype} kernels in this build: {_SUPPORT[key]}")

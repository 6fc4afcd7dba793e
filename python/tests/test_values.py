"""Forward and backward values against float64/mpmath references (python/tests/reference.py).

Bounds (docs/activations.md, docs/accuracy.md): float32 at most 4 ULP; float16 and bfloat16 at
most 1 ULP of the narrow type; backward errors in ULPs of max(|dx|, |dy| * the largest term of
f') (the spec's rule near roots of f'). The inputs of the narrow types are float32 samples
rounded to them, so the reference is evaluated at exactly the stored value."""

import math

import numpy as np
import pytest

import hact
from reference import (REFERENCES, f32_params, mp_derivative, param_sets, reference_backward,
                       require_dtype,
                       reference_forward, sample_inputs, ulp_error)

DTYPES = [np.float32, np.float16, hact.bfloat16]
BOUND = {np.dtype(np.float32): 4.0, np.dtype(np.float16): 1.0, hact.bfloat16: 1.0}

ALL_OPS = list(hact.ops)


def _needs_reference(op):
    if op not in REFERENCES:
        pytest.skip(f"no Python reference for op {op!r} yet (tests/reference.py); the C suite "
                    "checks its accuracy")


def _cases():
    for op in ALL_OPS:
        for i, params in enumerate(param_sets(op)):
            yield pytest.param(op, params, id=f"{op}-{i}")


def _inputs(rng, dtype, op, params):
    x = sample_inputs(rng, n=300, dtype=np.float32)
    if np.dtype(dtype) == np.float16:
        x = x[np.abs(x) < 60]  # keep results in float16's range (6e4)
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f16", "bf16"])
@pytest.mark.parametrize("op,params", list(_cases()))
def test_forward_matches_reference(op, params, dtype, rng):
    _needs_reference(op)
    require_dtype(op, dtype)
    x = _inputs(rng, dtype, op, params)
    y = hact.forward(op, x, **params)
    assert y.dtype == x.dtype and y.shape == x.shape
    want = reference_forward(op, x.astype(np.float64), params)
    err = ulp_error(y, want, dtype)
    worst = int(np.argmax(err))
    assert err.max() <= BOUND[np.dtype(dtype)], (
        f"{op}{params}: {err.max():.2f} ULP at x={float(x[worst])!r}: got {float(y[worst])!r}, "
        f"want {want[worst]!r}")


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f16", "bf16"])
@pytest.mark.parametrize("op,params", list(_cases()))
def test_backward_matches_reference(op, params, dtype, rng):
    _needs_reference(op)
    require_dtype(op, dtype)
    x = _inputs(rng, dtype, op, params)
    dy = rng.uniform(-2, 2, x.shape).astype(dtype)
    dx = hact.backward(op, x, dy, **params)
    assert dx.dtype == x.dtype and dx.shape == x.shape
    want, scale = reference_backward(op, x.astype(np.float64), dy.astype(np.float64), params)
    err = ulp_error(dx, want, dtype, scale)
    worst = int(np.argmax(err))
    assert err.max() <= BOUND[np.dtype(dtype)], (
        f"{op}{params}: {err.max():.2f} ULP at x={float(x[worst])!r}, dy={float(dy[worst])!r}: "
        f"got {float(dx[worst])!r}, want {want[worst]!r}")


def _away_from_kinks(op, params, x, h):
    kinks = REFERENCES[op][2](**f32_params(op, params))
    keep = np.ones(x.shape, bool)
    for k in kinks:
        keep &= np.abs(x.astype(np.float64) - k) > 4 * h
    return x[keep]


@pytest.mark.parametrize("op,params", list(_cases()))
def test_gradient_matches_finite_differences(op, params, rng):
    """hact.backward against finite differences of the reference at quad precision
    (mpmath.diff), and against central differences of hact.forward itself (float32, loose)."""
    _needs_reference(op)
    x = rng.uniform(-8, 8, 64).astype(np.float32)
    x = _away_from_kinks(op, params, x, 1e-2)
    ones = np.ones_like(x)
    dx = hact.backward(op, x, ones, **params)
    fd = np.array([mp_derivative(op, v, params) for v in x.astype(np.float64)])
    _, scale = reference_backward(op, x.astype(np.float64), ones.astype(np.float64), params)
    err = ulp_error(dx, fd, np.float32, scale)
    assert err.max() <= 4.0, f"{op}{params}: {err.max():.2f} ULP from mpmath.diff"

    # hact's own forward, differenced in float32 (step h, exact differences of the stored inputs)
    h = np.float32(1e-2)
    xp, xm = x + h, x - h
    yp, ym = hact.forward(op, xp, **params), hact.forward(op, xm, **params)
    central = (yp.astype(np.float64) - ym.astype(np.float64)) / (xp.astype(np.float64) - xm.astype(np.float64))
    np.testing.assert_allclose(dx, central, rtol=2e-3, atol=2e-3,
                               err_msg=f"{op}{params}: backward vs central differences of forward")


def test_swish_beta_gradient_matches_float64_sum(rng):
    x = rng.uniform(-6, 6, 5000).astype(np.float32)
    dy = rng.uniform(0.1, 1.0, x.shape).astype(np.float32)  # one sign: no cancellation
    for beta, scale in [(1.0, 1.0), (1.702, 1.0), (0.5, 1.6765), (-1.5, 2.0)]:
        g = hact.backward_params("swish", x, dy, beta=beta, scale=scale)
        assert set(g) == {"beta"}
        b, s = float(np.float32(beta)), float(np.float32(scale))
        x64, dy64 = x.astype(np.float64), dy.astype(np.float64)
        sig = 1 / (1 + np.exp(-b * x64))
        want = np.sum(dy64 * s * x64 * x64 * sig * (1 - sig))
        assert math.isclose(g["beta"], want, rel_tol=2e-6), (beta, scale, g["beta"], want)
        # and against a finite difference in beta of the float64 loss sum(dy * swish(x; beta))
        hb = 1e-6
        loss = lambda bb: np.sum(dy64 * s * x64 / (1 + np.exp(-bb * x64)))  # noqa: E731
        fd = (loss(b + hb) - loss(b - hb)) / (2 * hb)
        assert math.isclose(g["beta"], fd, rel_tol=1e-5), (beta, g["beta"], fd)


def test_prelu_weight_gradient_matches_float64_sum(rng):
    x = rng.uniform(-3, 3, 4097).astype(np.float32)
    dy = rng.uniform(-1, 1, x.shape).astype(np.float32)
    g = hact.backward_params("prelu", x, dy, negative_slope=0.1)
    x64, dy64 = x.astype(np.float64), dy.astype(np.float64)
    want = float(np.float32(np.sum(np.where(x64 <= 0, dy64 * x64, 0.0))))
    assert g == {"negative_slope": pytest.approx(want, rel=1e-6, abs=1e-6)}


@pytest.mark.parametrize("op", ALL_OPS)
def test_backward_params_of_every_op(op, rng):
    """Every op: a dict of exactly its learnable fields (the library's table), finite."""
    x = rng.uniform(-4, 4, 1000).astype(np.float32)
    dy = rng.uniform(-1, 1, x.shape).astype(np.float32)
    g = hact.backward_params(op, x, dy)
    assert set(g) == set(hact.ops[op].learnable)
    assert all(math.isfinite(v) for v in g.values())


@pytest.mark.parametrize("op", ALL_OPS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f16", "bf16"])
def test_nan_propagates(op, dtype):
    require_dtype(op, dtype)
    x = np.array([np.nan, 1.0, -1.0, np.nan], dtype)
    dy = np.array([1.0, np.nan, 1.0, 1.0], dtype)
    y = hact.forward(op, x)
    dx = hact.backward(op, x, dy)
    assert np.isnan(y.astype(np.float32)[[0, 3]]).all() and not np.isnan(y.astype(np.float32)[[1, 2]]).any()
    assert np.isnan(dx.astype(np.float32)[[0, 1, 3]]).all()


def test_special_values():
    x = np.array([-np.inf, np.inf, -100.0, -0.0], np.float32)
    y = hact.silu(x)
    assert y[0] == 0 and y[1] == np.inf and y[2] == pytest.approx(-3.72e-42, rel=1e-2)
    assert y[3] == 0 and np.signbit(y[3])  # silu(-0) = -0
    s = hact.sigmoid(np.array([-np.inf, np.inf], np.float32))
    assert s.tolist() == [0.0, 1.0]
    d = hact.silu_backward(np.array([-np.inf, np.inf], np.float32), np.ones(2, np.float32))
    assert d.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("op,params", list(_cases()))
def test_float64_against_mpmath(op, params, rng):
    """float64 arrays are computed in double: within the C suite's float64 bound (4 ULP of
    double; docs/accuracy.md) of the quad-precision reference, forward and backward."""
    _needs_reference(op)
    x = np.concatenate([rng.uniform(-12, 12, 150), rng.uniform(-800, 800, 50),
                        rng.uniform(-1e-3, 1e-3, 20), [1e-300, -1e-300, 0.0]])
    dy = rng.uniform(0.5, 2.0, x.size) * rng.choice([-1.0, 1.0], x.size)
    y = hact.forward(op, x, **params)
    dx = hact.backward(op, x, dy, **params)
    assert y.dtype == np.float64 and dx.dtype == np.float64
    # the reference rounded to double adds up to 1/2 ULP to the measure
    err = ulp_error(y, reference_forward(op, x, params), np.float64)
    assert err.max() <= 4.5, f"{op}{params}: forward {err.max():.2f} ULP at x = {x[err.argmax()]!r}"
    want, scale = reference_backward(op, x, dy, params)
    err = ulp_error(dx, want, np.float64, scale)
    assert err.max() <= 4.5, f"{op}{params}: backward {err.max():.2f} ULP at x = {x[err.argmax()]!r}"


@pytest.mark.parametrize("isa", ["x86_64", "avx2", "avx512"])
def test_every_isa_gives_the_same_results(isa, rng):
    if not hact.isa_available(isa):
        pytest.skip(f"this CPU or build has no {isa} variant")
    x = rng.uniform(-10, 10, 1000).astype(np.float32)
    best = hact.get_isa()
    want = {op: hact.forward(op, x) for op in hact.ops}
    try:
        hact.set_max_isa(isa)
        assert hact.get_isa() == isa
        for op in hact.ops:
            want_ulp = ulp_error(hact.forward(op, x), want[op].astype(np.float64), np.float32)
            assert want_ulp.max() <= 4, (op, isa)
    finally:
        hact.set_max_isa(best)
    assert hact.get_isa() == best

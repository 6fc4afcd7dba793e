"""The GLU family (every kind the library reports) and per-channel PReLU: fused results against
the composed ops and float64 references, split forms against the two-tensor form and PyTorch's
F.glu semantics, strided inputs and outputs, in place."""

import numpy as np
import pytest

import hact
from reference import REFERENCES, f32_params, ulp_error

KINDS = list(hact.glu_kinds)


def _ab(rng, shape, dtype=np.float32):
    a = rng.uniform(-6, 6, shape).astype(np.float32).astype(dtype)
    b = rng.uniform(-3, 3, shape).astype(np.float32).astype(dtype)
    return a, b


def _gate_reference(kind, a):
    gate = hact.glu_kinds[kind].gate.name
    if gate not in REFERENCES:
        pytest.skip(f"no Python reference for gate {gate!r}")
    f, d, _ = REFERENCES[gate]
    p = f32_params(gate, {})
    g = np.array([float(f(float(v), **p)) for v in a.ravel()]).reshape(a.shape)
    dg = np.array([float(d(float(v), **p)[0]) for v in a.ravel()]).reshape(a.shape)
    return g, dg


@pytest.mark.parametrize("kind", KINDS)
def test_fused_forward_matches_composed(kind, rng):
    a, b = _ab(rng, (37, 19))
    gate = hact.glu_kinds[kind].gate
    out = hact.gated_forward(kind, a, b)
    composed = hact.forward(gate.name, a) * b  # the gate through hact, then a float32 multiply
    err = ulp_error(out, composed.astype(np.float64), np.float32)
    assert err.max() <= 1.0, f"fused {kind} vs {gate.name}(a) * b: {err.max()} ULP"
    g, _ = _gate_reference(kind, a)
    want = g * b.astype(np.float64)
    # the gate's bound (4 ULP) plus the product's rounding, in ULPs of the result or of g(a)'s
    # rounding step times |b| where that is larger (subnormal g(a))
    scale = np.abs(b.astype(np.float64)) * np.abs(g)
    assert ulp_error(out, want, np.float32, scale).max() <= 5.0


@pytest.mark.parametrize("kind", KINDS)
def test_fused_backward_matches_composed(kind, rng):
    a, b = _ab(rng, (500,))
    dy = rng.uniform(-1, 1, a.shape).astype(np.float32)
    da, db = hact.gated_backward(kind, a, b, dy)
    gate = hact.glu_kinds[kind].gate.name
    # db = dy * g(a); da = dy * b * g'(a): composed from hact's own gate calls
    np.testing.assert_allclose(db, dy * hact.forward(gate, a), rtol=3e-7, atol=1e-37)
    np.testing.assert_allclose(da, hact.backward(gate, a, dy * b), rtol=1e-6, atol=1e-6)
    g, dg = _gate_reference(kind, a)
    np.testing.assert_allclose(db, dy.astype(np.float64) * g, rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(da, dy.astype(np.float64) * b * dg, rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.float16, hact.bfloat16], ids=["f16", "bf16"])
def test_narrow_types(kind, dtype, rng):
    a, b = _ab(rng, (300,), dtype)
    out = hact.gated_forward(kind, a, b)
    assert out.dtype == a.dtype
    g, _ = _gate_reference(kind, a.astype(np.float64))
    want = g * b.astype(np.float64)
    assert ulp_error(out, want, dtype, np.abs(g * b.astype(np.float64))).max() <= 1.5


def test_glu_is_pytorch_f_glu(rng):
    """F.glu(x, dim) = first half * sigmoid(second half)."""
    x = rng.uniform(-4, 4, (3, 8, 5)).astype(np.float32)
    for dim in (0 if x.shape[0] % 2 == 0 else 1, 1, -2):
        first, second = np.split(x, 2, axis=dim)
        want = first.astype(np.float64) / (1 + np.exp(-second.astype(np.float64)))
        got = hact.glu(x, dim=dim)
        assert got.shape == first.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("gated_half", [None, "first", "second"])
def test_split_equals_two_tensor_form(kind, dim, gated_half, rng):
    x = rng.uniform(-4, 4, (4, 6, 10)).astype(np.float32)
    first, second = np.split(x, 2, axis=dim)
    a, b = (first, second) if gated_half == "first" else (second, first)
    want = hact.gated_forward(kind, np.ascontiguousarray(a), np.ascontiguousarray(b))
    got = hact.gated_split_forward(kind, x, dim=dim, gated_half=gated_half)
    assert np.array_equal(got, want)
    assert np.array_equal(getattr(hact, kind)(x, dim=dim, gated_half=gated_half), want)
    dy = rng.uniform(-1, 1, want.shape).astype(np.float32)
    da, db = hact.gated_backward(kind, np.ascontiguousarray(a), np.ascontiguousarray(b), dy)
    dx = hact.gated_split_backward(kind, x, dy, dim=dim, gated_half=gated_half)
    dfirst, dsecond = np.split(dx, 2, axis=dim)
    assert np.array_equal(dfirst, da if gated_half == "first" else db)
    assert np.array_equal(dsecond, db if gated_half == "first" else da)


def test_strided_inputs_and_outputs(rng):
    a, b = _ab(rng, (12, 16))
    want = hact.swiglu(a, b)
    # transposed / sliced inputs, a strided out
    at, bt = a.T.copy().T, b[::-1].copy()[::-1]
    assert not at.flags.c_contiguous and not bt.flags.c_contiguous
    buf = np.zeros((12, 32), np.float32)
    out = buf[:, ::2]
    r = hact.swiglu(at, bt, out=out)
    assert r is out and np.array_equal(out, want)
    assert (buf[:, 1::2] == 0).all(), "an element outside the out view changed"
    dy = rng.uniform(-1, 1, a.shape).astype(np.float32)
    da, db = hact.swiglu_backward(a, b, dy)
    da_buf, db_buf = np.zeros((16, 12), np.float32), np.zeros((12, 16), np.float32)
    hact.swiglu_backward(at, bt, dy[:, ::-1].copy()[:, ::-1], da=da_buf.T, db=db_buf[::-1])
    assert np.array_equal(da_buf.T, da) and np.array_equal(db_buf[::-1], db)
    # split form of a strided x into a strided out
    x = rng.uniform(-3, 3, (10, 8)).astype(np.float32)
    xs = np.asfortranarray(x)
    o = np.zeros((5, 8), np.float32).T.copy().T
    hact.gated_split_forward("reglu", xs, dim=0, out=o)
    assert np.array_equal(o, hact.gated_split_forward("reglu", x, dim=0))


def test_in_place(rng):
    a, b = _ab(rng, (1000,))
    want = hact.swiglu(a, b)
    a2, b2 = a.copy(), b.copy()
    assert hact.swiglu(a2, b2, out=a2) is a2 and np.array_equal(a2, want)
    a3, b3 = a.copy(), b.copy()
    hact.swiglu(a3, b3, out=b3)
    assert np.array_equal(b3, want)
    dy = rng.uniform(-1, 1, a.shape).astype(np.float32)
    da, db = hact.swiglu_backward(a, b, dy)
    a4, b4 = a.copy(), b.copy()
    hact.swiglu_backward(a4, b4, dy, da=a4, db=b4)  # da = a, db = b
    assert np.array_equal(a4, da) and np.array_equal(b4, db)


def test_glu_kind_table_comes_from_the_library():
    from hact import _api

    assert len(hact.glu_kinds) == _api._LIB.hact_glu_count()
    for k, info in hact.glu_kinds.items():
        assert info.gate.name in hact.ops
        assert callable(getattr(hact, k)) and callable(getattr(hact, f"{k}_backward"))


def test_gate_parameters_apply(rng):
    """A kind's gate parameters reach the kernel (for every kind whose gate takes one)."""
    a, b = _ab(rng, (64,))
    for kind, info in hact.glu_kinds.items():
        for name, default in info.gate.defaults.items():
            v = default + 0.25
            got = hact.gated_forward(kind, a, b, **{name: v})
            np.testing.assert_array_equal(got, hact.gated_forward(kind, a, b, **{name: v}))
            want = hact.forward(info.gate, a, **{name: v}) * b
            np.testing.assert_allclose(got, want, rtol=3e-7, atol=1e-37)


# ---- per-channel PReLU ------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (4, 7), (3, 1, 9)])
def test_prelu_per_channel(shape, rng):
    x = rng.uniform(-3, 3, shape).astype(np.float32)
    c = shape[1]
    w = rng.uniform(-0.5, 0.5, c).astype(np.float32)
    wb = w.reshape((1, c) + (1,) * (len(shape) - 2)).astype(np.float64)
    x64 = x.astype(np.float64)
    want = np.where(x64 > 0, x64, wb * x64)
    y = hact.prelu_per_channel(x, w)
    np.testing.assert_allclose(y, want, rtol=6e-8, atol=0)
    dy = rng.uniform(-1, 1, shape).astype(np.float32)
    dx, dw = hact.prelu_per_channel_backward(x, w, dy)
    np.testing.assert_allclose(dx, np.where(x64 > 0, dy, wb * dy), rtol=6e-8, atol=0)
    axes = tuple(i for i in range(len(shape)) if i != 1)
    dw_want = np.sum(np.where(x64 <= 0, dy.astype(np.float64) * x64, 0.0), axis=axes)
    assert dw.dtype == np.float32 and dw.shape == w.shape
    np.testing.assert_allclose(dw, dw_want, rtol=1e-6, atol=1e-6)
    # a strided x gives the same
    xt = np.ascontiguousarray(x[..., ::-1])[..., ::-1]
    assert np.array_equal(hact.prelu_per_channel(xt, w), y)


def test_prelu_one_weight_is_the_scalar_op(rng):
    x = rng.uniform(-3, 3, (4, 5, 6)).astype(np.float32)
    w = np.array([0.3], np.float32)
    assert np.array_equal(hact.prelu_per_channel(x, w), hact.prelu(x, negative_slope=0.3))
    dy = rng.uniform(-1, 1, x.shape).astype(np.float32)
    dx, dw = hact.prelu_per_channel_backward(x, w, dy)
    assert np.array_equal(dx, hact.prelu_backward(x, dy, negative_slope=0.3))
    g = hact.backward_params("prelu", x, dy, negative_slope=0.3)["negative_slope"]
    assert dw[0] == pytest.approx(g, rel=1e-6)


def test_prelu_bad_weight():
    with pytest.raises(hact.HactError) as e:
        hact.prelu_per_channel(np.ones((2, 2), np.float32), np.array([0.1, np.nan], np.float32))
    assert e.value.status == hact.Status.BAD_PARAMS

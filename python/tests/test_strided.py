"""Non-contiguous views (slices, transposes, negative strides, broadcast inputs, permuted N-d)
give bit for bit the results of contiguous copies, for every op the library reports and every
dtype it computes; in place on views leaves the neighbours alone; outputs that overlap are
refused before anything is written."""

import numpy as np
import pytest

import hact
from reference import require_dtype

DTYPES = [np.float32, np.float16, hact.bfloat16]
DTYPE_IDS = ["f32", "f16", "bf16"]


def _base(rng, shape, dtype):
    return rng.uniform(-5, 5, shape).astype(np.float32).astype(dtype)


def _views(rng, dtype):
    """(name, view) pairs of one 3-D buffer."""
    a = _base(rng, (6, 10, 12), dtype)
    return [
        ("contiguous", a),
        ("slice_step", a[:, ::2, 1::3]),
        ("transpose", a.transpose(2, 0, 1)),
        ("negative", a[::-1, :, ::-2]),
        ("row_chunk", a[:, :, 6:]),
        ("column", a[2, :, 5]),
        ("scalar", a[1, 2, 3, ...]),
        ("empty", a[:, 3:3, :]),
        ("permute_neg", a.transpose(1, 2, 0)[::-1]),
    ]


def _same_bits(got, want):
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(got.view(np.uint8), want.view(np.uint8)) if got.size else True, \
        "results differ from the contiguous copy's"


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view(np.uint16 if a.dtype.itemsize == 2 else np.uint32)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("op", list(hact.ops))
def test_views_equal_contiguous_copies(op, dtype, rng):
    require_dtype(op, dtype)
    for name, v in _views(rng, dtype):
        c = np.ascontiguousarray(v)
        dy = _base(rng, v.shape, dtype)
        y = hact.forward(op, v)
        assert np.array_equal(_bits(y), _bits(hact.forward(op, c))), (op, name)
        # a strided dy and a strided out
        dyv = np.stack([dy, dy], axis=-1)[..., 1]  # inner stride 2
        dx_out = np.zeros(tuple(reversed(v.shape)), dtype).T  # Fortran-ordered out
        r = hact.backward(op, v, dyv, out=dx_out)
        assert r is dx_out
        assert np.array_equal(_bits(dx_out), _bits(hact.backward(op, c, np.ascontiguousarray(dyv)))), (op, name)
        if hact.ops[op].learnable:
            g = hact.backward_params(op, v, dyv)
            gc = hact.backward_params(op, c, np.ascontiguousarray(dyv))
            for k in g:  # same terms, possibly grouped differently: the double sum's rounding
                assert g[k] == pytest.approx(gc[k], rel=1e-6, abs=1e-6), (op, name, k)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_broadcast_input(dtype, rng):
    row = _base(rng, (7,), dtype)
    x = np.broadcast_to(row, (5, 7))  # stride 0, read-only
    assert x.strides[0] == 0
    y = hact.silu(x)
    assert np.array_equal(_bits(y), _bits(np.broadcast_to(hact.silu(row), (5, 7))))
    dx = hact.silu_backward(x, np.ones((5, 7), dtype))
    assert np.array_equal(_bits(dx[3]), _bits(hact.silu_backward(row, np.ones(7, dtype))))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("op", list(hact.ops))
def test_in_place_on_a_view_leaves_neighbours(op, dtype, rng):
    require_dtype(op, dtype)
    a = _base(rng, (8, 9), dtype)
    before = a.copy()
    v = a[1::2, ::-3]
    want = hact.forward(op, np.ascontiguousarray(v))
    r = hact.forward(op, v, out=v)
    assert r is v
    assert np.array_equal(_bits(a[1::2, ::-3]), _bits(want))
    mask = np.ones(a.shape, bool)
    mask[1::2, ::-3] = False
    assert np.array_equal(_bits(a[mask]), _bits(before[mask])), "an element outside the view changed"


def test_in_place_backward_into_dy_and_x(rng):
    x = rng.uniform(-3, 3, (4, 5)).astype(np.float32)
    dy = rng.uniform(-1, 1, (4, 5)).astype(np.float32)
    want = hact.swish_backward(x, dy, beta=1.5)
    d = dy.copy()
    assert hact.swish_backward(x, d, out=d, beta=1.5) is d
    assert np.array_equal(d, want)
    xx = x.copy()
    hact.backward("swish", xx, dy, out=xx, beta=1.5)
    assert np.array_equal(xx, want)
    # in place on transposed views of both
    xt, dyt = x.copy().T, dy.copy().T
    hact.backward("swish", xt, dyt, out=dyt, beta=1.5)
    assert np.array_equal(dyt, want.T)


def test_overlapping_output_is_refused_and_nothing_written(rng):
    a = rng.uniform(-3, 3, 20).astype(np.float32)
    before = a.copy()
    with pytest.raises(hact.HactError) as e:
        hact.silu(a[:-1], out=a[1:])  # shifted by one element: partial overlap
    assert e.value.status == hact.Status.INVALID_ARGUMENT and "overlap" in e.value.message
    assert np.array_equal(a, before)
    # an output whose elements share memory (stride 0)
    b = np.zeros(1, np.float32)
    out = np.lib.stride_tricks.as_strided(b, shape=(4,), strides=(0,))
    with pytest.raises(hact.HactError):
        hact.silu(np.ones(4, np.float32), out=out)
    assert b[0] == 0


def test_strides_not_multiple_of_itemsize_are_refused():
    buf = np.zeros(64, np.uint8)
    x = np.lib.stride_tricks.as_strided(buf.view(np.float32), shape=(5,), strides=(6,))
    with pytest.raises(ValueError, match="not multiples of its element size"):
        hact.silu(x)


def test_large_strided_call_uses_threads(rng):
    """A large non-contiguous view (tasks over the thread pool) equals its contiguous copy."""
    a = rng.uniform(-5, 5, (600, 400)).astype(np.float32)
    v = a[:, ::2].T
    assert np.array_equal(hact.silu(v), hact.silu(np.ascontiguousarray(v)))

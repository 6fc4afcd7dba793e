"""The package itself: the op table and the generated functions come from the library, the
library is the one asked for, versions agree."""

import inspect
import os
import re
from pathlib import Path

import numpy as np
import pytest

import hact
from hact import _api


def test_library_is_the_one_asked_for():
    want = os.environ.get("HACT_LIBRARY")
    if want:
        assert Path(hact.library_path).resolve() == Path(want).resolve()
    assert Path(hact.library_path).exists()


def test_versions_agree():
    header = Path(__file__).resolve().parents[2] / "include" / "hact" / "hact.h"
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    if not header.exists() or not pyproject.exists():
        pytest.skip("not in a source checkout")
    parts = [re.search(rf"#define HACT_VERSION_{p} (\d+)", header.read_text()).group(1)
             for p in ("MAJOR", "MINOR", "PATCH")]
    assert hact.version == ".".join(parts) == hact.__version__
    assert re.search(r'^version = "([^"]+)"', pyproject.read_text(), re.M).group(1) == hact.version


def test_op_table_is_the_library_s():
    lib = _api._LIB
    n = lib.hact_op_count()
    assert list(hact.ops) == [lib.hact_op_name(i).decode() for i in range(n)]
    for i, (name, info) in enumerate(hact.ops.items()):
        assert info.index == i and info.name == name
        d = lib.hact_default_params(i)
        assert info.defaults == {f: float(getattr(d, f)) for f in info.params}
        assert set(info.learnable) <= set(info.params)
    assert "silu" in hact.ops and hact.ops["swish"].learnable == ("beta",)


def test_every_op_and_kind_has_generated_functions():
    names = set(hact.generated_functions)
    for op, info in hact.ops.items():
        for fn in (getattr(hact, op), getattr(hact, f"{op}_backward")):
            assert fn.__name__ in names and fn.__name__ in hact.__all__
        sig = inspect.signature(getattr(hact, op))
        assert list(sig.parameters) == ["x", "out", "stream", *info.params]
        assert {k: p.default for k, p in sig.parameters.items() if k in info.params} == info.defaults
        assert op in getattr(hact, op).__doc__
    for kind in hact.glu_kinds:
        assert kind in names and f"{kind}_backward" in names
    assert len(names) == 2 * (len(hact.ops) + len(hact.glu_kinds)), \
        "a registry name collides with the package's own API"


def test_generated_functions_call_the_op(rng):
    x = rng.uniform(-4, 4, 50).astype(np.float32)
    dy = rng.uniform(-1, 1, 50).astype(np.float32)
    for op, info in hact.ops.items():
        params = {k: v * 0.5 + 0.1 for k, v in info.defaults.items()}
        if op == "hardtanh":
            params = {"min_val": -0.4, "max_val": 0.6}
        assert np.array_equal(getattr(hact, op)(x, **params), hact.forward(op, x, **params))
        assert np.array_equal(getattr(hact, f"{op}_backward")(x, dy, **params),
                              hact.backward(op, x, dy, **params))


def test_params_are_used(rng):
    x = rng.uniform(-4, 4, 100).astype(np.float32)
    assert not np.array_equal(hact.swish(x, beta=2.0), hact.swish(x))
    assert np.array_equal(hact.swish(x, beta=1.0, scale=1.0), hact.silu(x))
    np.testing.assert_allclose(hact.leaky_relu(x, negative_slope=0.2), np.where(x > 0, x, 0.2 * x),
                               rtol=1e-7)


def test_empty_and_scalar():
    e = np.zeros((3, 0), np.float32)
    assert hact.silu(e).shape == (3, 0)
    assert hact.backward_params("swish", e, e) == {"beta": 0.0}
    s = hact.sigmoid(np.float32(0.0))
    assert s.shape == () and float(s) == 0.5
    assert float(hact.relu(np.array(-2.0, np.float32))) == 0.0


def test_threads_and_isa():
    n = hact.get_num_threads()
    try:
        hact.set_num_threads(1)
        assert hact.get_num_threads() == 1
        x = np.linspace(-5, 5, 200000, dtype=np.float32)
        one = hact.silu(x)
        hact.set_num_threads(2)
        assert np.array_equal(hact.silu(x), one)
    finally:
        hact.set_num_threads(n)
    assert hact.get_isa() in ("x86_64", "avx2", "avx512")
    assert hact.isa_available(hact.get_isa())


def test_cuda_available_reports():
    ok, reason = hact.cuda_available()
    assert isinstance(ok, bool) and (ok or reason)

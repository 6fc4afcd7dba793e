"""Smoke tests of the seed experiment (experiments/seed_depth.py) on tiny configurations: the
networks learn, every activation goes through hact, Swish-beta's learnable-beta gradient (from
hact.backward_params) matches finite differences of the network's loss, and the table and plot
are produced. scikit-learn and matplotlib are pinned in scripts/setup.sh: without them these
tests fail (they do not skip)."""

import importlib
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import hact

EXPERIMENT = Path(__file__).resolve().parents[2] / "experiments" / "seed_depth.py"


def _require(module):
    try:
        importlib.import_module(module)
    except ImportError as e:
        pytest.fail(f"{module} is not installed ({e}); the seed experiment needs it and "
                    f"scripts/setup.sh pins it: run scripts/setup.sh", pytrace=False)


@pytest.fixture(scope="module")
def seed_depth():
    _require("sklearn")
    assert EXPERIMENT.is_file(), EXPERIMENT
    spec = importlib.util.spec_from_file_location("seed_depth", EXPERIMENT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.hact is hact  # the package under test, not another copy
    return module


@pytest.fixture(scope="module")
def data(seed_depth):
    return seed_depth.load_data()


def test_data(data):
    Xtr, ytr, Xte, yte = data
    assert Xtr.dtype == Xte.dtype == np.float32 and Xtr.shape[1] == 64
    assert len(Xtr) + len(Xte) == 1797 and abs(len(Xte) / 1797 - 0.25) < 0.01
    assert set(np.unique(ytr)) == set(np.unique(yte)) == set(range(10))
    assert np.allclose(Xtr.mean(axis=0), 0, atol=1e-5)


@pytest.mark.parametrize("activation", ["relu", "swish", "swish_beta", "gelu", "mish"])
def test_training_learns(seed_depth, data, activation):
    """Three hidden layers of 64, two epochs: the mean train loss of the second epoch is less
    than half that of the first and than half of ln 10 (the loss of a uniform guess), and the
    test accuracy is far above chance (0.1). (Seen: second-epoch losses 0.55-0.72, accuracies
    0.87-0.90.)"""
    r = seed_depth.train(data, depth=3, activation=activation, seed=0, epochs=2, width=64)
    first, last = r["train_loss"]
    assert all(math.isfinite(v) for v in r["train_loss"])
    assert last < 0.5 * first and last < 0.5 * math.log(10), r["train_loss"]
    assert r["test_accuracy"] > 0.75, r
    if activation == "swish_beta":
        # the betas are trained: they moved away from their initial 1
        assert max(abs(b - 1.0) for b in r["beta"]) > 1e-3, r["beta"]
    else:
        assert r["beta"] is None


def test_every_activation_goes_through_hact(seed_depth, data, monkeypatch):
    """One training step of a 4-layer Swish-beta net calls hact.forward, hact.backward and
    hact.backward_params once per hidden layer, with that layer's beta."""
    calls = []
    for name in ("forward", "backward", "backward_params"):
        real = getattr(hact, name)

        def wrapper(op, *args, _real=real, _name=name, **params):
            calls.append((_name, op, params.get("beta")))
            return _real(op, *args, **params)

        monkeypatch.setattr(hact, name, wrapper)
    net = seed_depth.MLP(4, 16, "swish_beta", np.random.default_rng(0))
    net.beta[...] = [0.5, 1.0, 1.5, 2.0]
    Xtr, ytr, _, _ = data
    net.loss_and_grads(Xtr[:32], ytr[:32])
    for name in ("forward", "backward", "backward_params"):
        got = [(op, beta) for n, op, beta in calls if n == name]
        assert sorted(got) == [("swish", b) for b in (0.5, 1.0, 1.5, 2.0)], (name, got)


def test_beta_gradient_matches_finite_differences(seed_depth, data):
    """d(loss)/d(beta_l) of every layer of a 3-layer Swish-beta net, from hact.backward_params
    through the NumPy backward pass, against central differences of the float32 loss (step 1e-2;
    the loss is a mean over 256 images). Tolerance: 0.5% of the gradient's largest component (the
    differences seen are about 0.02%); every component must be at least 4 times the tolerance, so
    a wrong sign, a missing factor or a zero gradient in any layer fails."""
    Xtr, ytr, _, _ = data
    x, y = Xtr[:256], ytr[:256]
    net = seed_depth.MLP(3, 32, "swish_beta", np.random.default_rng(7))
    net.beta[...] = [0.6, 1.3, 2.2]  # not all at 1, where swish_beta is silu
    net.loss_and_grads(x, y)
    analytic = net.gbeta.astype(np.float64).copy()
    h = 1e-2
    numeric = np.zeros(3)
    for l in range(3):
        b0 = net.beta[l]
        net.beta[l] = b0 + h
        up = net.loss(x, y)
        net.beta[l] = b0 - h
        down = net.loss(x, y)
        net.beta[l] = b0
        numeric[l] = (up - down) / (2 * h)
    tol = 5e-3 * np.abs(analytic).max()
    assert np.abs(analytic).min() > 4 * tol, (analytic, numeric)
    assert np.all(np.abs(analytic - numeric) <= tol), (analytic, numeric, tol)


def test_table_and_plot(seed_depth, tmp_path):
    """A two-run, one-epoch grid through the markdown writer and the plot."""
    _require("matplotlib")
    cfg = dict(depths=(2, 4), activations=("relu", "swish_beta"), runs=2, epochs=1, width=16,
               batch=32, lr=1e-3, init="he")
    data, results, seconds = seed_depth.run_grid(cfg["depths"], cfg["activations"], cfg["runs"],
                                                 cfg["epochs"], cfg["width"], cfg["batch"],
                                                 cfg["lr"], cfg["init"], progress=None)
    assert len(results) == 8 and seconds > 0
    block = seed_depth.markdown(cfg, data, results, seconds, "test", "here")
    md = tmp_path / "seed.md"
    md.write_text(f"# t\n\nhand-written\n\n{seed_depth.BEGIN}\nold\n{seed_depth.END}\n\ntail\n")
    seed_depth.write_markdown(md, block)
    text = md.read_text()
    assert "hand-written" in text and "tail" in text and "\nold\n" not in text
    for d in cfg["depths"]:
        accs = [r["test_accuracy"] for r in results
                if r["depth"] == d and r["activation"] == "relu"]
        assert f"| {d} | {np.median(accs):.4f} (" in text
    png = tmp_path / "seed.png"
    seed_depth.plot(png, cfg, results)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000

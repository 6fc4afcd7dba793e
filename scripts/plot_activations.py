#!/usr/bin/env python3
"""Plots of every activation hact provides and its derivative, drawn from hact's own outputs.

    python scripts/plot_activations.py            # writes docs/img/activations.png

One panel per op of the library's registry (hact.ops, so a library with more ops
gets more panels), f(x) = hact.forward(op, x) and f'(x) = hact.backward(op, x, dy=1), default
parameters, float32, x on a fine grid. Nothing is computed here but the grid of x: the curves
are the library's results. (The GLU family's gates are ops of the registry, so they are among
the panels.) Needs matplotlib (pinned in scripts/setup.sh).
"""

import argparse
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
try:
    import hact
except ImportError:  # a checkout without `pip install ./python`
    sys.path.insert(0, str(REPO / "python"))
    import hact

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _params_text(info):
    return ", ".join(f"{k}={v:.4g}" for k, v in info.defaults.items())


def _panel(ax, x, f, df, title, subtitle):
    ax.axhline(0, color="0.75", lw=0.6)
    ax.axvline(0, color="0.75", lw=0.6)
    ax.plot(x, f, color="C0", lw=1.6, label="f(x)")
    ax.plot(x, df, color="C3", lw=1.2, ls="--", label="f′(x)")
    ax.set_title(title + (f"\n{subtitle}" if subtitle else ""), fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.25)


def plot_ops(path, lo, hi, n=2001, cols=5):
    x = np.linspace(lo, hi, n, dtype=np.float32)
    ones = np.ones_like(x)
    names = list(hact.ops)
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.0 * cols, 2.45 * rows), dpi=110,
                             sharex=True, squeeze=False)
    for ax, name in zip(axes.flat, names):
        info = hact.ops[name]
        f = hact.forward(name, x)
        df = hact.backward(name, x, ones)
        _panel(ax, x, f, df, name, _params_text(info))
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper right", fontsize=9, ncol=2)
    fig.suptitle(f"hact {hact.version}: every op, forward f = hact.forward and derivative "
                 f"f′ = hact.backward(dy = 1), default parameters, float32 "
                 f"(ISA {hact.get_isa()})",
                 fontsize=10, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", default=str(REPO / "docs" / "img"),
                    help="where activations.png goes (default docs/img)")
    ap.add_argument("--range", type=float, nargs=2, default=(-7.0, 7.0), metavar=("LO", "HI"),
                    help="x range (default -7 7: relu6's upper kink at 6 is inside)")
    args = ap.parse_args(argv)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plot_ops(out / "activations.png", *args.range)
    print(f"wrote {out / 'activations.png'} ({len(hact.ops)} ops)")


if __name__ == "__main__":
    main()

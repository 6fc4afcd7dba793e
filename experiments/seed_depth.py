#!/usr/bin/env python3
"""The seed experiment: does Swish help deep fully connected networks more than ReLU does?

The project's seed material claims that swapping ReLU for Swish in a deep fully connected network
helps more as depth grows (no difference below ~40 layers, Swish clearly ahead at 40-50). This
script trains plain fully connected networks (no normalization, no skip connections) of several
depths on scikit-learn's 8x8 digits set with ReLU, Swish (silu), Swish-beta (one learnable beta per
layer), GELU and Mish, and reports the test accuracy of every cell (depth x activation, several
seeded runs each).

NumPy does the matrix products, the softmax cross-entropy and the optimizer; hact does every
activation: hact.forward for f(z), hact.backward for dz = dh * f'(z), and hact.backward_params for
Swish-beta's d(loss)/d(beta). No activation is computed with NumPy.

    python experiments/seed_depth.py           # the full grid, written to docs/seed_experiment.md
                                               # and docs/img/seed_depth.png
    python experiments/seed_depth.py --quick   # a small grid in seconds; writes nothing by default
    python experiments/seed_depth.py --help

See experiments/README.md.
"""

import os

# One thread for BLAS and for hact: the matrices here are tiny (batch 32 x width 64), and the
# experiment is meant to run beside other work on a small machine.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
try:
    import hact
except ImportError:  # a checkout without `pip install ./python`: use the source tree's package
    sys.path.insert(0, str(REPO / "python"))
    import hact

# label -> (hact op, whether each layer has a learnable beta). Swish is silu (beta = 1 fixed);
# Swish-beta is swish with its own beta per layer, initialized to 1 and trained with the weights.
ACTIVATIONS = {
    "relu": ("relu", False),
    "swish": ("silu", False),
    "swish_beta": ("swish", True),
    "gelu": ("gelu", False),
    "mish": ("mish", False),
}
LABELS = {"relu": "ReLU", "swish": "Swish", "swish_beta": "Swish-β", "gelu": "GELU",
          "mish": "Mish"}

FULL = dict(depths=(3, 12, 24, 48), runs=5, epochs=30, width=64, batch=32, lr=1e-3, init="he")
QUICK = dict(depths=(3, 12), runs=2, epochs=5, width=32, batch=32, lr=1e-3, init="he")


# ---- data -----------------------------------------------------------------------------------

def load_data(split_seed=0, test_fraction=0.25):
    """scikit-learn's 8x8 digits (1,797 images, shipped with the package: no download), split
    once (stratified, seeded) into train and test, standardized with the training set's mean and
    standard deviation (pixels constant on the training set are only centred). float32."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as e:  # pragma: no cover - pinned in scripts/setup.sh
        raise ImportError("the seed experiment needs scikit-learn (pinned in scripts/setup.sh: "
                          "run scripts/setup.sh, or pip install scikit-learn)") from e
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=test_fraction, random_state=split_seed,
                                          stratify=y)
    mean = Xtr.mean(axis=0)
    std = Xtr.std(axis=0)
    std[std == 0] = 1.0
    f = lambda a: ((a - mean) / std).astype(np.float32)  # noqa: E731
    return f(Xtr), ytr.astype(np.int64), f(Xte), yte.astype(np.int64)


# ---- the network ----------------------------------------------------------------------------

def init_gain(op, params=None, n=1 << 20):
    """The weight scale g of W ~ N(0, g^2 / fan_in) that keeps pre-activations at unit variance
    layer after layer: g^2 = 1 / E[f(z)^2] for z ~ N(0, 1), the mean taken over a fixed sample of
    f(z) computed by hact. For ReLU E[f(z)^2] = 1/2, g^2 = 2: He's scale."""
    z = np.random.default_rng(12345).standard_normal(n).astype(np.float32)
    y = hact.forward(op, z, **(params or {})).astype(np.float64)
    return float(1.0 / np.sqrt(np.mean(y * y)))


INITS = ("he", "matched")
INIT_TEXT = {"he": "He-normal weights for every activation (std √(2/fan_in); output layer "
                   "√(1/fan_in)), zero biases",
             "matched": "weights scaled per activation to unit pre-activation variance "
                        "(init_gain), zero biases"}


class MLP:
    """`depth` hidden layers of `width` units, each z = h @ W + b followed by the activation, then
    a linear layer to the 10 logits. Weights W ~ N(0, g^2 / fan_in), zero biases; g = sqrt(2)
    (He) for every activation with init="he", or init_gain(op) with init="matched". The output
    layer is LeCun-normal (g = 1). Swish-beta's betas start at 1 (where it equals Swish).

    All trainable numbers live in one flat float32 array (self.flat; W, b and beta are views of
    it), and the gradients in another of the same layout, so the optimizer is a few vector
    operations per step."""

    def __init__(self, depth, width, activation, rng, init="he", n_in=64, n_out=10):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r} (one of {', '.join(ACTIVATIONS)})")
        if init not in INITS:
            raise ValueError(f"unknown init {init!r} (one of {', '.join(INITS)})")
        self.op, self.learnable = ACTIVATIONS[activation]
        self.depth = depth
        dims = [n_in] + [width] * depth + [n_out]
        shapes = ([(a, b) for a, b in zip(dims[:-1], dims[1:])] + [(b,) for b in dims[1:]]
                  + ([(depth,)] if self.learnable else []))
        self.flat = np.zeros(sum(int(np.prod(s)) for s in shapes), np.float32)
        self.grad = np.zeros_like(self.flat)
        views, gviews, o = [], [], 0
        for s in shapes:
            k = int(np.prod(s))
            views.append(self.flat[o:o + k].reshape(s))
            gviews.append(self.grad[o:o + k].reshape(s))
            o += k
        L = depth + 1
        self.W, self.b = views[:L], views[L:2 * L]
        self.gW, self.gb = gviews[:L], gviews[L:2 * L]
        self.beta = views[2 * L] if self.learnable else None
        self.gbeta = gviews[2 * L] if self.learnable else None
        g = np.sqrt(2.0) if init == "he" else init_gain(self.op)
        for l, W in enumerate(self.W):
            scale = g if l < depth else 1.0
            W[...] = rng.standard_normal(W.shape) * (scale / np.sqrt(W.shape[0]))
        if self.learnable:
            self.beta[...] = 1.0

    def _p(self, layer):
        return {"beta": float(self.beta[layer])} if self.learnable else {}

    def forward(self, x):
        """Logits, and what backward needs: (input, pre-activation) of every hidden layer."""
        cache = []
        h = x
        for l in range(self.depth):
            z = h @ self.W[l]
            z += self.b[l]
            cache.append((h, z))
            h = hact.forward(self.op, z, **self._p(l))
        logits = h @ self.W[-1]
        logits += self.b[-1]
        return logits, (cache, h)

    @staticmethod
    def _log_softmax(logits):
        shifted = logits - logits.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def loss_and_grads(self, x, y):
        """Mean softmax cross-entropy of the batch; its gradient is left in self.grad (the
        layout of self.flat)."""
        logits, (cache, h) = self.forward(x)
        n = x.shape[0]
        logp = self._log_softmax(logits)
        loss = -float(logp[np.arange(n), y].mean())
        dlogits = np.exp(logp)
        dlogits[np.arange(n), y] -= 1.0
        dlogits /= n
        np.matmul(h.T, dlogits, out=self.gW[-1])
        np.sum(dlogits, axis=0, out=self.gb[-1])
        dh = dlogits @ self.W[-1].T
        for l in reversed(range(self.depth)):
            hin, z = cache[l]
            if self.learnable:
                self.gbeta[l] = hact.backward_params(self.op, z, dh, **self._p(l))["beta"]
            dz = hact.backward(self.op, z, dh, **self._p(l))
            np.matmul(hin.T, dz, out=self.gW[l])
            np.sum(dz, axis=0, out=self.gb[l])
            if l:
                dh = dz @ self.W[l].T
        return loss

    def loss(self, x, y):
        logp = self._log_softmax(self.forward(x)[0])
        return -float(logp[np.arange(x.shape[0]), y].mean())

    def accuracy(self, x, y):
        return float((self.forward(x)[0].argmax(axis=1) == y).mean())


class Adam:
    """Adam on one flat array (in place), its gradient in another."""

    def __init__(self, param, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        self.p, self.lr, self.b1, self.b2, self.eps = param, lr, b1, b2, eps
        self.m = np.zeros_like(param)
        self.v = np.zeros_like(param)
        self.tmp = np.zeros_like(param)
        self.t = 0

    def step(self, g):
        self.t += 1
        m, v, t = self.m, self.v, self.tmp
        m *= self.b1
        m += (1.0 - self.b1) * g
        v *= self.b2
        np.multiply(g, g, out=t)
        t *= 1.0 - self.b2
        v += t
        np.sqrt(v, out=t)
        t /= np.sqrt(1.0 - self.b2 ** self.t)
        t += self.eps
        np.divide(m, t, out=t)
        t *= self.lr / (1.0 - self.b1 ** self.t)
        self.p -= t


def train(data, depth, activation, seed, epochs, width=64, batch=32, lr=1e-3, init="he"):
    """One run: a fresh network (weights from `seed`), Adam, `epochs` passes over the training set
    in minibatches shuffled by `seed`. The random draws (weights before scaling, batch order)
    depend on the seed and the depth only, so the activations of one (depth, seed) start from the
    same weights (init="he") or the same weights up to a per-activation scale (init="matched").
    Returns a dict: test and train accuracy after the last epoch, mean train loss of every epoch,
    the final betas (Swish-beta)."""
    Xtr, ytr, Xte, yte = data
    net = MLP(depth, width, activation, np.random.default_rng([seed, depth]), init=init)
    opt = Adam(net.flat, lr=lr)
    order_rng = np.random.default_rng([seed, depth, 1])
    losses = []
    for _ in range(epochs):
        idx = order_rng.permutation(len(Xtr))
        total = 0.0
        for s in range(0, len(idx), batch):
            j = idx[s:s + batch]
            total += net.loss_and_grads(Xtr[j], ytr[j]) * len(j)
            opt.step(net.grad)
        losses.append(total / len(idx))
    return {"test_accuracy": net.accuracy(Xte, yte), "train_accuracy": net.accuracy(Xtr, ytr),
            "train_loss": losses,
            "beta": None if net.beta is None else [float(b) for b in net.beta]}


# ---- the grid, the table, the plot -----------------------------------------------------------

def run_grid(depths, activations, runs, epochs, width, batch, lr, init="he", seed0=0,
             progress=sys.stderr):
    data = load_data()
    cells = [(d, a, r) for d in depths for a in activations for r in range(runs)]
    results = []
    start = time.perf_counter()
    work = [d + 1 for d, _, _ in cells]  # a run's time grows with its depth: the ETA weighs by it
    total, done = sum(work), 0
    for i, (d, a, r) in enumerate(cells, 1):
        t0 = time.perf_counter()
        res = train(data, d, a, seed0 + r, epochs, width, batch, lr, init)
        res.update(depth=d, activation=a, run=r, seconds=time.perf_counter() - t0)
        results.append(res)
        if progress is not None:
            el = time.perf_counter() - start
            done += work[i - 1]
            eta = el / done * (total - done)
            bar = "#" * (30 * done // total)
            print(f"[{bar:<30}] {i:3d}/{len(cells)}  depth {d:2d} {a:<10} run {r}: test acc "
                  f"{res['test_accuracy']:.4f}  ({el:5.0f} s, ~{eta:4.0f} s left)",
                  file=progress, flush=True)
    return data, results, time.perf_counter() - start


def summarize(results, depths, activations):
    """{(depth, act): (median, min, max, n)} of the test accuracy."""
    out = {}
    for d in depths:
        for a in activations:
            accs = [r["test_accuracy"] for r in results if r["depth"] == d and r["activation"] == a]
            out[d, a] = (float(np.median(accs)), min(accs), max(accs), len(accs))
    return out


def paired_vs_relu(results, depths, activations):
    """{(depth, act): (median of acc(act) - acc(relu) over runs with the same seed, wins, n)}."""
    by = {(r["depth"], r["activation"], r["run"]): r["test_accuracy"] for r in results}
    out = {}
    for d in depths:
        for a in activations:
            if a == "relu":
                continue
            diffs = [by[d, a, r] - by[d, "relu", r] for (dd, aa, r) in by
                     if dd == d and aa == a and (d, "relu", r) in by]
            if diffs:
                out[d, a] = (float(np.median(diffs)), sum(x > 0 for x in diffs), len(diffs))
    return out


def hardware():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} logical CPUs (shared with other jobs), hact ISA variant "
            f"{hact.get_isa()}, 1 thread; Python {platform.python_version()}, NumPy "
            f"{np.__version__}")


def depth_table(depths, columns, cell, align="---:"):
    """Markdown rows: one per depth, one column per activation, cell(depth, activation) -> str."""
    rows = ["| hidden layers | " + " | ".join(LABELS[a] for a in columns) + " |",
            "|---:|" + (align + "|") * len(columns)]
    for d in depths:
        rows.append(f"| {d} | " + " | ".join(cell(d, a) for a in columns) + " |")
    return rows


def markdown(cfg, data, results, seconds, command, hw):
    depths, acts = cfg["depths"], cfg["activations"]
    summ = summarize(results, depths, acts)
    pairs = paired_vs_relu(results, depths, acts)
    Xtr, _, Xte, _ = data
    L = []
    L.append(f"Command: `{command}`  ")
    L.append(f"Run time: {seconds:.0f} s ({len(results)} training runs) on {hw}.  ")
    L.append(f"Setup: digits 8×8, {len(Xtr)} train / {len(Xte)} test images (stratified split, "
             f"seed 0); {', '.join(map(str, cfg['depths']))} hidden layers × width "
             f"{cfg['width']}, "
             f"{INIT_TEXT[cfg['init']]}; Adam lr "
             f"{cfg['lr']}, batch {cfg['batch']}, {cfg['epochs']} epochs; {cfg['runs']} runs per "
             f"cell (seeds 0–{cfg['runs'] - 1}; the same initial weights and batch order for "
             f"every "
             f"activation of a depth and seed). Test accuracy after the last epoch (no early "
             f"stopping, no model selection on the test set).")
    L.append("")
    L.append("Median test accuracy (min – max over the runs):")
    L.append("")
    def accuracy_cell(d, a):
        med, lo, hi, _ = summ[d, a]
        s = f"{med:.4f} ({lo:.3f} – {hi:.3f})"
        return f"**{s}**" if med == max(summ[d, b][0] for b in acts) else s
    L += depth_table(depths, acts, accuracy_cell)
    L.append("")
    L.append("Bold: the best median of the row. Paired with ReLU (same depth and seed): median "
             "of acc(activation) − acc(ReLU), and in how many runs the activation beat ReLU:")
    L.append("")
    others = [a for a in acts if a != "relu"]
    if "relu" in acts and others:
        L += depth_table(depths, others, lambda d, a: "{:+.4f} ({}/{})".format(*pairs[d, a]))
        L.append("")
    if "swish_beta" in acts:
        L.append("Swish-β's learned β (median over layers and runs; they start at 1):")
        L.append("")
        for d in depths:
            betas = [b for r in results if r["depth"] == d and r["activation"] == "swish_beta"
                     for b in r["beta"]]
            L.append(f"- {d} hidden layers: median {np.median(betas):.3f} "
                     f"(range {min(betas):.3f} – {max(betas):.3f})")
        L.append("")
    L.append("Final train loss / train accuracy (median over runs), to tell a network that did "
             "not train from one that overfits:")
    L.append("")
    def runs_of(d, a):
        return sorted((r for r in results if r["depth"] == d and r["activation"] == a),
                      key=lambda r: r["run"])
    L += depth_table(depths, acts, lambda d, a: (
        f"{np.median([r['train_loss'][-1] for r in runs_of(d, a)]):.3f} / "
        f"{np.median([r['train_accuracy'] for r in runs_of(d, a)]):.3f}"))
    L.append("")
    L.append("Every run's test accuracy (runs 0, 1, ...):")
    L.append("")
    L += depth_table(depths, acts, lambda d, a: ", ".join(f"{r['test_accuracy']:.4f}" for r in runs_of(d, a)),
                     align="---")
    return "\n".join(L) + "\n"


BEGIN = "<!-- BEGIN GENERATED by experiments/seed_depth.py: do not edit by hand -->"
END = "<!-- END GENERATED -->"


def write_markdown(path, block):
    """Replace the generated block of `path` (the hand-written text around it stays); a new file
    gets a title and the block."""
    path = Path(path)
    text = path.read_text() if path.exists() else (
        f"# The seed experiment\n\n{BEGIN}\n{END}\n\n## Reading\n\n(not written yet)\n")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path}: no generated block ({BEGIN!r} ... {END!r}) to replace")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{block}{END}{tail}")


def plot(path, cfg, results):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - pinned in scripts/setup.sh
        raise ImportError("the plot needs matplotlib (pinned in scripts/setup.sh)") from e
    depths, acts = cfg["depths"], cfg["activations"]
    summ = summarize(results, depths, acts)
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    n = len(acts)
    for i, a in enumerate(acts):
        # a small horizontal offset per activation so the min-max bars do not hide each other
        xs = [d * (1 + 0.03 * (i - (n - 1) / 2)) for d in depths]
        med = np.array([summ[d, a][0] for d in depths])
        lo = med - np.array([summ[d, a][1] for d in depths])
        hi = np.array([summ[d, a][2] for d in depths]) - med
        line = ax.errorbar(xs, med, yerr=[lo, hi], marker="o", ms=4, capsize=3, lw=1.4,
                           label=LABELS[a])
        for x, d in zip(xs, depths):  # every run, as a faint dot beside its median
            accs = [r["test_accuracy"] for r in results if r["depth"] == d and r["activation"] == a]
            ax.plot([x] * len(accs), accs, ".", ms=5, alpha=0.35, color=line[0].get_color())
    ax.axhline(0.1, color="0.5", lw=0.8, ls=":")
    ax.text(depths[0], 0.11, "chance (0.1)", fontsize=8, color="0.4")
    ax.set_xscale("log")
    ax.set_xticks(depths)
    ax.set_xticklabels([str(d) for d in depths])
    ax.minorticks_off()
    ax.set_xlabel("hidden layers (width %d, log scale)" % cfg["width"])
    ax.set_ylabel("test accuracy (median; bars: min – max; dots: runs)")
    ax.set_title(f"8×8 digits, plain fully connected nets, Adam, {cfg['epochs']} epochs, "
                 f"{cfg['runs']} runs per point", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", fontsize=9)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="a small grid (depths 3, 12; 2 runs; 5 epochs; width 32) for a check in "
                         "seconds; writes no output unless --md/--png/--json are given")
    ap.add_argument("--depths", type=lambda s: tuple(int(v) for v in s.split(",")),
                    help="comma-separated hidden-layer counts (default %s)" %
                         ",".join(map(str, FULL["depths"])))
    ap.add_argument("--activations", type=lambda s: tuple(s.split(",")),
                    default=tuple(ACTIVATIONS),
                    help="comma-separated, from: " + ", ".join(ACTIVATIONS))
    for k in ("runs", "epochs", "width", "batch"):
        ap.add_argument("--" + k, type=int, help=f"default {FULL[k]} ({QUICK[k]} with --quick)")
    ap.add_argument("--lr", type=float, help=f"Adam's learning rate (default {FULL['lr']})")
    ap.add_argument("--init", choices=INITS,
                    help="he (default): He-normal weights for every activation; matched: scaled "
                         "per activation so that pre-activations keep unit variance")
    ap.add_argument("--from-json", metavar="FILE",
                    help="no training: redo the table and plot from the --json of an earlier run")
    ap.add_argument("--md", help="markdown to update (default docs/seed_experiment.md; "
                                 "none with --quick)")
    ap.add_argument("--png", help="plot (default docs/img/seed_depth.png; none with --quick)")
    ap.add_argument("--json", help="raw per-run results and the configuration (default: none)")
    args = ap.parse_args(argv)
    base = QUICK if args.quick else FULL
    cfg = {k: getattr(args, k) if getattr(args, k) is not None else base[k] for k in base}
    cfg["activations"] = args.activations
    for a in cfg["activations"]:
        if a not in ACTIVATIONS:
            ap.error(f"unknown activation {a!r} (one of {', '.join(ACTIVATIONS)})")
    md = args.md or (None if args.quick else str(REPO / "docs" / "seed_experiment.md"))
    png = args.png or (None if args.quick else str(REPO / "docs" / "img" / "seed_depth.png"))
    hact.set_num_threads(1)

    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        cfg = saved["config"]
        cfg["depths"], cfg["activations"] = tuple(cfg["depths"]), tuple(cfg["activations"])
        results, seconds, command = saved["results"], saved["seconds"], saved["command"]
        hw = saved["hardware"]
        data = load_data()
    else:
        print(f"hact {hact.version} ({hact.library_path}, ISA {hact.get_isa()}); grid: depths "
              f"{cfg['depths']} x {', '.join(cfg['activations'])} x {cfg['runs']} runs, "
              f"{cfg['epochs']} epochs, init {cfg['init']}", file=sys.stderr)
        data, results, seconds = run_grid(cfg["depths"], cfg["activations"], cfg["runs"],
                                          cfg["epochs"], cfg["width"], cfg["batch"], cfg["lr"],
                                          cfg["init"])
        args_text = " ".join(argv if argv is not None else sys.argv[1:])
        command = f"python experiments/seed_depth.py {args_text}".strip()
        hw = hardware()
    block = markdown(cfg, data, results, seconds, command, hw)
    print(block)
    if md:
        write_markdown(md, block)
        print(f"wrote {md}", file=sys.stderr)
    if png:
        plot(png, cfg, results)
        print(f"wrote {png}", file=sys.stderr)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"command": command, "config": cfg,
                                               "seconds": seconds, "hardware": hw,
                                               "results": results}, indent=1) + "\n")
        print(f"wrote {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()

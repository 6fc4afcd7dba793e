#!/usr/bin/env python3
"""Regenerate docs/accuracy.md from the accuracy sweep of the test suite.

Runs `<build>/tests/hact_tests --gtest_filter=All/Accuracy.*:...`, which sweeps float32 inputs
(every op x parameter set x direction x ISA against the long-double references in
tests/reference/) and prints one ULPSTAT line per case (ULPSTAT64 for float64); the float32 bounds
are read from the same reference files. Usage: scripts/accuracy_table.py [--build BUILD] [-o docs/accuracy.md]
"""
import argparse
import collections
import datetime
import pathlib
import re
import subprocess
import sys

repo = pathlib.Path(__file__).resolve().parent.parent


def bounds():
    out = {}
    for ref in sorted((repo / "tests" / "reference").glob("*.h")):
        text = ref.read_text()
        f = re.search(r"forward_ulp\s*=\s*([0-9.]+)", text)
        b = re.search(r"backward_ulp\s*=\s*([0-9.]+)", text)
        if f and b:
            out[ref.stem] = (f.group(1), b.group(1))
    return out


def sweep_summary():
    """One line per op from docs/sweeps.md (every float32 input, the full runs of hact_sweep): the
    largest error over the ISAs per direction, where, and the NaN/inf mismatches."""
    path = repo / "docs" / "sweeps.md"
    rows = collections.OrderedDict()
    if path.exists():
        for line in path.read_text().splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 11 or not cells[3].isdigit() or cells[3] != str(2**32):
                continue
            op, direction, _isa, _n, max_ulp, worst, _mean, nan_mm, inf_mm, ok, _t = cells
            d = rows.setdefault(op, {})
            key = "fwd" if direction == "fwd" else "bwd"
            best = d.get(key)
            if best is None or float(max_ulp) > float(best[0]):
                best = (max_ulp, worst, 0, True)
            d[key] = (best[0], best[1], best[2] + int(nan_mm) + int(inf_mm), best[3] and ok == "yes")
    out = [
        "## Every float32 input",
        "",
        "From the full runs of `tests/exhaustive_sweep.cpp` in `docs/sweeps.md` (all 2^32 inputs,",
        "forward and backward with dy = 1, every CPU variant; the largest error over the variants).",
        "",
        "| op | fwd max ULP | at x | bwd max ULP | at x | NaN/inf mismatches | within bound |",
        "|---|---:|---|---:|---|---:|---|",
    ]
    for op, d in rows.items():
        if "fwd" not in d or "bwd" not in d:
            continue
        f, b = d["fwd"], d["bwd"]
        out.append(f"| {op} | {f[0]} | {f[1]} | {b[0]} | {b[1]} | {f[2] + b[2]} | "
                   f"{'yes' if f[3] and b[3] else 'NO'} |")
    missing = sorted(set(bounds()) - set(op for op, d in rows.items() if "fwd" in d and "bwd" in d))
    out += ["", f"Not swept in full: {', '.join(missing)}." if missing else "Every op is swept in full.", ""]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(repo / "build"))
    ap.add_argument("-o", "--output", default=str(repo / "docs" / "accuracy.md"))
    args = ap.parse_args()
    exe = pathlib.Path(args.build) / "tests" / "hact_tests"
    if not exe.exists():
        sys.exit(f"{exe} not found: build first (scripts/build.sh)")
    suites = "All/Accuracy.*:All/NarrowTypes.*:All/Glu.Accuracy*:All/Float64Accuracy.*"
    print(f"[accuracy] running {exe.name} --gtest_filter={suites} (a few minutes)", file=sys.stderr)
    run = subprocess.run([str(exe), f"--gtest_filter={suites}"], capture_output=True, text=True)
    rows = collections.OrderedDict()
    subnormal_max = 0.0
    for line in run.stdout.splitlines():
        wide = line.startswith("ULPSTAT64\t")
        if not line.startswith("ULPSTAT\t") and not wide:
            continue
        # ULPSTAT op params direction isa key=value...: float32 (test_accuracy.cpp), bf16/f16
        # (test_narrow.cpp: direction "<dtype>_<dir>"), GLU (test_glu.cpp: op "glu:<kind>").
        fields = line.split("\t")
        op, params, direction, isa = fields[1:5]
        kv = dict(f.split("=", 1) for f in fields[5:] if "=" in f)
        if wide:  # float64 (test_float64.cpp): direction "f64_<dir>"
            direction = "f64_" + direction
            subnormal_max = max(subnormal_max, float(kv.get("subnormal_max", "0")))
        rows.setdefault((op, params, direction), {})[isa] = (
            float(kv["max"]), float(kv.get("mean", "nan")), int(kv["n"]), kv.get("worst_x", "-"),
            int(kv.get("over_half", "-1")))
    if not rows:
        sys.exit("no ULPSTAT lines: did the accuracy tests run?\n" + run.stdout[-2000:])
    order = ["x86_64", "avx2", "avx512", "neon", "neon_fp16", "cuda"]  # cuda: where a GPU ran them
    isas = sorted({isa for r in rows.values() for isa in r}, key=lambda i: order.index(i) if i in order else len(order))
    bnd = bounds()

    def header(what, extra=None):
        """The two header lines of a table (one max column per ISA, and an extra column if named)."""
        return ["| op | params | " + what + " | bound | " + " | ".join(f"max {i}" for i in isas) +
                " | mean | samples | worst input |" + (f" {extra} |" if extra else ""),
                "|---|---|---|---|" + "---|" * len(isas) + "---|---|---|" + ("---|" if extra else "")]
    lines = [
        "# hact accuracy (float32)",
        "",
        f"Generated by `scripts/accuracy_table.py` on {datetime.date.today()} from the test suite's sweep",
        f"(`tests/test_accuracy.cpp`), {'all cases passed' if run.returncode == 0 else 'SOME CASES FAILED'}.",
        "",
        "Inputs: every op x parameter set x direction x ISA variant over float32 bit patterns spread",
        "across the whole range (a prime stride through all 2^32 patterns) plus dense samples in the",
        "ranges each reference names (tails, around 0). Reference: the op's formula in long double",
        "(tests/reference/<op>.h), written from docs/activations.md independently of the generator.",
        "",
        "Error in ULPs of float32 at the reference (below FLT_MIN: the spacing of the smallest normal,",
        "2^-149). Backward (dx = dy f'(x), with dy = 1 and with random dy) is measured in ULPs of",
        "|dy| times the largest term of the textbook f' where that is larger than |dx| (near roots of",
        "f'; the spec's rule). Bounds are the spec's: forward and backward at most 4 ULP; the tests",
        "assert them.",
        "",
        *header("direction"),
    ]
    def table(select, bound_of, over_half=False):
        for (op, params, direction), per in rows.items():
            if not select(op, direction):
                continue
            worst_isa = max(per, key=lambda i: per[i][0])
            mean = per[worst_isa][1]
            cells = " | ".join(f"{per[i][0]:.3f}" if i in per else "-" for i in isas)
            extra = f" {max(per[i][4] for i in per)} |" if over_half else ""
            lines.append(f"| {op} | {params} | {direction} | {bound_of(op, direction)} | {cells} | "
                         f"{'-' if mean != mean else f'{mean:.3f}'} | {per[worst_isa][2]} | {per[worst_isa][3]} |"
                         + extra)

    narrow = lambda d: d.split("_")[0] in ("bf16", "f16")
    f64 = lambda d: d.startswith("f64_")
    fbound = lambda op, d: bnd.get(op, ("?", "?"))[0 if d == "fwd" else 1]
    table(lambda op, d: not op.startswith("glu:") and not narrow(d) and not f64(d), fbound)
    lines += [
        "",
        "## bfloat16 and float16 storage",
        "",
        "All 65,536 inputs of the narrow type (exhaustive), dy = 1 and random dy in [2^-6, 2^6);",
        "error in ULPs of the narrow type at the reference, bound 1 (the spec's). NaN inputs give NaN",
        "(asserted); the max column covers the rest. The math for these results is shorter than the",
        "float32 kernels' (2^-13 relative for bf16, 2^-17.5 for f16: docs/design.md, \"Math for",
        "narrow results\"), so an output is not always the correctly rounded one: \"over 1/2\" counts",
        "the inputs whose output is more than half a unit (plus 2^-12, what a float32 result's own",
        "rounding can add) from the reference: forward, those not correctly rounded; the largest",
        "count over the ISAs, out of the samples.",
        "",
        *header("direction", "over 1/2"),
    ]
    table(lambda op, d: narrow(d), lambda op, d: "1", over_half=True)
    lines += [
        "",
        "## float64",
        "",
        "`tests/test_float64.cpp`: 200,000 random bit patterns of double (every exponent), evenly",
        "spaced values on [-10, 10], [-60, 60], [-800, 800] and the op's dense ranges, log-uniform",
        "magnitudes in [2^-60, 1], and the format's edges; dy = 1 and random dy. Error in ULPs of",
        "double at the long-double reference (backward: of the largest term of f' near its roots, as",
        "for float32). Bound 4 ULP for every op and direction, asserted. Results below DBL_MIN",
        "(subnormal doubles, in the far tails of gelu and the logistic family) are held to 4 units",
        f"of 2^-1074 and counted apart; the largest measured there: {subnormal_max:.3g}. The special values",
        "(NaN, +-inf, +-0) are those of the float32 kernels, asserted by the same test. On CUDA the",
        "formulas call libdevice in place of the C library (docs/design.md): its documented errors",
        "make the bound there 5 ULP, 9 for gelu (erfc), asserted by the same test on a GPU.",
        "",
        *header("direction"),
    ]
    table(lambda op, d: f64(d), lambda op, d: "4")
    lines += [
        "",
        "## GLU family",
        "",
        "out = g(a) b, da = dy b g'(a), db = dy g(a) against the gate's reference, a across the gate's",
        "ranges and a stride of all float32 patterns, b and dy random. Unit: the result's ULP or the",
        "rounding step of the float32 gate value the product carries, whichever is larger (a subnormal",
        "g(a) times |b| up to 16 is far coarser than an ULP of the product); bound: the gate's + 1.",
        "",
        *header("result"),
    ]
    table(lambda op, d: op.startswith("glu:"), lambda op, d: "gate + 1")
    lines += [
        "",
        "Special values (NaN, signed NaN, +-inf, +-0, subnormal tails) are asserted on every ISA by",
        "`tests/test_special_values.cpp`; dbeta against a long-double reduction by",
        "`tests/test_param_grad.cpp` (|error| <= 8 2^-24 sum|terms| + n 1e-34).",
        "",
        *sweep_summary(),
    ]
    pathlib.Path(args.output).write_text("\n".join(lines))
    print(f"[accuracy] wrote {args.output}", file=sys.stderr)
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())

"""AVX2: what a 16-lane select costs when its condition is mask logic (stop 27).

A Halide vector of 16 float32 lanes is two AVX2 registers. Where a select's condition is more
than one comparison (a chain of selects, `<=`, Halide's `is_nan` combined with another test),
LLVM legalizes the 16-lane mask as 16-bit lanes and widens it back before each blend
(vpackssdw, vpmovzxwd, vpslld: 4 instructions per register). This compiles hardswish's forward
(as generators/ops/hardswish.h writes it, with keep_nan) and a few variants to AVX2 assembly,
vectorized as one 16-lane vector and as two unrolled 8-lane vectors, and prints each loop's
instruction count and its mask shuffles. What came of it: schedules/cpu.cpp unrolls short math on
x86 without AVX-512 (Tuning::unroll_below_nodes), and num::nan_test (generators/numerics.h).

  .venv/bin/python experiments/avx2_mask_widening.py      # seconds; needs only the halide wheel
"""
import os
import re
import tempfile

import halide as hl

TARGET = hl.Target("x86-64-linux-sse41-avx-avx2-fma-f16c-no_asserts-no_bounds_query-no_runtime")
SHUFFLES = re.compile(r"\s(vpack\w*|vpmovzx\w*|vpmovsx\w*|vextract\w*|vpunpck\w*|vpshufd)\s")


def variants(x):
    k = lambda c: hl.f32(c)
    mid = (x * (x + k(3.0))) * k(1.0 / 6.0)
    return {
        "hardswish (>=, <=, chain)": hl.select(x >= k(3.0), x, x <= k(-3.0), k(-0.0), mid),
        "hardswish (<, > nested)": hl.select(x < k(3.0), hl.select(x > k(-3.0), mid, k(-0.0)), x),
        "one select on x <= 3": hl.select(x <= k(3.0), x * k(2.0), x),
        "one select on x < 3": hl.select(x < k(3.0), x * k(2.0), x),
    }


def loop_counts(expr_of, unrolled):
    inp = hl.ImageParam(hl.Float(32), 1, "x")
    i, io, ii = hl.Var("i"), hl.Var("io"), hl.Var("ii")
    f = hl.Func("f")
    x = inp[i]
    f[i] = hl.select(hl.is_nan(x), x, hl.strict_float(expr_of(x)))  # keep_nan's shape
    if unrolled:
        f.split(i, io, ii, 16).vectorize(ii, 8).unroll(ii)
    else:
        f.vectorize(i, 16)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "f.s")
        f.compile_to_assembly(path, [inp], "f", TARGET)
        text = open(path).read()
    loop = re.search(r"^\.LBB0_\d+:.*?^\s+j(?:ne|b|l)\s", text, re.S | re.M).group(0)
    body = [l for l in loop.splitlines()[1:] if re.match(r"\s+[a-z]", l)]
    return len(body), sum(1 for l in body if SHUFFLES.search(l + " "))


def main():
    names = list(variants(hl.f32(0.0)).keys())
    print(f"{'variant (16 elements per iteration)':34s} {'one 16-lane vector':>20s} {'two 8-lane, unrolled':>22s}")
    for n in names:
        wide = loop_counts(lambda x: variants(x)[n], False)
        unrolled = loop_counts(lambda x: variants(x)[n], True)
        print(f"{n:34s} {wide[0]:>9d} ({wide[1]:2d} shuf) {unrolled[0]:>11d} ({unrolled[1]:2d} shuf)")


if __name__ == "__main__":
    main()

// hardswish(x) = x * min(max(x + 3, 0), 6) / 6;
// hardswish'(x) = 0 if x <= -3, x/3 + 1/2 if -3 < x < 3, 1 if x >= 3 (current PyTorch/oneDNN).
//
// Float32, strictly evaluated (the same roundings in every loop and tail), three roundings at most:
// x + 3 (exact for x in [-3, -1.5] by Sterbenz, so no cancellation near the root at -3), the
// product, the division by 6 (correctly rounded, where a multiply by a rounded 1/6 would add its
// error): at most about 1.5 ULP. (An earlier float64 evaluation was correctly rounded but ran at
// 0.35-0.6x oneDNN's speed. A division-free form, q0 = p/6 rounded then corrected by two FMAs,
// correctly rounded too, measured 5-12% slower than vdivps on the AVX-512 machine: the division
// is not this loop's bottleneck, the longer dependency chain is. Measured again for forward and
// backward, alternating builds, 32K elements, one thread: 3.6 us with the division, 4.3-4.6 us
// with the two FMAs. Dropping keep_nan, which the strict formula makes redundant, changed
// nothing measurable either: 3.56 against 3.53 us.)
#pragma once

namespace hact::ops {

struct hardswish : OpBase {
    // x >= 3: x itself (+inf included). x <= -3: -0, as PyTorch's x * 0 gives for finite x, and
    // the limit at -inf (never -inf * 0 = NaN). hardswish(-0) = -0 * 3 / 6 = -0.
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        Expr y = strict_apply({x}, [](auto v) {
            auto k = [&](double c) { return like(v[0], c); };
            Expr mid = (v[0] * (v[0] + k(3.0))) / k(6.0);
            return Halide::select(v[0] >= k(3.0), v[0], v[0] <= k(-3.0), k(-0.0), mid);
        });
        return keep_nan(x, y);
    }
    // dy * (2x + 3) / 6 between the kinks (2x exact; 2x + 3 exact for x in [-3, -0.75], so the
    // root at -1.5 is exact), dy at and above 3, dy * 0 (strict: NaN stays NaN) at and below -3.
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        Expr dx = strict_apply({x, dy}, [](auto v) {
            auto k = [&](double c) { return like(v[0], c); };
            Expr mid = (v[1] * (v[0] * k(2.0) + k(3.0))) / k(6.0);
            return Halide::select(v[0] <= k(-3.0), v[1] * k(0.0), v[0] >= k(3.0), v[1], mid);
        });
        return keep_nan(x, dx);
    }

    // float64: the math above is exact and type-generic (comparisons, selects, exact constants).
    static Expr forward64(const Expr &x, const Params &p) { return forward(x, p); }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &p) { return backward(x, dy, p); }
};

}  // namespace hact::ops

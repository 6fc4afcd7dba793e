// hardswish(x) = x * min(max(x + 3, 0), 6) / 6;
// hardswish'(x) = 0 if x <= -3, x/3 + 1/2 if -3 < x < 3, 1 if x >= 3 (current PyTorch/oneDNN).
//
// Evaluated in float64, where x + 3, 2x + 3 and the products have at most a few roundings of
// 2^-53: the float32 result is the correctly rounded one up to a double rounding of ~2^-28 ULP,
// where float32 arithmetic (x + 3, the product and the division each rounded) would give up to
// 1.5 ULP. Every float64 step is strict, so the results do not depend on contraction choices
// (the same in a loop and in its predicated tail).
#pragma once

namespace hact::ops {

struct hardswish : OpBase {
    // x >= 3: x * 6 * (1/6 in float64) = x (1 - 2^-54) rounds back to x exactly. x <= -3: x * 0 = -0 (as
    // PyTorch's formula gives for finite x); x is first raised to -4 so that -inf gives -0, the
    // limit, and never -inf * 0 = NaN. hardswish(-0) = -0.
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        Expr y = in_float64({x}, [](auto v) {
            Expr xc = Halide::max(v[0], Expr(-4.0));
            Expr s = xc + Expr(3.0);
            s = Halide::select(s < Expr(0.0), Expr(0.0), s > Expr(6.0), Expr(6.0), s);
            return (xc * s) * Expr(1.0 / 6.0);
        });
        return keep_nan(x, y);
    }
    // dy * (2x + 3)/6 between the kinks (2x + 3 is exact: no cancellation at the root -1.5),
    // dy at and above 3, dy*0 (strict: NaN stays NaN) at and below -3.
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        Expr mid = in_float64({x, dy}, [](auto v) {
            return v[1] * ((v[0] * Expr(2.0) + Expr(3.0)) * Expr(1.0 / 6.0));
        });
        Expr dx = strict_apply({x, dy, mid}, [](auto v) {
            return Halide::select(v[0] <= f32(-3.0f), v[1] * f32(0.0f), v[0] >= f32(3.0f), v[1], v[2]);
        });
        return keep_nan(x, dx);
    }
};

}  // namespace hact::ops

// softsign(x) = x / (1 + |x|); softsign'(x) = 1 / (1 + |x|)^2.
//
// Evaluated in float64 (1 + |x| exact for |x| >= 2^-29, then one division, or one product and one
// division, each 2^-53): the float32 result is the correctly rounded one up to a double rounding
// of ~2^-28 ULP (float32 arithmetic would give up to 1 ULP forward, 2 ULP backward). float64 also
// keeps (1 + |x|)^2 finite for every float32 x (below 2^257), so the derivative underflows to 0
// only where it rounds to 0. Strict: no contraction or reassociation choices, and infinities
// behave as IEEE.
#pragma once

namespace hact::ops {

struct softsign : OpBase {
    // x is clamped to +-2^60, where softsign already rounds to +-1 (also in float64), so that
    // softsign(+-inf) = +-1 rather than inf / inf = NaN. softsign(-0) = -0 / 1 = -0.
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        return keep_nan(x, in_float64({x}, [](auto v) { return value(v[0]); }));
    }
    // dy / (1 + |x|)^2; at x = +-inf, (1 + |x|)^2 = inf and dy / inf = 0 (NaN for a NaN dy).
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        return keep_nan(x, in_float64({x, dy}, [](auto v) {
            Expr u = Expr(1.0) + Halide::abs(v[0]);
            return v[1] / (u * u);  // one division: half the time of derivative()'s two
        }));
    }
    // The formulas of the float64 kernels (x / (1 + |x|): two roundings; dy / (1 + |x|) / (1 + |x|):
    // three, and no square to overflow where |x| > 2^512 and the result is a subnormal); the
    // forward's is also the float32 kernels' (in_float64).
    static Expr value(const Expr &x) {
        const double big = 0x1p60;
        Expr xc = Halide::select(x > Expr(big), Expr(big), x < Expr(-big), Expr(-big), x);
        return xc / (Expr(1.0) + Halide::abs(xc));
    }
    static Expr derivative(const Expr &x, const Expr &dy) {
        Expr u = Expr(1.0) + Halide::abs(x);
        return (dy / u) / u;
    }
    static Expr forward64(const Expr &x, const Params &) { return num::keep_nan(x, f64::strict(value(x))); }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &) {
        return num::keep_nan(x, f64::strict(derivative(x, dy)));
    }
};

}  // namespace hact::ops

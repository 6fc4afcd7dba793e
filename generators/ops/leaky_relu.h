// leaky_relu(x) = x if x > 0 else a*x, a = negative_slope (0.01);
// leaky_relu'(x) = 1 if x > 0 else a (a at 0, the spec's kink convention).
// One rounding (a*x, dy*a: correctly rounded, subnormals included) or none.
#pragma once

#include <limits>

namespace hact::ops {

struct leaky_relu : OpBase {
    // leaky_relu(-0) = -0 * a = -0 for a > 0 (PyTorch: x > 0 ? x : x * a). With a = 0, x is kept
    // finite in the product so that leaky_relu(-inf) is the limit 0, not 0 * inf = NaN.
    // Strict: the max(x, -FLT_MAX) would be folded away under fast-math's no-infinities.
    static Expr forward(const Expr &x, const Params &p) {
        using namespace num;
        const float fmax = std::numeric_limits<float>::max();
        Expr y = strict_apply({x, p.negative_slope}, [&](auto v) {
            Expr xn = Halide::select(v[1] == like(v[1], 0.0), Halide::max(v[0], like(v[0], -fmax)), v[0]);
            return Halide::select(v[0] > like(v[0], 0.0), v[0], xn * v[1]);
        });
        return keep_nan(x, y);
    }
    // dy where x > 0, else dy * a (a NaN dy gives NaN, a = 0 included: the product is strict).
    static Expr backward(const Expr &x, const Expr &dy, const Params &p) {
        using namespace num;
        Expr dx = strict_apply({x, dy, p.negative_slope}, [](auto v) {
            return Halide::select(v[0] > like(v[0], 0.0), v[1], v[1] * v[2]);
        });
        return keep_nan(x, dx);
    }

    // float64: the math above is exact and type-generic (comparisons, selects, exact constants).
    static Expr forward64(const Expr &x, const Params &p) { return forward(x, p); }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &p) { return backward(x, dy, p); }
};

}  // namespace hact::ops

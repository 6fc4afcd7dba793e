// swish(x) = s * x * sigma(beta x); beta learnable. silu and quick_gelu are swish with fixed beta.
#pragma once

namespace hact::ops {

struct swish {
    // The shared math, for any beta and scale (silu passes constants, which Halide folds).
    static Expr forward_with(const Expr &x, const Expr &beta, const Expr &s) {
        using namespace num;
        using Halide::select;
        Logistic l = logistic(beta * x);
        // (s x sc) / d: with sc = 2^-96 for beta x < -40 the quotient is rounded once, so tails
        // keep their subnormal values.
        Expr y = strict_apply({s * x, l.sc, l.d}, [](auto v) { return (v[0] * v[1]) / v[2]; });
        Expr at_minus = select(beta > f32(0.0f), s * f32(-0.0f), -s * pos_inf());
        Expr at_plus = select(beta < f32(0.0f), s * f32(0.0f), s * pos_inf());
        return with_specials(x, y, at_minus, at_plus);
    }

    // dy f'(x) = dy s sigma(z) (1 + z (1 - sigma(z))), z = beta x, rounded once at the end.
    static Expr backward_with(const Expr &x, const Expr &dy, const Expr &beta, const Expr &s) {
        using namespace num;
        using Halide::select;
        Expr z = beta * x;
        Logistic l = logistic(z);
        // Outside [-kExpMax, -kExpMin] the clamped exponential no longer follows z; clamping z
        // too keeps z (1 - sigma) at its limits (0 for z -> +inf, sigma -> 0 for z -> -inf).
        Expr zc = Halide::clamp(z, f32(-kExpMax), f32(-kExpMin));
        Expr dx = strict_apply({dy * s * (f32(1.0f) + zc * l.q), l.sc, l.d},
                               [](auto v) { return (v[0] * v[1]) / v[2]; });
        Expr slope_plus = select(beta > f32(0.0f), f32(1.0f), beta == f32(0.0f), f32(0.5f), f32(0.0f));
        Expr slope_minus = select(beta < f32(0.0f), f32(1.0f), beta == f32(0.0f), f32(0.5f), f32(0.0f));
        return with_specials(x, dx, dy * s * slope_minus, dy * s * slope_plus);
    }

    static Expr forward(const Expr &x, const Params &p) { return forward_with(x, p.beta, p.scale); }
    static Expr backward(const Expr &x, const Expr &dy, const Params &p) {
        return backward_with(x, dy, p.beta, p.scale);
    }
    // d/dbeta: dy s x^2 sigma(z) (1 - sigma(z)).
    static std::vector<Expr> param_grads(const Expr &x, const Expr &dy, const Params &p) {
        using namespace num;
        using Halide::select;
        Expr z = p.beta * x;
        Logistic l = logistic(z);
        Expr term = strict_apply({dy * p.scale * x * x * l.q, l.sc, l.d},
                                 [](auto v) { return (v[0] * v[1]) / v[2]; });
        // Above -kExpMin the term is below 1e-34 s/beta^2: flush it rather than let the clamped
        // exponential overstate it (below -kExpMax, sc = 0 flushes it already).
        term = select(z > f32(-kExpMin), f32(0.0f) * dy, term);
        Expr at_inf = select(p.beta == f32(0.0f), dy * p.scale * pos_inf(), f32(0.0f) * dy);
        return {with_specials(x, term, at_inf, at_inf)};
    }
};

}  // namespace hact::ops

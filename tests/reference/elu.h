// elu: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = x if x > 0 else alpha (e^x - 1)      alpha (PyTorch: 1.0)
//   f'(x) = 1 if x > 0 else alpha e^x             (elu'(0) = alpha: "Derivatives at kinks")
//   e^x - 1 is expm1l (no cancellation near 0-). limits: f(-inf) = -alpha, f(+inf) = +inf,
//   f'(-inf) = 0 (elu'(-100) = 3.7e-44 is a subnormal float32, checked to the subnormal ULP).
//   Signed zero (PyTorch: x <= 0 ? expm1(x) * alpha : x): f(-0) = alpha * -0 = -0 for alpha > 0.
#ifndef HACT_REF_ELU_H
#define HACT_REF_ELU_H

namespace hact_ref {

// The elu family's negative branch: a * (e^x - 1) and its derivative a * e^x.
inline ld elu_negative(ld x, ld a) { return a * expm1l(x); }
inline ld elu_negative_derivative(ld x, ld a) { return a * expl(x); }

struct ref_elu {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = HACT_P_ALPHA;
    static constexpr double forward_ulp = 4;   // spec: float32 forward <= 4 ULP everywhere
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params& p) { return x > 0 ? x : elu_negative(x, p.alpha); }
    static ld derivative(ld x, const Params& p) {
        return x > 0 ? 1.0L : elu_negative_derivative(x, p.alpha);  // NaN: a * e^NaN = NaN
    }
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        hact_params a1p5 = hact_default_params(hact_op_elu), a0p2 = a1p5;
        a1p5.alpha = 1.5f;
        a0p2.alpha = 0.2f;
        return {{"default", hact_default_params(hact_op_elu)}, {"a1p5", a1p5}, {"a0p2", a0p2}};
    }
    // The subnormal tail of f' (e^x below FLT_MIN from x = -87.3 to -103.3), the core.
    static std::vector<Range> dense_ranges(const Params&) { return {{-110, -60}, {-20, 2}}; }
    // The negative side, off the kink at 0 (f' jumps from alpha to 1 there unless alpha = 1).
    static Range fd_domain(const Params&) { return {-20, -0.05L}; }
};

}  // namespace hact_ref

#endif

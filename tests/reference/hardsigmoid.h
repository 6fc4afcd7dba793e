// hardsigmoid: long-double reference (spec: docs/activations.md, table "Unary activations").
//   v = a*x + b                        a = alpha (PyTorch: 1/6 as float32), b = beta (1/2);
//                                      ONNX's (0.2, 0.5) by parameter
//   f(x)  = min(max(v, 0), 1)
//   f'(x) = a where 0 < v < 1, else 0  (0 at both kinks, "Derivatives at kinks": at +-3 for the
//                                      defaults)
//   a*x is exact in long double (two floats: 48 bits), v rounds at most once in 64 bits, so the
//   kink tests are exact for these parameters. The parameters are the float32 values hact gets:
//   with a = float(1/6) = 1/6 + 5e-9 the kinks sit at -3.00000009 and 2.99999982, and
//   x = 3 - 2^-22 has v = 1 - 2.5e-8 < 1 (slope a), a case float32 rounding of v would miss.
//   limits (a > 0): f(-inf) = 0, f(+inf) = 1, f' = 0; a = 0: f = clamp(b, 0, 1) everywhere.
#ifndef HACT_REF_HARDSIGMOID_H
#define HACT_REF_HARDSIGMOID_H

namespace hact_ref {

struct ref_hardsigmoid {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = HACT_P_ALPHA | HACT_P_BETA;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;

    // a = 0: v = b for every x but NaN (never 0 * inf = NaN). fmal: a float32 a times a double x
    // has 77 bits, which a long double product would round (thousands of float64 ULPs where
    // a x + b cancels, near x = -3); fused, v is the correctly rounded long double.
    static ld v(ld x, const Params& p) {
        if (p.alpha == 0 && std::isinf(x)) return p.beta;
        return fmal(p.alpha, x, p.beta);
    }
    static ld forward(ld x, const Params& p) {
        const ld t = v(x, p);
        return t < 0 ? 0.0L : (t > 1 ? 1.0L : t);  // NaN passes through
    }
    static ld derivative(ld x, const Params& p) {
        const ld t = v(x, p);
        if (std::isnan(t)) return t;  // NaN in x gives NaN in dx
        return (t > 0 && t < 1) ? p.alpha : 0.0L;
    }
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        hact_params onnx = hact_default_params(hact_op_hardsigmoid);
        onnx.alpha = 0.2f;
        onnx.beta = 0.5f;
        return {{"default", hact_default_params(hact_op_hardsigmoid)}, {"onnx_a0p2_b0p5", onnx}};
    }
    // The kinks, where v = 0 and v = 1 (about every float32 within 0.05 of them), and the
    // interval between them.
    static std::vector<Range> dense_ranges(const Params& p) {
        if (p.alpha == 0) return {{-4, 4}};
        const ld x0 = -p.beta / p.alpha, x1 = (1 - p.beta) / p.alpha;
        return {ordered(x0 - 1, x1 + 1), {x0 - 0.05L, x0 + 0.05L}, {x1 - 0.05L, x1 + 0.05L}};
    }
    // Between the kinks.
    static Range fd_domain(const Params& p) {
        if (p.alpha == 0) return {-4, 4};
        const Range r = ordered(-p.beta / p.alpha, (1 - p.beta) / p.alpha);
        const ld w = r.hi - r.lo;
        return {r.lo + 0.05L * w, r.hi - 0.05L * w};
    }
};

}  // namespace hact_ref

#endif

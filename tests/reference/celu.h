// celu: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = max(0, x) + min(0, alpha (e^(x/alpha) - 1))   alpha (PyTorch: 1.0)
//         = x (x > 0), alpha expm1(x/alpha) (x <= 0)        (the two forms agree for alpha != 0)
//   f'(x) = 1 (x > 0), e^(x/alpha) (x <= 0; 1 at 0: celu is C1 there)
//   x/alpha rounds once in long double (2^-64 relative). limits (alpha > 0): f(-inf) = -alpha,
//   f'(-inf) = 0; alpha < 0 (PyTorch accepts it): x/alpha -> +inf as x -> -inf, f -> -inf and
//   f' -> +inf (they round to infinity from x = alpha * 88.7 on). f(-0) = -0 (PyTorch's
//   alpha * expm1(-0 / alpha)).
#ifndef HACT_REF_CELU_H
#define HACT_REF_CELU_H

namespace hact_ref {

struct ref_celu {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = HACT_P_ALPHA;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params& p) { return x > 0 ? x : p.alpha * expm1l(x / p.alpha); }
    static ld derivative(ld x, const Params& p) { return x > 0 ? 1.0L : expl(x / p.alpha); }
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        // PyTorch's 1, a power of two, 1.5 (1/alpha is no float32 number), a negative alpha.
        static const struct { const char* label; float v; } alphas[] = {
            {"default", 1.0f}, {"a0p5", 0.5f}, {"a1p5", 1.5f}, {"am1p5", -1.5f}};
        std::vector<NamedParams> v;
        for (const auto& a : alphas) {
            hact_params p = hact_default_params(hact_op_celu);
            p.alpha = a.v;
            v.push_back({a.label, p});
        }
        return v;
    }
    // In t = x/alpha: the far tail (f' subnormal for alpha > 0, f and f' near overflow for
    // alpha < 0) and the core.
    static std::vector<Range> dense_ranges(const Params& p) {
        const ld a = fabsl(p.alpha);
        return {{-110 * a, -60 * a}, {-20 * a, 2 * a}};
    }
    static Range fd_domain(const Params& p) { return {-10 * fabsl(p.alpha), -0.05L}; }
};

}  // namespace hact_ref

#endif

// relu6: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = min(max(x, 0), 6)
//   f'(x) = 1 if 0 < x < 6 else 0      (0 at 0 and at 6: "Derivatives at kinks")
//   limits: f(-inf) = 0, f(+inf) = 6, f' = 0 at both. No parameters.
//   Signed zero (the spec is silent): relu6(-0) = -0, as PyTorch's clamp (max then min, each
//   keeping x on a tie); relu6(x < 0) = +0.
#ifndef HACT_REF_RELU6_H
#define HACT_REF_RELU6_H

namespace hact_ref {

struct ref_relu6 {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;   // spec bound; relu6 is exact
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params&) {
        const ld m = x < 0 ? 0.0L : x;  // max(x, 0), x on a tie
        return m > 6 ? 6.0L : m;        // min(m, 6)
    }
    static ld derivative(ld x, const Params&) {
        if (std::isnan(x)) return x;  // NaN in x gives NaN in dx
        return (x > 0 && x < 6) ? 1.0L : 0.0L;
    }
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_relu6)}};
    }
    // Both kinks, and densely around 6 (about every float32 there).
    static std::vector<Range> dense_ranges(const Params&) { return {{-1, 7}, {5.9L, 6.1L}}; }
    // Between the kinks.
    static Range fd_domain(const Params&) { return {0.25L, 5.75L}; }
};

}  // namespace hact_ref

#endif

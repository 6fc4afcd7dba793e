// relu: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = max(x, 0)
//   f'(x) = 1 if x > 0 else 0          (relu'(0) = 0: "Derivatives at kinks")
//   limits: f(-inf) = 0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1. No parameters.
//   Signed zero (the spec is silent for max(x, 0)): relu(-0) = -0, as PyTorch's max(x, 0) keeps
//   x on a tie (and f(x) = x * [x > 0] keeps the sign); relu(x < 0) = +0.
#ifndef HACT_REF_RELU_H
#define HACT_REF_RELU_H

namespace hact_ref {

struct ref_relu {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;   // spec: float32 forward <= 4 ULP (relu is exact)
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params&) { return x < 0 ? 0.0L : x; }  // -0 and NaN pass through
    static ld derivative(ld x, const Params&) {
        if (std::isnan(x)) return x;  // NaN in x gives NaN in dx
        return x > 0 ? 1.0L : 0.0L;
    }
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_relu)}};
    }
    // The kink at 0 (the bit sweep adds |x| in [2^-40, 1] and the subnormals).
    static std::vector<Range> dense_ranges(const Params&) { return {{-2, 2}}; }
    // One side of the kink: finite differences straddling 0 are meaningless.
    static Range fd_domain(const Params&) { return {0.5L, 10}; }
};

}  // namespace hact_ref

#endif

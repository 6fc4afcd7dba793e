// sigmoid: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = sigma(x) = 1 / (1 + e^-x)
//   f'(x) = sigma(x) * (1 - sigma(x))      (1 - sigma(x) written sigma(-x): no cancellation)
//   limits: f(-inf) = 0, f(+inf) = 1, f'(+-inf) = 0 (sigma's cutoffs in reference.h).
//   sigmoid(-100) = 3.72e-44 and sigmoid'(+-100) = 3.72e-44 are subnormal float32 values, checked
//   to the subnormal ULP. No parameters.
#ifndef HACT_REF_SIGMOID_H
#define HACT_REF_SIGMOID_H

namespace hact_ref {

struct ref_sigmoid {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;   // spec: float32 forward <= 4 ULP everywhere
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params&) { return sigma(x); }
    static ld derivative(ld x, const Params&) { return sigma(x) * sigma(-x); }
    // One term.
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_sigmoid)}};
    }
    // The subnormal tail of f (x < -87), the core, and the subnormal tail of f' on the positive
    // side (x > 87, where 1 - sigma(x) is below float32's normal range).
    static std::vector<Range> dense_ranges(const Params&) { return {{-110, -60}, {-20, 20}, {60, 110}}; }
    static Range fd_domain(const Params&) { return {-20, 20}; }
};

}  // namespace hact_ref

#endif

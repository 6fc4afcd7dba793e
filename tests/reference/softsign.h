// softsign: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = x / (1 + |x|)
//   f'(x) = 1 / (1 + |x|)^2
//   limits: f(+-inf) = +-1, f'(+-inf) = 0 (the formula would give inf/inf). f(-0) = -0.
//   No parameters.
#ifndef HACT_REF_SOFTSIGN_H
#define HACT_REF_SOFTSIGN_H

namespace hact_ref {

struct ref_softsign {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? 1.0L : -1.0L;
        return x / (1 + fabsl(x));
    }
    static ld derivative(ld x, const Params&) {
        if (std::isinf(x)) return 0.0L;
        const ld u = 1 + fabsl(x);
        return 1 / (u * u);
    }
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_softsign)}};
    }
    // The core, and the slow approach to +-1 (f' ~ 1/x^2).
    static std::vector<Range> dense_ranges(const Params&) { return {{-10, 10}, {-3000, 3000}}; }
    // f'' jumps at 0 (f' has a corner there): central differences within h of 0 would be off by
    // h, far above the reference check's 1e-9, so one side only.
    static Range fd_domain(const Params&) { return {-20, -1e-3L}; }
};

}  // namespace hact_ref

#endif

// silu: long-double reference (spec: shared/spec/activations.md, table "Unary activations").
//   f(x)  = x * sigma(x) = x / (1 + e^-x)
//   f'(x) = sigma(x) * (1 + x * (1 - sigma(x)))   = sigma + x*sigma*(1-sigma)
//   limits: f(-inf) = -0 (the spec allows either zero), f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1.
//   No parameters.
#ifndef HACT_REF_SILU_H
#define HACT_REF_SILU_H

namespace hact_ref {

struct ref_silu {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;   // spec: float32 forward <= 4 ULP everywhere
    static constexpr double backward_ulp = 4;  // spec: same, relative to the largest term near roots

    static ld forward(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? x : -0.0L;
        return x * sigma(x);
    }
    static ld derivative(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
        const ld s = sigma(x);
        return s * (1.0L + x * sigma(-x));
    }
    // The terms of f': sigma(x) and x*sigma(x)*(1-sigma(x)).
    static ld derivative_scale(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
        const ld s = sigma(x);
        return fmaxl(fabsl(s), fabsl(x * s * sigma(-x)));
    }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_silu)}};
    }
    // sigma's exp overflow / the subnormal tail of f (f underflows below about -104), the core.
    static std::vector<Range> dense_ranges(const Params&) { return {{-110, -60}, {-20, 20}}; }
    static Range fd_domain(const Params&) { return {-20, 20}; }
};

}  // namespace hact_ref

#endif

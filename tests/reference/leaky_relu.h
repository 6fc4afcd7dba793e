// leaky_relu: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = x if x > 0 else a*x        a = negative_slope (PyTorch: 0.01)
//   f'(x) = 1 if x > 0 else a          (leaky_relu'(0) = a: "Derivatives at kinks")
//   limits: f(+inf) = +inf, f(-inf) = -inf*a (0 for a = 0: the limit, not 0*inf), f'(+-inf) as
//   above. Signed zero: f(-0) = a*(-0) = -0 for a > 0 (f(x) = x*g(x); PyTorch's x*a).
#ifndef HACT_REF_LEAKY_RELU_H
#define HACT_REF_LEAKY_RELU_H

namespace hact_ref {

struct ref_leaky_relu {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = HACT_P_NEGATIVE_SLOPE;
    static constexpr double forward_ulp = 4;   // spec bound; one correctly rounded product
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params& p) {
        if (x > 0) return x;
        if (std::isinf(x) && p.negative_slope == 0) return 0.0L;
        return p.negative_slope * x;  // exact in long double (two floats: 48 bits)
    }
    static ld derivative(ld x, const Params& p) {
        if (std::isnan(x)) return x;  // NaN in x gives NaN in dx
        return x > 0 ? 1.0L : p.negative_slope;
    }
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        hact_params wide = hact_default_params(hact_op_leaky_relu);
        wide.negative_slope = 0.2f;
        return {{"default", hact_default_params(hact_op_leaky_relu)}, {"ns0p2", wide}};
    }
    static std::vector<Range> dense_ranges(const Params&) { return {{-2, 2}}; }
    // The negative side, where the slope is a (the positive side is the identity).
    static Range fd_domain(const Params&) { return {-10, -0.5L}; }
};

}  // namespace hact_ref

#endif

// tanh: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = tanh(x)
//   f'(x) = 1 - tanh(x)^2, evaluated as 1/cosh(x)^2 (the same number without the cancellation of
//           1 - tanh^2 where tanh rounds to 1 in long double: sech^2(20) = 1.7e-17).
//   limits: f(+-inf) = +-1, f'(+-inf) = 0 (cosh overflows long double beyond |x| = 11356, and
//   1/inf^2 = 0). f(-0) = -0 (odd). sech^2(x) is a subnormal float32 for 44.4 < |x| < 52.4.
//   No parameters.
#ifndef HACT_REF_TANH_H
#define HACT_REF_TANH_H

namespace hact_ref {

struct ref_tanh {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;   // spec: float32 forward <= 4 ULP everywhere
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params&) { return tanhl(x); }
    static ld derivative(ld x, const Params&) {
        const ld c = coshl(x);
        return 1.0L / (c * c);
    }
    // One term (1 - tanh^2 has no root): the plain relative measure.
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_tanh)}};
    }
    // The core (tanh rounds to +-1 beyond 9.01), near zero, and the subnormal tails of f'.
    static std::vector<Range> dense_ranges(const Params&) {
        return {{-10, 10}, {-1, 1}, {40, 56}, {-56, -40}};
    }
    static Range fd_domain(const Params&) { return {-9, 9}; }
};

}  // namespace hact_ref

#endif

// selu: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = lambda * elu(x, alpha) = lambda x (x > 0), lambda alpha (e^x - 1) (x <= 0)
//   f'(x) = lambda (x > 0), lambda alpha e^x (x <= 0; lambda alpha at 0, elu's kink convention)
//   with the spec's constants to 32 digits (long double keeps 19): no parameters.
//   limits: f(-inf) = -lambda alpha, f(+inf) = +inf, f'(-inf) = 0. f(-0) = -0.
#ifndef HACT_REF_SELU_H
#define HACT_REF_SELU_H

#include "elu.h"

namespace hact_ref {

struct ref_selu {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;
    static constexpr ld kAlpha = 1.6732632423543772848170429916717L;
    static constexpr ld kLambda = 1.0507009873554804934193349852946L;

    static ld forward(ld x, const Params&) { return kLambda * (x > 0 ? x : elu_negative(x, kAlpha)); }
    static ld derivative(ld x, const Params&) {
        return kLambda * (x > 0 ? 1.0L : elu_negative_derivative(x, kAlpha));
    }
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() { return {{"default", hact_default_params(hact_op_selu)}}; }
    static std::vector<Range> dense_ranges(const Params&) { return {{-110, -60}, {-20, 2}}; }
    // Off the kink at 0 (f' jumps from lambda alpha to lambda).
    static Range fd_domain(const Params&) { return {-20, -0.05L}; }
};

}  // namespace hact_ref

#endif

// prelu: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = x if x > 0 else w*x        w = the weight: hact_params.negative_slope here (0.25),
//                                        weight[c] per channel (hact_prelu_*, tests/test_prelu.cpp)
//   f'(x) = 1 if x > 0 else w          (f'(0) = w, the spec's kink convention)
//   df/dw = 0 if x > 0 else x          (dw = sum over x <= 0 of dy*x)
// The value and input gradient are leaky_relu's (same limits and signed zeros).
#ifndef HACT_REF_PRELU_H
#define HACT_REF_PRELU_H

namespace hact_ref {

struct ref_prelu : ref_leaky_relu {
    static constexpr unsigned learnable = HACT_P_NEGATIVE_SLOPE;
    static constexpr unsigned reads = HACT_P_NEGATIVE_SLOPE;

    static ld param_derivative(int, ld x, const Params&) { return x > 0 ? 0.0L : x; }
    static std::vector<NamedParams> param_sets() {
        hact_params neg = hact_default_params(hact_op_prelu);
        neg.negative_slope = -0.5f;  // a learned weight may go negative
        return {{"default", hact_default_params(hact_op_prelu)}, {"wm0p5", neg}};
    }
};

}  // namespace hact_ref

#endif

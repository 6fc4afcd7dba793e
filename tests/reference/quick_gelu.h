// quick_gelu: long-double reference (spec: "quick_gelu | x·σ(1.702x) (an alias of swish with
// β=1.702)"). The product 1.702 x is taken with beta = float32(1.702) = 0x1.b3b646p+0, the constant a
// float32 implementation (PyTorch's x * torch.sigmoid(1.702 * x) included) multiplies by; with the
// decimal 1.702 instead, the reference itself would move by up to ~20 ULP where 1.702 x is near -80.
// Everything else is ref_swish with beta = 1.702f, scale = 1. No parameters.
#ifndef HACT_REF_QUICK_GELU_H
#define HACT_REF_QUICK_GELU_H

#include "swish.h"

namespace hact_ref {

struct ref_quick_gelu {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;

    static Params as_swish() {
        Params p{};
        p.beta = (ld)1.702f;
        p.scale = 1;
        return p;
    }
    static ld forward(ld x, const Params&) { return ref_swish::forward(x, as_swish()); }
    static ld derivative(ld x, const Params&) { return ref_swish::derivative(x, as_swish()); }
    static ld derivative_scale(ld x, const Params&) { return ref_swish::derivative_scale(x, as_swish()); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_quick_gelu)}};
    }
    static std::vector<Range> dense_ranges(const Params&) { return ref_swish::dense_ranges(as_swish()); }
    static Range fd_domain(const Params&) { return ref_swish::fd_domain(as_swish()); }
};

}  // namespace hact_ref

#endif

// hardtanh: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = min(max(x, lo), hi)        lo = min_val (PyTorch: -1), hi = max_val (1)
//   f'(x) = 1 if lo < x < hi else 0    (0 at both bounds: "Derivatives at kinks")
//   limits: f(-inf) = lo, f(+inf) = hi, f' = 0 at both.
//   Ties keep x (max then min, as PyTorch's clamp): with lo = 0, f(-0) = -0. lo > hi gives hi
//   everywhere, as the formula does.
#ifndef HACT_REF_HARDTANH_H
#define HACT_REF_HARDTANH_H

namespace hact_ref {

struct ref_hardtanh {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = HACT_P_MIN_VAL | HACT_P_MAX_VAL;
    static constexpr double forward_ulp = 4;   // spec bound; hardtanh is exact
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params& p) {
        const ld m = x < p.min_val ? p.min_val : x;  // max(x, lo)
        return m > p.max_val ? p.max_val : m;        // min(m, hi)
    }
    static ld derivative(ld x, const Params& p) {
        if (std::isnan(x)) return x;  // NaN in x gives NaN in dx
        return (x > p.min_val && x < p.max_val) ? 1.0L : 0.0L;
    }
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        hact_params wide = hact_default_params(hact_op_hardtanh);
        wide.min_val = -2.0f;
        wide.max_val = 3.0f;
        return {{"default", hact_default_params(hact_op_hardtanh)}, {"lom2_hi3", wide}};
    }
    // Both bounds (densely), and the whole interval.
    static std::vector<Range> dense_ranges(const Params& p) {
        return {{p.min_val - 1, p.max_val + 1},
                {p.min_val - 0.05L, p.min_val + 0.05L},
                {p.max_val - 0.05L, p.max_val + 0.05L}};
    }
    // Inside the bounds.
    static Range fd_domain(const Params& p) {
        const ld w = p.max_val - p.min_val;
        return {p.min_val + 0.05L * w, p.max_val - 0.05L * w};
    }
};

}  // namespace hact_ref

#endif

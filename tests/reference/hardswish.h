// hardswish: long-double reference (spec: docs/activations.md, table "Unary activations").
//   f(x)  = x * min(max(x + 3, 0), 6) / 6
//   f'(x) = 0 if x <= -3; x/3 + 1/2 if -3 < x < 3; 1 if x >= 3   (current PyTorch and oneDNN)
//   limits: f(-inf) = 0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1.
//   Signed zero: f(-0) = -0 (f(x) = x*g(x)); for finite x <= -3 the formula gives -0 (x * 0), as
//   PyTorch's; either zero is accepted there (the tests compare a zero reference with either).
//   No parameters.
#ifndef HACT_REF_HARDSWISH_H
#define HACT_REF_HARDSWISH_H

namespace hact_ref {

struct ref_hardswish {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? x : 0.0L;
        const ld s = x + 3;
        const ld c = s < 0 ? 0.0L : (s > 6 ? 6.0L : s);
        return x * c / 6;
    }
    static ld derivative(ld x, const Params&) {
        if (x <= -3) return 0.0L;
        if (x >= 3) return 1.0L;
        return x / 3 + 0.5L;  // NaN passes through
    }
    // The terms of x/3 + 1/2 between the kinks (its root -1.5 is where they cancel).
    static ld derivative_scale(ld x, const Params&) {
        if (x <= -3) return 0.0L;
        if (x >= 3) return 1.0L;
        return fmaxl(fabsl(x / 3), 0.5L);
    }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_hardswish)}};
    }
    // Both kinks (about every float32 within 0.05), the root of f' and the zeros of f, the core.
    static std::vector<Range> dense_ranges(const Params&) {
        return {{-4, 4}, {-3.05L, -2.95L}, {2.95L, 3.05L}, {-1.55L, -1.45L}};
    }
    // Between the kinks.
    static Range fd_domain(const Params&) { return {-2.9L, 2.9L}; }
};

}  // namespace hact_ref

#endif

// gelu (approximate='none'): long-double reference (spec: docs/activations.md, "Unary activations").
//   Phi(x) = erfc(-x/sqrt2)/2 (no cancellation for x < 0, where Phi is tiny), phi(x) = e^(-x^2/2)/sqrt(2 pi)
//   f(x)  = x * Phi(x)
//   f'(x) = Phi(x) + x * phi(x)        (a root near x = -0.7518: the terms cancel there)
//   limits: f(+inf) = +inf, f(-inf) = -0 (x * Phi(x) is -0 once it underflows, below x = -14.4;
//   the spec allows either zero), f'(+inf) = 1, f'(-inf) = 0. f(-0) = -0.
//   f is a subnormal float32 for -14.4 < x < -13.2. No parameters.
#ifndef HACT_REF_GELU_H
#define HACT_REF_GELU_H

namespace hact_ref {

struct ref_gelu {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;

    static ld Phi(ld x) { return 0.5L * erfcl(-x * 0.70710678118654752440084436210484904L); }
    static ld phi(ld x) { return expl(-0.5L * x * x) * 0.39894228040143267793994605993438187L; }

    static ld forward(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? x : -0.0L;
        return x * Phi(x);
    }
    static ld derivative(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
        return Phi(x) + x * phi(x);
    }
    // The terms of f': Phi(x) and x*phi(x).
    static ld derivative_scale(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
        return fmaxl(fabsl(Phi(x)), fabsl(x * phi(x)));
    }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_gelu)}};
    }
    // The core, the root of f', the subnormal tail of f and f' (f underflows below -14.4).
    static std::vector<Range> dense_ranges(const Params&) {
        return {{-6, 6}, {-1, -0.5L}, {-15, -12}, {-12, -5}};
    }
    static Range fd_domain(const Params&) { return {-8, 8}; }
};

}  // namespace hact_ref

#endif

// mish: long-double reference (spec: docs/activations.md, table "Unary activations").
//   sp(x) = log(1 + e^x)   (as x + log1p(e^-x) for x > 0: no overflow)
//   f(x)  = x * tanh(sp(x))
//   f'(x) = tanh(sp(x)) + x * sigma(x) * (1 - tanh^2(sp(x)))    (1 - tanh^2 as 1/cosh^2; a root
//           near x = -1.1924, where the terms cancel)
//   limits: f(+inf) = +inf, f(-inf) = -0 (as f(x) below -107, where x tanh(sp(x)) ~ x e^x
//   underflows; the spec allows either zero), f'(+inf) = 1, f'(-inf) = 0. f(-0) = -0.
//   f and f' are subnormal float32 values for about -107 < x < -83. No parameters.
#ifndef HACT_REF_MISH_H
#define HACT_REF_MISH_H

namespace hact_ref {

struct ref_mish {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;

    static ld softplus(ld x) { return x > 0 ? x + log1pl(expl(-x)) : log1pl(expl(x)); }
    static ld sech2(ld s) {
        const ld c = coshl(s);
        return 1.0L / (c * c);
    }

    static ld forward(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? x : -0.0L;
        return x * tanhl(softplus(x));
    }
    static ld derivative(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
        const ld s = softplus(x);
        return tanhl(s) + x * sigma(x) * sech2(s);
    }
    // The terms of f': tanh(sp(x)) and x sigma(x) (1 - tanh^2(sp(x))).
    static ld derivative_scale(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
        const ld s = softplus(x);
        return fmaxl(tanhl(s), fabsl(x * sigma(x) * sech2(s)));
    }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_mish)}};
    }
    // The core, the root of f', the subnormal tails of f and f' (both underflow near -107).
    static std::vector<Range> dense_ranges(const Params&) {
        return {{-20, 20}, {-1.5L, -0.9L}, {-112, -80}};
    }
    static Range fd_domain(const Params&) { return {-20, 20}; }
};

}  // namespace hact_ref

#endif

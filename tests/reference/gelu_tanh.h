// gelu_tanh (approximate='tanh'): long-double reference (spec: docs/activations.md).
//   u(x)  = sqrt(2/pi) * (x + 0.044715 x^3),  z = 2u
//   f(x)  = x/2 * (1 + tanh(u)) = x * sigma(z)     (the same number: 1 + tanh(u) = 2 sigma(2u);
//           the sigma form has no cancellation where tanh(u) is near -1)
//   f'(x) = (1 + tanh(u))/2 + x/2 (1 - tanh^2(u)) u'(x) = sigma(z) + x sigma(z) sigma(-z) z'(x),
//           z'(x) = 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2)   (a root near x = -0.7525)
//   limits: f(+inf) = +inf, f(-inf) = -0 (as f(x) for x below -10.7, where it underflows; the spec
//   allows either zero), f'(+inf) = 1, f'(-inf) = 0. f(-0) = -0.
//   f is a subnormal float32 for about -10.7 < x < -10.0. No parameters.
#ifndef HACT_REF_GELU_TANH_H
#define HACT_REF_GELU_TANH_H

namespace hact_ref {

struct ref_gelu_tanh {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = 0;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;

    static constexpr ld kSqrt2OverPi = 0.79788456080286535587989211986876373L;
    static constexpr ld kC = 0.044715L;
    static ld z(ld x) { return 2 * kSqrt2OverPi * (x + kC * x * x * x); }
    static ld dz(ld x) { return 2 * kSqrt2OverPi * (1 + 3 * kC * x * x); }

    static ld forward(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? x : -0.0L;
        return x * sigma(z(x));
    }
    static ld derivative(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
        const ld zz = z(x);
        return sigma(zz) + x * sigma(zz) * sigma(-zz) * dz(x);
    }
    // The terms of f': sigma(z) and x sigma(z) sigma(-z) z'(x).
    static ld derivative_scale(ld x, const Params&) {
        if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
        const ld zz = z(x);
        return fmaxl(sigma(zz), fabsl(x * sigma(zz) * sigma(-zz) * dz(x)));
    }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        return {{"default", hact_default_params(hact_op_gelu_tanh)}};
    }
    // The core, the root of f', the subnormal tail of f and f' (f underflows below -10.7).
    static std::vector<Range> dense_ranges(const Params&) {
        return {{-6, 6}, {-1, -0.5L}, {-11, -9}, {-9, -4}};
    }
    // Central differences with h = 2^-20 |x| lose 1e-9 of f' to truncation beyond |x| = 4.5
    // (f''' / f' grows like z'(x)^2).
    static Range fd_domain(const Params&) { return {-4.5L, 4.5L}; }
};

}  // namespace hact_ref

#endif

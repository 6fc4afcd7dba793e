// swish: long-double reference (spec: shared/spec/activations.md, table "Unary activations").
//   z = beta * x (exact in long double: a product of two floats needs 48 bits)
//   f(x)      = s * x * sigma(z)
//   f'(x)     = s * sigma(z) * (1 + z * (1 - sigma(z)))   = s*sigma + s*sigma*z*(1-sigma)
//   df/dbeta  = s * x^2 * sigma(z) * (1 - sigma(z))
//   limits (beta != 0): z -> +inf: f ~ s*x, f' -> s; z -> -inf: f -> 0 (either zero), f' -> 0;
//   df/dbeta -> 0 at x = +-inf. beta = 0: f = s*x/2, f' = s/2.
//   Parameters: beta (learnable), scale s.
#ifndef HACT_REF_SWISH_H
#define HACT_REF_SWISH_H

namespace hact_ref {

struct ref_swish {
    static constexpr unsigned learnable = HACT_P_BETA;
    static constexpr unsigned reads = HACT_P_BETA | HACT_P_SCALE;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;

    static ld forward(ld x, const Params& p) {
        const ld s = p.scale, z = p.beta * x;
        if (std::isinf(x)) {
            if (p.beta == 0) return s * x / 2;
            return z > 0 ? s * x : (x > 0 ? s * 0.0L : -s * 0.0L);
        }
        return s * x * sigma(z);
    }
    static ld derivative(ld x, const Params& p) {
        const ld s = p.scale, z = p.beta * x;
        if (std::isinf(z)) return z > 0 ? s : 0.0L;
        const ld sg = sigma(z);
        return s * sg * (1.0L + z * sigma(-z));
    }
    // The terms of f': s*sigma(z) and s*sigma(z)*z*(1-sigma(z)).
    static ld derivative_scale(ld x, const Params& p) {
        const ld s = p.scale, z = p.beta * x;
        if (std::isinf(z)) return z > 0 ? fabsl(s) : 0.0L;
        const ld sg = sigma(z);
        return fmaxl(fabsl(s * sg), fabsl(s * sg * z * sigma(-z)));
    }
    static ld param_derivative(int k, ld x, const Params& p) {
        if ((1u << k) != HACT_P_BETA) return 0.0L;
        if (std::isinf(x)) return p.beta == 0 ? p.scale * (ld)INFINITY : 0.0L;  // x^2/4 * s
        const ld z = p.beta * x;
        return p.scale * x * x * sigma(z) * sigma(-z);
    }

    static std::vector<NamedParams> param_sets() {
        // beta: PyTorch's 1, a wide 0.5, quick_gelu's 1.702, a steep 2, a mirrored -1;
        // scale: 1 and the self-normalizing swish's 1.67653251702.
        static const struct { const char* label; float v; } betas[] = {
            {"b1", 1.0f}, {"b0p5", 0.5f}, {"b1p702", 1.702f}, {"b2", 2.0f}, {"bm1", -1.0f}};
        static const struct { const char* label; float v; } scales[] = {
            {"s1", 1.0f}, {"s1p6765", 1.67653251702f}};
        std::vector<NamedParams> v;
        for (const auto& b : betas)
            for (const auto& s : scales) {
                hact_params p = hact_default_params(hact_op_swish);
                p.beta = b.v;
                p.scale = s.v;
                v.push_back({std::string(b.label) + "_" + s.label, p});
            }
        return v;
    }
    // silu's ranges in z = beta*x.
    static std::vector<Range> dense_ranges(const Params& p) {
        const ld b = p.beta == 0 ? 1 : p.beta;
        return {ordered(-110 / b, -60 / b), ordered(-20 / b, 20 / b)};
    }
    static Range fd_domain(const Params& p) {
        const ld b = p.beta == 0 ? 1 : fabsl(p.beta);
        return {-20 / b, 20 / b};
    }
};

}  // namespace hact_ref

#endif

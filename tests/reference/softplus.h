// softplus: long-double reference (spec: docs/activations.md, table "Unary activations").
//   z = beta x (exact in long double: two floats, 48 bits)
//   f(x)  = (1/beta) log(1 + e^z), and x where beta x > threshold
//   f'(x) = sigma(z), and 1 where beta x > threshold
//   The threshold test is PyTorch's: (x * beta) > threshold with the product rounded to float32
//   (the spec: "the test is on beta x, not on the output"; PyTorch rounds beta x as every float32
//   kernel does). log(1 + e^z) is written max(z, 0) + log1p(e^-|z|), the same number without
//   overflow of e^z. limits (beta > 0): f(-inf) = 0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1;
//   softplus(-100) = 3.7e-44 is a subnormal float32, checked to the subnormal ULP.
//   Parameters: beta, threshold (beta = 0 is not tested: f is infinite there).
#ifndef HACT_REF_SOFTPLUS_H
#define HACT_REF_SOFTPLUS_H

namespace hact_ref {

struct ref_softplus {
    static constexpr unsigned learnable = 0;
    static constexpr unsigned reads = HACT_P_BETA | HACT_P_THRESHOLD;
    static constexpr double forward_ulp = 4;
    static constexpr double backward_ulp = 4;

    static bool linear(ld x, const Params& p) { return (float)(p.beta * x) > p.threshold; }
    static ld forward(ld x, const Params& p) {
        if (linear(x, p)) return x;
        const ld z = p.beta * x;
        if (std::isinf(z)) return 0.0L / p.beta;  // z -> -inf: log(1 + 0) / beta
        return (fmaxl(z, 0) + log1pl(expl(-fabsl(z)))) / p.beta;
    }
    static ld derivative(ld x, const Params& p) { return linear(x, p) ? 1.0L : sigma(p.beta * x); }
    static ld derivative_scale(ld x, const Params& p) { return fabsl(derivative(x, p)); }
    static ld param_derivative(int, ld, const Params&) { return 0.0L; }

    static std::vector<NamedParams> param_sets() {
        // PyTorch's defaults, a steep beta, a beta whose reciprocal is no float32 number with a
        // low threshold (a visible jump at beta x = 5), a mirrored beta.
        static const struct { const char* label; float beta, threshold; } sets[] = {
            {"default", 1.0f, 20.0f}, {"b2", 2.0f, 20.0f}, {"b1p5_t5", 1.5f, 5.0f}, {"bm1", -1.0f, 20.0f}};
        std::vector<NamedParams> v;
        for (const auto& s : sets) {
            hact_params p = hact_default_params(hact_op_softplus);
            p.beta = s.beta;
            p.threshold = s.threshold;
            v.push_back({s.label, p});
        }
        return v;
    }
    // In z = beta x: the subnormal tail of f and f', the core, and around the threshold.
    static std::vector<Range> dense_ranges(const Params& p) {
        const ld b = p.beta, t = p.threshold;
        return {ordered(-110 / b, -60 / b), ordered(-20 / b, 20 / b), ordered((t - 1) / b, (t + 1) / b)};
    }
    // z in [-20, threshold - 1]: off the jump at the threshold.
    static Range fd_domain(const Params& p) { return ordered(-20 / p.beta, (p.threshold - 1) / p.beta); }
};

}  // namespace hact_ref

#endif

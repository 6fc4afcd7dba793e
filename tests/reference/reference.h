// Long-double references for every op of the registry (include/hact/activations.def).
//
// Each op has ONE file, tests/reference/<op>.h, written from the spec (docs/activations.md, i.e.
// shared/spec/activations.md) and never from generators/: the textbook formula evaluated in
// x87 80-bit long double (64-bit significand), which is ~2^40 times finer than float32, so its
// rounding to float32 is the correctly rounded result for all practical purposes.
//
// The file defines `struct ref_<op>` in namespace hact_ref with these members:
//   learnable, reads         HACT_P_* masks; must equal the registry line (static_assert below)
//   forward_ulp, backward_ulp
//                            the op's written float32 bounds (ULP, see "Error measure")
//   forward(x, p)            f(x), including the mathematical limits at x = +-inf
//   derivative(x, p)         f'(x), likewise
//   derivative_scale(x, p)   magnitude of the largest term of f'(x) (see "Error measure")
//   param_derivative(k, x, p) df/dp_k for learnable field k (bit index of HACT_P_*), 0 otherwise;
//                            likewise with its limits at +-inf
//   param_sets()             the parameter sets every test runs (label, hact_params)
//   dense_ranges(p)          x intervals the accuracy sweep samples densely for these params
//   fd_domain(p)             x interval where finite differences are meaningful
//
// tests/CMakeLists.txt generates hact_reference_ops.inc (one #include "<op>.h" per registry line)
// from the registry, and the X-macro below names ref_<op> for every line, so an op without a
// reference does not compile (missing file, or missing struct), and a reference whose masks
// disagree with the registry fails a static_assert. Adding an op needs tests/reference/<op>.h only.
//
// Error measure (float32 ULPs, as the spec asks):
//   ulp(r) = spacing of float32 at |r|, 2^(e-23) for |r| in [2^e, 2^(e+1)); for |r| < FLT_MIN the
//   spacing of the smallest normal, 2^-149.
//   forward:   |got - f(x)| / ulp(f(x))                                  <= forward_ulp
//   backward:  |got - dy*f'(x)| / max(ulp(dy*f'(x)), ulp(|dy| * derivative_scale(x)))
//                                                                        <= backward_ulp
//   derivative_scale is the largest magnitude among the terms of the textbook derivative (e.g.
//   for silu' = sigma(x) + x*sigma(x)*(1-sigma(x)), max(|sigma|, |x*sigma*(1-sigma)|)). Away from
//   the roots of f' it is within a factor 2 of |f'|, so the measure is the plain ULP error there;
//   near a root, where the terms cancel, the error is counted in ULPs of the largest term (the
//   spec's "relative to the largest term of the derivative").
//   A NaN reference needs a NaN; an infinite (rounded) reference needs exactly that infinity; a
//   NaN or infinity where the reference is finite counts as an infinite error.
//   Parameter gradient (hact_backward_params, sum over i of dy_i * df/dp(x_i), summed in double
//   and rounded once to float32 by the library):
//     |got - sum| <= 8 * 2^-24 * sum_i |dy_i * df/dp(x_i)| + n * 1e-34
//   i.e. 8 float32 rounding units of the sum of magnitudes (the final rounding is 1 unit of |sum|
//   <= sum of magnitudes; the rest covers float32 evaluation of each term: the kernel computes
//   each term in float32 at a few ULP before accumulating in double, so the sum's error is a few
//   ULP of the magnitudes), plus an absolute 1e-34 per element for terms whose float32
//   evaluation underflows into subnormals (|term| < FLT_MIN: the relative bound does not hold).
#ifndef HACT_REFERENCE_H
#define HACT_REFERENCE_H

#include <cmath>
#include <string>
#include <vector>

#include "hact/hact.h"

namespace hact_ref {

using ld = long double;

// hact_params in long double, fields in declaration order (bit k of HACT_P_* is field k).
struct Params {
    ld negative_slope, alpha, beta, threshold, scale, min_val, max_val;
};
constexpr int kNumFields = 7;
inline ld& field(Params& p, int k) {
    ld* f[kNumFields] = {&p.negative_slope, &p.alpha, &p.beta, &p.threshold,
                         &p.scale, &p.min_val, &p.max_val};
    return *f[k];
}
inline ld field_value(const Params& p, int k) { return field(const_cast<Params&>(p), k); }
inline float& field(hact_params& p, int k) {
    float* f[kNumFields] = {&p.negative_slope, &p.alpha, &p.beta, &p.threshold,
                            &p.scale, &p.min_val, &p.max_val};
    return *f[k];
}
inline float field_value(const hact_params& p, int k) { return field(const_cast<hact_params&>(p), k); }
inline const char* field_name(int k) {
    static const char* const names[kNumFields] = {"negative_slope", "alpha", "beta", "threshold",
                                                  "scale", "min_val", "max_val"};
    return names[k];
}
inline Params from_hact(const hact_params& h) {
    return Params{h.negative_slope, h.alpha, h.beta, h.threshold, h.scale, h.min_val, h.max_val};
}

struct NamedParams {
    std::string label;  // C identifier characters only (used in test names)
    hact_params params;
};
struct Range {
    ld lo, hi;
};
inline Range ordered(ld a, ld b) { return a < b ? Range{a, b} : Range{b, a}; }

// ---- the notation of the spec, in long double -------------------------------------------------
// sigma(z) = 1/(1+e^-z). 1 - sigma(z) is written sigma(-z) (the same number, without the
// cancellation of 1 - sigma for large z). Beyond |z| = 12000, e^-z overflows (or underflows) long
// double and the formula gives exactly 0 (or 1); those values are returned directly because
// glibc's expl takes a slow path on overflow (5x slower), which dominated the accuracy sweep.
inline ld sigma(ld z) {
    if (z < -12000.0L) return 0.0L;
    if (z > 12000.0L) return 1.0L;
    return 1.0L / (1.0L + expl(-z));
}

}  // namespace hact_ref

// One #include "<op>.h" per registry line, generated by tests/CMakeLists.txt.
#include "hact_reference_ops.inc"

namespace hact_ref {

// The type-erased view the tests iterate over.
struct OpRef {
    hact_op op;
    const char* name;
    unsigned learnable, reads;
    double forward_ulp, backward_ulp;
    ld (*forward)(ld, const Params&);
    ld (*derivative)(ld, const Params&);
    ld (*derivative_scale)(ld, const Params&);
    ld (*param_derivative)(int, ld, const Params&);
    std::vector<NamedParams> param_sets;
    std::vector<Range> (*dense_ranges)(const Params&);
    Range (*fd_domain)(const Params&);
};

template <class R, unsigned Learnable, unsigned Reads>
OpRef make_ref(hact_op op, const char* name) {
    static_assert(R::learnable == Learnable,
                  "tests/reference/<op>.h: learnable mask differs from the registry line");
    static_assert(R::reads == Reads,
                  "tests/reference/<op>.h: reads mask differs from the registry line");
    static_assert(R::forward_ulp > 0 && R::backward_ulp > 0, "a reference needs its ULP bounds");
    return OpRef{op,
                 name,
                 Learnable,
                 Reads,
                 R::forward_ulp,
                 R::backward_ulp,
                 &R::forward,
                 &R::derivative,
                 &R::derivative_scale,
                 &R::param_derivative,
                 R::param_sets(),
                 &R::dense_ranges,
                 &R::fd_domain};
}

// Every op, in registry order.
inline const std::vector<OpRef>& ops() {
    static const std::vector<OpRef> table = {
#define HACT_OP(name, learnable, reads, defaults) \
    make_ref<::hact_ref::ref_##name, (learnable), (reads)>(hact_op_##name, #name),
#include "hact/activations.def"
#undef HACT_OP
    };
    return table;
}

}  // namespace hact_ref

#endif

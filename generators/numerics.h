// Building blocks for accurate, vectorizable activation math in float32 Halide expressions.
//
// Halide compiles with fast-math flags (reassociation, contraction, no-NaN/no-Inf assumptions).
// The few steps whose exact rounding matters are written so that those flags cannot change them:
// bit manipulation in integers, and strict_float on the two-term range reduction only.
// Special values are then imposed at the end (with_specials), because is_nan/is_inf are evaluated
// strictly by Halide whatever the flags.
#pragma once

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "Halide.h"

namespace hact::num {

using Halide::Expr;

inline Expr f32(float v) { return Halide::Expr(v); }
// v in the type of x: for math that is the same in float32 and float64 (an exact constant).
inline Expr like(const Expr &x, double v) { return Halide::Internal::make_const(x.type(), v); }
// Bit manipulation in uint32, where Halide defines wrap-around.
inline Expr bits(const Expr &x) { return Halide::reinterpret(Halide::UInt(32), x); }
inline Expr from_bits(const Expr &b) { return Halide::reinterpret(Halide::Float(32), b); }

// f(args...) evaluated with IEEE semantics (no reassociation, no contraction), while the
// arguments themselves are computed with the usual fast-math flags. For the last one or two
// operations of a formula, where the order of rounding decides the result: e.g. (x sc) / d must
// not become x (sc / d), which underflows. The arguments are bound with Lets, so strict_float
// does not reach into the code that computes them (a polynomial keeps its FMAs).
template <typename F>
Expr strict_apply(const std::vector<Expr> &args, F f) {
    std::vector<Expr> vars;
    for (const Expr &a : args) {
        vars.push_back(Halide::Internal::Variable::make(a.type(), Halide::Internal::unique_name('s')));
    }
    Expr body = Halide::strict_float(f(vars));
    for (size_t k = args.size(); k-- > 0;) {
        body = Halide::Internal::Let::make(vars[k].template as<Halide::Internal::Variable>()->name,
                                           args[k], body);
    }
    return body;
}

// e^t, scaled to stay finite:  e^t = e / sc.
//   t <= kScaleAbove:  sc = 1,      e = e^t            (e <= 2.4e17)
//   t >  kScaleAbove:  sc = 2^-96,  e = 2^-96 e^t      (the exponent is lowered in the integer
//             domain, so this adds no rounding; a caller that also scales its numerator by sc
//             keeps one final rounding for results that are subnormal, e.g. silu(-100) = -3.7e-42)
//   t >  kExpMax:      flush is true: every activation built on e^-z has rounded to 0 there
//             (silu(-110) = -1.9e-46). e and sc are then meaningless; callers select 0.
// t is clamped below at kExpMin: e^t has no normal float32 value below it, and 1 + e^t == 1.
// Keeping e below 1e19 keeps e*e and d*d finite, whatever fast-math reassociation does.
// Accuracy: range reduction t = n ln2 + r with |r| <= ln2/2 (Cody-Waite, two constants; kLn2Hi has
// 14 significant bits, so n kLn2Hi is exact and FMA or not gives the same r), then a degree-6
// polynomial for e^r with its first three coefficients exact (1, 1, 1/2): the fit's relative
// error is 0.07 ULP, the float32 evaluation adds about 1 ULP.
constexpr float kExpMin = -87.0f;      // e^-87 = 1.6e-38, above FLT_MIN
constexpr float kExpMax = 110.0f;      // 2^-96 e^110 = 7.5e18
constexpr float kScaleAbove = 40.0f;   // e^40 = 2.4e17; 2^-96 e^40 = 3e-12 >> 2^-96
constexpr int kScaleShift = 96;

struct ScaledExp {
    Expr e, sc, flush;
    Expr big;       // sc != 1
    // v sc for a per-call scalar v: a blend of two scalars (v and v 2^-96), not a multiply
    Expr scale(const Expr &v) const {
        return Halide::select(big, v * f32(std::ldexp(1.0f, -kScaleShift)), v);
    }
    Expr two_n, u;  // e = sc e^t = two_n (1 + u), for callers that add to it (see logistic)
};

// e^t for t = c x, with c a per-call scalar (a constant or a parameter) and x the element.
// The product c x is never rounded on its own: the range reduction computes c x - n ln2_hi in one
// fused multiply-add on FMA targets (the other product is strict, so it is the one LLVM fuses).
// Rounding c x first would cost |c x| 2^-25 of relative error, 40 ULP at c x = -80. Without FMA
// (baseline x86-64) the product's rounding error is computed exactly (Dekker), for c != +-1.
// x is clamped to the range where t >= kExpMin; the clamped x is returned for callers that need
// t (e.g. z (1 - sigma(z))) consistent with the exponential.
struct ScaledExpProduct : ScaledExp {
    Expr t;  // c x (x clamped), rebuilt from the reduction (n ln2 + r): it shares no product with
             // the exponential, which would stop LLVM from fusing that one
};

// Whether the kernel being generated has FMA: set by the generator for the duration of
// generate() (TargetScope), read where the exact form of a step depends on it.
inline bool &target_has_fma() {
    static bool has_fma = false;
    return has_fma;
}
// Whether float32 -> float16 casts are one hardware instruction that keeps a NaN a NaN (x86 F16C,
// AArch64 with arm_fp16), not Halide's software conversion (baseline x86, and AArch64 without
// arm_fp16: measured under qemu, a NaN input 0x7c08 came out inf). GPUs keep the select (not
// measured: no GPU here).
inline bool &target_has_f16_conversions() {
    static bool has = false;
    return has;
}
// Whether the target has AVX-512's mask registers: a select on a tested bit is then a test and a
// blend, cheaper than arithmetic on the bit (the bf16 rounding, activation_generator.cpp).
inline bool &target_has_avx512() {
    static bool has = false;
    return has;
}
// Whether the target is x86 without AVX-512 (baseline x86-64, AVX2): its vector compares give
// masks in vector registers, whose logic LLVM may widen (nan_test).
inline bool &target_is_x86_without_avx512() {
    static bool is = false;
    return is;
}
// Whether the kernel runs on a GPU (a CUDA target): its float64 math calls libdevice's functions
// (__nv_exp, ...) where a CPU kernel calls the C library's (float64.h).
inline bool &target_is_gpu() {
    static bool gpu = false;
    return gpu;
}
struct TargetScope {
    explicit TargetScope(const Halide::Target &t) {
        target_is_gpu() = t.has_gpu_feature();
        // GPUs (the code of a CUDA target runs there, not on its x86 host) all have fma.
        target_has_fma() = t.has_feature(Halide::Target::FMA) || t.arch != Halide::Target::X86 ||
                           t.has_gpu_feature();
        target_has_f16_conversions() =
            !t.has_gpu_feature() &&
            (t.has_feature(Halide::Target::F16C) ||
             (t.arch == Halide::Target::ARM && t.bits == 64 && t.has_feature(Halide::Target::ARMFp16)));
        target_has_avx512() = !t.has_gpu_feature() && t.has_feature(Halide::Target::AVX512);
        target_is_x86_without_avx512() = !t.has_gpu_feature() && t.arch == Halide::Target::X86 && !target_has_avx512();
    }
    ~TargetScope() {
        target_has_avx512() = false;
        target_is_x86_without_avx512() = false;
        target_is_gpu() = false;
        target_has_fma() = false;
        target_has_f16_conversions() = false;
    }
};

// The storage type of the result being generated, set by the generator for the duration of
// generate() (ResultScope). A float32 (or float64-argument) result needs all of float32's bits
// from the math; a result rounded once to bfloat16 (8 significant bits) or float16 (11) is within
// 1 ULP of that type whenever the float32 value is within half of its ULP, i.e. a relative error
// of 2^-9 (bf16) or 2^-12 (f16) suffices. The exponentials below then take shorter polynomials and
// one-step range reductions (expm1_poly): 3 to 6 fewer operations per vector, which is
// what lets a 16-bit kernel (the float32 loop plus its conversions) keep up with float32.
// Checked where it counts: tests/test_narrow.cpp, every 16-bit input within 1 ULP.
enum class Result { Float32, Float16, BFloat16 };
inline Result &result_type() {
    static Result r = Result::Float32;
    return r;
}
inline bool narrow_result() { return result_type() != Result::Float32; }
struct ResultScope {
    explicit ResultScope(const std::string &dtype) {
        result_type() = dtype == "bf16" ? Result::BFloat16 : dtype == "f16" ? Result::Float16 : Result::Float32;
    }
    ~ResultScope() { result_type() = Result::Float32; }
};

// a b + c. With FMA: one rounding, through llvm.fma, which LLVM neither splits nor moves (left to
// contraction, a loop and its vector tail could fuse differently and differ in the last bit).
// Without: a strict multiply and add, two roundings, the same in every loop.
inline Expr fused_mul_add(const Expr &a, const Expr &b, const Expr &c) {
    if (target_has_fma()) {
        Halide::Type t = a.type().with_lanes(1);
        std::string name = t.bits() == 64 ? "llvm.fma.f64" : "llvm.fma.f32";
        return Halide::Internal::Call::make(a.type(), name, {a, b, c}, Halide::Internal::Call::PureExtern);
    }
    return strict_apply({a, b, c}, [](auto v) { return v[0] * v[1] + v[2]; });
}

// c[0] r^(n-1) + ... + c[n-1], Horner with explicit FMAs (fused_mul_add, or the caller's, e.g.
// sf::fma, which rounds once on targets without FMA too): the same roundings in every loop.
using MulAdd = Expr (*)(const Expr &, const Expr &, const Expr &);
inline Expr horner(const Expr &r, std::initializer_list<float> c, MulAdd fma = fused_mul_add) {
    Expr p;
    for (float k : c) p = p.defined() ? fma(p, r, f32(k)) : f32(k);
    return p;
}
// P(r) in e^r - 1 = r + r^2 P(r) on |r| <= ln2/2: the caller's float32 fit `full` (highest
// coefficient first), or for a narrow result (result_type()) a shorter one. Those are near-minimax
// fits of the relative error of e^r with every coefficient free, float32 coefficients (Lawson
// iterations on 20,001 points): bf16 degree 3, 2^-13.0 (2^-10.9 for e^r - 1 itself, as expm1
// uses it); f16 degree 4, 2^-17.5 (2^-15.2).
inline Expr expm1_poly(const Expr &r, std::initializer_list<float> full, MulAdd fma = fused_mul_add) {
    switch (result_type()) {
    case Result::BFloat16: return horner(r, {0x1.554032p-3f, 0x1.02045cp-1f}, fma);
    case Result::Float16: return horner(r, {0x1.522564p-5f, 0x1.571c94p-3f, 0x1.0006b4p-1f}, fma);
    default: return horner(r, full, fma);
    }
}
// ln2 rounded to float32, for the one-step reduction r = t - n ln2 of narrow results: its error,
// |n| 1.9e-9 <= 2.9e-7 for |n| <= 150, is far below what they need.
constexpr float kLn2F32 = 0x1.62e430p-1f;

// c x - hi exactly as an unevaluated sum (rounded part, error) without FMA: Dekker's product
// with Veltkamp splits, strict throughout. For targets without FMA only.
inline std::pair<Expr, Expr> product_minus_exact(const Expr &c, const Expr &x, const Expr &hi) {
    return {strict_apply({c, x, hi},
                         [](auto v) { return v[0] * v[1] - v[2]; }),
            strict_apply({c, x}, [](auto v) {
                const Expr split = f32(4097.0f);  // 2^12 + 1
                Expr cg = v[0] * split, xg = v[1] * split;
                Expr c_hi = cg - (cg - v[0]), c_lo = v[0] - c_hi;
                Expr x_hi = xg - (xg - v[1]), x_lo = v[1] - x_hi;
                Expr p = v[0] * v[1];
                return ((c_hi * x_hi - p) + c_hi * x_lo + c_lo * x_hi) + c_lo * x_lo;
            })};
}
// The conditions scaled_exp_product(c, x) selects on, for OpMath::specializations: in a loop
// specialized on one of them, the select disappears.
inline std::vector<Expr> exp_product_cases(const Expr &c_in) {
    const Expr c = Halide::Internal::simplify(c_in);
    return {c > f32(0.0f), c < f32(0.0f)};
}

// bounded: every result the caller builds on e^-t is at most |dy| (1 + t) e^-t or |x| e^-t,
// with no per-call scale factor (silu, quick_gelu, sigmoid, softplus's dy sigma). For float16
// (|x|, |dy| <= 65504; results below 2^-25 round to 0) those are 0 past t = 40 (65504 * 41 e^-40
// = 1.1e-11): flush there and drop the 2^-96 scaling (a compare, a masked add and a blend per
// vector, of about 23 in silu's f16 loop). bfloat16 has float32's range and keeps it.
inline ScaledExpProduct scaled_exp_product(const Expr &c_in, const Expr &x, bool bounded = false) {
    using Halide::select;
    const bool f16_short_tail = bounded && result_type() == Result::Float16;
    const Expr c = Halide::Internal::simplify(c_in);  // so that -1.0f * 1.0f is seen as a constant
    const float fmax = std::numeric_limits<float>::max();
    // t >= kExpMin: x >= kExpMin / c for c > 0, x <= kExpMin / c for c < 0; for c = 0 x is only
    // kept finite so that 0 x = 0 (never 0 inf = NaN).
    // A select on the per-call sign of c: simplified away for a constant c, and for a parameter
    // in the loops the schedule specializes on its sign (the op lists exp_product_cases(c)).
    Expr xc = select(c > f32(0.0f), Halide::max(x, f32(kExpMin) / c),
                     c < f32(0.0f), Halide::min(x, f32(kExpMin) / c),
                     Halide::clamp(x, f32(-fmax), f32(fmax)));
    if (!target_has_fma() && !Halide::Internal::is_const(c, 1) && !Halide::Internal::is_const(c, -1)) {
        // Dekker's product below splits x (x 4097): beyond 2^100 that overflows (NaN for c = 0
        // at x = +-inf or 1e36). There c x overflows or flushes the exponential already unless
        // |c| < 2^-93, so the clamp changes no result of a meaningful c.
        xc = Halide::clamp(xc, f32(-0x1p100f), f32(0x1p100f));
    }
    xc = Halide::Internal::simplify(xc);
    // k = t/ln2 + (1.5*2^23 + 127): the addition rounds t/ln2 to the nearest integer n and
    // leaves 2^22 + 127 + n in k's mantissa bits; shifted left by 23 (mod 2^32) that is the
    // biased exponent field of 2^n. Fused explicitly: left to LLVM, a loop and its vector tail
    // could round differently and disagree on n at a tie.
    const float magic = 0x1.8p23f + 127.0f;
    const float log2e = 1.44269504088896341f;
    Expr k = fused_mul_add(xc, c * f32(log2e), f32(magic));
    // Exactly n; strict, or LLVM folds it to t/ln2.
    Expr nf = strict_apply({k}, [&](auto v) { return v[0] - f32(magic); });
    // r = c x - n ln2 in two steps (Cody-Waite): kLn2Hi has 14 significant bits, so n kLn2Hi is
    // exact and so is c x - n kLn2Hi when c x is; then - n kLn2Lo. Never left to LLVM:
    // reassociated, the two steps fold into c x - n (kLn2Hi + kLn2Lo) (68 ULP measured).
    const float kLn2Hi = 0x1.62e400p-1f, kLn2Lo = 0x1.7f7d1cp-20f;
    const bool exact_c = Halide::Internal::is_const(c, 1) || Halide::Internal::is_const(c, -1);
    Expr t_exact = exact_c ? c * xc : Expr();  // c x, exact for c = +-1
    Expr r_hi, r, t;
    if (target_has_fma() && exact_c && narrow_result()) {
        r = fused_mul_add(nf, f32(-kLn2F32), t_exact);  // one step: enough for a narrow result
        t = t_exact;
    } else if (target_has_fma()) {
        // Each step one FMA: n kLn2Hi is exact, so r_hi is exact; r rounds once.
        if (exact_c) {
            r_hi = fused_mul_add(nf, f32(-kLn2Hi), t_exact);
            t = t_exact;
        } else {
            Expr n_ln2_hi = strict_apply({nf}, [&](auto v) { return v[0] * f32(kLn2Hi); });
            r_hi = fused_mul_add(c, xc, -n_ln2_hi);
            t = strict_apply({n_ln2_hi, r_hi}, [](auto v) { return v[0] + v[1]; });
        }
        r = fused_mul_add(nf, f32(-kLn2Lo), r_hi);
    } else {
        if (exact_c) {
            r_hi = strict_apply({t_exact, nf}, [&](auto v) { return v[0] - v[1] * f32(kLn2Hi); });
            t = t_exact;
        } else {
            // c x - n ln2_hi rounded (exact: Sterbenz) plus the product's rounding error.
            Expr n_ln2_hi = strict_apply({nf}, [&](auto v) { return v[0] * f32(kLn2Hi); });
            auto [rounded, err] = product_minus_exact(c, xc, n_ln2_hi);
            r_hi = strict_apply({rounded, err}, [](auto v) { return v[0] + v[1]; });
            t = strict_apply({n_ln2_hi, rounded}, [](auto v) { return v[0] + v[1]; });
        }
        r = strict_apply({r_hi, nf}, [&](auto v) { return v[0] - v[1] * f32(kLn2Lo); });
    }
    // e^r ~ 1 + u, u = r + r^2 (1/2 + r (c3 + r (c4 + r (c5 + r c6)))): minimax fit of the
    // relative error on |r| <= ln2/2 with the first three coefficients fixed (shorter for narrow
    // results: expm1_poly).
    Expr q = expm1_poly(r, {0x1.6b6e4cp-10f, 0x1.122f7ap-7f, 0x1.555688p-5f, 0x1.5554a4p-3f, 0.5f});
    Expr u = fused_mul_add(r * r, q, r);
    // Thresholds on t, tested on k (= t/ln2 + magic) so that c x is not needed twice.
    Expr big = f16_short_tail ? Halide::Internal::const_false() : k > f32(magic + kScaleAbove * log2e);
    Expr exp_field = (bits(k) << 23) -
                     select(big, Halide::Expr(unsigned(kScaleShift) << 23), Halide::Expr(0u));
    ScaledExpProduct out;
    out.two_n = from_bits(exp_field);
    out.u = u;
    // e = 2^n + 2^n u with one rounding (2^n u is exact).
    out.e = fused_mul_add(out.two_n, u, out.two_n);
    out.big = big;
    out.sc = out.scale(f32(1.0f));
    out.flush = k > f32(magic + (f16_short_tail ? kScaleAbove : kExpMax) * log2e);
    out.t = t;
    return out;
}

// e^t for an element t (scaled as above).
inline ScaledExp scaled_exp(const Expr &t) { return scaled_exp_product(f32(1.0f), t); }

// The logistic family around z = beta x: with E = e^-z (scaled as above),
//   sigma(z)     = sc / d,        d = sc + sc E
//   1 - sigma(z) = q = e / d      (no cancellation for z >> 0)
//   flush: z < -kExpMax, where sigma(z) < 1.7e-48
//   z: beta x, with x clamped where z > -kExpMin (sigma(z) = 1 in float32 there)
struct Logistic {
    Expr e, sc, d, q, flush, z;
    ScaledExp exp;
};
inline Logistic logistic_of_product(const Expr &beta, const Expr &x, bool bounded = false) {
    ScaledExpProduct s = scaled_exp_product(-beta, x, bounded);
    // d = (sc + 2^n) + 2^n u with one rounding (sc + 2^n is exact while 2^n <= 2^24 sc, and
    // beyond that its rounding is below 2^-48 of d).
    Expr d = fused_mul_add(s.two_n, s.u, strict_apply({s.sc, s.two_n}, [](auto v) { return v[0] + v[1]; }));
    return {s.e, s.sc, d, s.e / d, s.flush, -s.t, s};
}

// dy * 0, strictly: NaN stays NaN (fast-math would fold it to 0).
inline Expr times_zero(const Expr &v) {
    return strict_apply({v}, [](auto a) { return a[0] * f32(0.0f); });
}

// x is NaN. Halide's is_nan is an unordered compare; on AVX2 and baseline x86-64 the select it
// fed cost 4 more instructions per vector (LLVM narrowed the 16-lane mask to 16-bit lanes and
// widened it back: silu forward 74 -> 66 per 16 elements; AVX2 kernels' loops 1,319 instructions
// fewer in all, baseline x86-64 1,331). There it is !(x == x), an ordered compare evaluated
// strictly, which feeds the blend directly. AVX-512 (one compare into a mask; the other form came
// out 23 instructions longer over its kernels), GPUs (setp.num for setp.nan, the same count) and
// NEON (not timed: no ARM hardware here) keep is_nan. exact_bits.h knows both shapes.
inline Expr nan_test(const Expr &x) {
    using namespace Halide::Internal;
    if (!target_is_x86_without_avx512()) return Halide::is_nan(x);
    return !Call::make(Halide::Bool(x.type().lanes()), Call::strict_eq, {x, x}, Call::PureIntrinsic);
}

// NaN in x gives NaN out, whatever the fast-math formula made of it.
inline Expr keep_nan(const Expr &x, const Expr &y) { return Halide::select(nan_test(x), x, y); }

// x where x is NaN or x >= limit, else y: keep_nan and a select on x >= limit as one strict
// compare, !(x < limit) (two tests would be mask logic, which AVX2 widens: see nan_test). A
// finite limit: with limit = +inf and a float16 input, LLVM folded the test after the F16C
// conversion and +inf came out NaN (caught by the exhaustive float16 test).
inline Expr x_unless_below(const Expr &x, const Expr &limit, const Expr &y) {
    using namespace Halide::Internal;
    return Halide::select(!Call::make(Halide::Bool(x.type().lanes()), Call::strict_lt, {x, limit}, Call::PureIntrinsic), x, y);
}

// ==== Exponential with both tails, expm1, log(1 + e^t): elu, selu, celu, softplus ================
//
// scaled_exp_product covers e^t where only large t needs care (the logistic family: e^-z is
// flushed to 0 below t = -87 because every result built on it has rounded to 0 there). The ops
// below need e^t itself far into the small side: elu'(x) = alpha e^x and softplus(x) ~ e^x keep
// subnormal float32 values down to x = -103.3; expm1(t) near 0 without cancellation; and
// t = x / alpha (celu), which is no float32 product c x. exp_parts is the two-sided version:
// the same range reduction and the same kind of polynomial, with
//   - c given as an unevaluated sum hi + lo (SplitScalar), so that t = x / alpha is exact to
//     ~2^-47 relative (one more FMA, only where lo is not the constant 0);
//   - e^t kept scaled by 2^+-96 on both sides (|t| > 40), the exponent moved in the integer
//     domain, so that a caller multiplying its result by sc at the end (strictly) rounds once,
//     into the subnormals or to infinity as the true value does;
//   - parts (2^n, u) that expm1_parts and log1p_exp_parts combine without cancellation.

// v = hi + lo, for per-call scalars and constants that float32 cannot hold exactly (1/alpha, the
// selu constants): v y = fma(hi, y, lo y) rounds once and is within ~0.5 ULP of the exact
// product, where rounding v first would add up to 0.5 ULP more.
struct SplitScalar {
    Expr hi, lo;
    bool exact() const { return Halide::Internal::is_const_zero(lo); }
};
inline SplitScalar split_exact(const Expr &v) { return {v, f32(0.0f)}; }
// A constant: hi is v rounded toward zero, so lo (< ulp(hi)) has the sign of hi, and hi y and
// lo y the sign of each other: y = +-inf gives +-inf, not hi inf + lo inf = NaN.
inline SplitScalar split_constant(double v) {
    float hi = static_cast<float>(v);
    if (std::fabs(static_cast<double>(hi)) > std::fabs(v)) hi = std::nextafter(hi, 0.0f);
    return {f32(hi), f32(static_cast<float>(v - static_cast<double>(hi)))};
}
// 1/a as hi + lo: lo = (1 - a hi) / a ~ (1 - a hi) hi, with 1 - a hi exact (one FMA, or Dekker's
// product without FMA). Per-call scalars: computed once per call. Where 1/a is not finite (a = 0,
// |a| < 2^-128) lo is 0 and hi infinite: callers that accept such an a select their own limit.
inline SplitScalar split_reciprocal(const Expr &a) {
    Expr hi = f32(1.0f) / a;
    Expr rem;
    if (target_has_fma()) {
        rem = fused_mul_add(-a, hi, f32(1.0f));
    } else {
        auto [rounded, err] = product_minus_exact(a, hi, f32(1.0f));  // a hi - 1 = rounded + err
        rem = -(rounded + err);
    }
    return {hi, Halide::select(Halide::is_finite(hi), rem * hi, f32(0.0f))};
}
// v y for a split v: one rounding (FMA; two strict roundings without). For a split_constant, or
// a finite y (split_reciprocal's lo may differ in sign from hi).
inline Expr mul_split(const SplitScalar &v, const Expr &y) {
    if (v.exact()) return v.hi * y;
    return fused_mul_add(v.hi, y, v.lo * y);
}

// e^t for t = c x, c = c.hi + c.lo a per-call scalar (or constant), x clamped so that t lies in
// [t_min, t_max] (compile-time bounds, chosen by the caller from the range it needs: beyond
// them its result no longer changes):  e^t = sc two_n (1 + u), e = two_n (1 + u) rounded once.
//   t < -40 (only if t_min < -40): sc = 2^-96, two_n = 2^(n + 96)  (small)
//   t > +40 (only if t_max > +40): sc = 2^+96, two_n = 2^(n - 96)  (big)
//   else sc = 1, two_n = 2^n exactly.
// |t| <= 150 keeps every scaled 2^n normal (2^-121 .. 2^121); e^-150 = 7e-66 and e^150 = 1.4e65
// round to 0 and to infinity after any factor a caller applies with |factor| in [1e-26, 1e19].
// Accuracy: n = round(t / ln2) by the magic-number trick, r = t - n ln2 in two Cody-Waite steps
// (kLn2Hi: n kLn2Hi exact) with c.hi x inside an FMA (not rounded first), plus c.lo x; then
// e^r - 1 = u = r + r^2 q(r), q of degree 4, fitted (minimax, float32 coefficients) for the
// relative error of u itself, 0.23 of 2^-24 on |r| <= ln2/2: u is expm1 when n = 0, not only the
// part of e^r beyond 1.
constexpr float kTwoSidedScaleAt = 40.0f;
constexpr float kTwoSidedMax = 150.0f;
struct ExpParts {
    Expr two_n, u, e, sc;
    Expr small, big;  // t < -40, t > 40; each the constant false where [t_min, t_max] excludes it
};
inline ExpParts exp_parts(const SplitScalar &c_in, const Expr &x, float t_min, float t_max) {
    using Halide::select;
    using Halide::Internal::is_const;
    const SplitScalar c{Halide::Internal::simplify(c_in.hi), Halide::Internal::simplify(c_in.lo)};
    // x within [t_min / c, t_max / c] (swapped for c < 0), and finite whatever c (c = 0: 0 x = 0,
    // never 0 inf). Without FMA |x| <= 2^100, so that Dekker's splitting (x 4097) cannot overflow:
    // only |c| < 150 2^-100 (e.g. celu with |alpha| > 8e27) sees that bound. Per-call scalars,
    // strict: fast-math must not assume t / c finite.
    const float xmax = target_has_fma() ? std::numeric_limits<float>::max() : 0x1p100f;
    Expr lo = strict_apply({c.hi}, [&](auto v) {
        Expr b = select(v[0] > f32(0.0f), f32(t_min) / v[0], v[0] < f32(0.0f), f32(t_max) / v[0], f32(-xmax));
        return Halide::max(b, f32(-xmax));
    });
    Expr hi = strict_apply({c.hi}, [&](auto v) {
        Expr b = select(v[0] > f32(0.0f), f32(t_max) / v[0], v[0] < f32(0.0f), f32(t_min) / v[0], f32(xmax));
        return Halide::min(b, f32(xmax));
    });
    Expr xc = Halide::clamp(x, Halide::Internal::simplify(lo), Halide::Internal::simplify(hi));
    const float magic = 0x1.8p23f + 127.0f;  // as in scaled_exp_product
    const float log2e = 1.44269504088896341f;
    const float kLn2Hi = 0x1.62e400p-1f, kLn2Lo = 0x1.7f7d1cp-20f;
    Expr k = fused_mul_add(xc, c.hi * f32(log2e), f32(magic));
    Expr nf = strict_apply({k}, [&](auto v) { return v[0] - f32(magic); });
    const bool unit_c = c.exact() && (is_const(c.hi, 1) || is_const(c.hi, -1));
    Expr r_hi, r;
    if (target_has_fma() && unit_c && narrow_result()) {
        r = fused_mul_add(nf, f32(-kLn2F32), c.hi * xc);  // one step: enough for a narrow result
    } else if (target_has_fma()) {
        if (unit_c) {
            r_hi = fused_mul_add(nf, f32(-kLn2Hi), c.hi * xc);  // exact
        } else {
            Expr n_ln2_hi = strict_apply({nf}, [&](auto v) { return v[0] * f32(kLn2Hi); });
            r_hi = fused_mul_add(c.hi, xc, -n_ln2_hi);
        }
        r = fused_mul_add(nf, f32(-kLn2Lo), r_hi);
        if (!c.exact()) r = fused_mul_add(c.lo, xc, r);
    } else {
        if (unit_c) {
            r_hi = strict_apply({c.hi * xc, nf}, [&](auto v) { return v[0] - v[1] * f32(kLn2Hi); });
        } else {
            Expr n_ln2_hi = strict_apply({nf}, [&](auto v) { return v[0] * f32(kLn2Hi); });
            auto [rounded, err] = product_minus_exact(c.hi, xc, n_ln2_hi);
            r_hi = strict_apply({rounded, err}, [](auto v) { return v[0] + v[1]; });
        }
        r = strict_apply({r_hi, nf}, [&](auto v) { return v[0] - v[1] * f32(kLn2Lo); });
        if (!c.exact()) r = strict_apply({r, c.lo, xc}, [](auto v) { return v[0] + v[1] * v[2]; });
    }
    // Degree-6 minimax fit of e^r - 1 (relative error) with the first coefficients 1, 1/2 fixed;
    // shorter for narrow results.
    Expr q = expm1_poly(r, {0x1.6c5560p-10f, 0x1.122366p-7f, 0x1.5555bap-5f, 0x1.5554b8p-3f, 0.5f});
    ExpParts out;
    out.u = fused_mul_add(r * r, q, r);
    // Biased exponent of 2^n from k's low bits (mod 2^32, as in scaled_exp_product), moved by
    // -+96 in the scaled ranges; the thresholds are tested on k (= t / ln2 + magic).
    const Expr shift = Halide::Expr(unsigned(96) << 23);
    Expr exp_field = bits(k) << 23;
    out.small = Halide::Internal::make_bool(false);
    out.big = Halide::Internal::make_bool(false);
    Expr sc = f32(1.0f);
    if (t_min < -kTwoSidedScaleAt) {
        out.small = k < f32(magic - kTwoSidedScaleAt * log2e);
        exp_field = exp_field + select(out.small, shift, Halide::Expr(0u));
        sc = select(out.small, f32(0x1p-96f), sc);
    }
    if (t_max > kTwoSidedScaleAt) {
        out.big = k > f32(magic + kTwoSidedScaleAt * log2e);
        exp_field = exp_field - select(out.big, shift, Halide::Expr(0u));
        sc = select(out.big, f32(0x1p96f), sc);
    }
    out.two_n = from_bits(exp_field);
    out.e = fused_mul_add(out.two_n, out.u, out.two_n);
    out.sc = sc;
    return out;
}

// A value v sc: v rounded once, sc a power of two the caller applies last (strictly).
struct ScaledValue {
    Expr v, sc;
};

// expm1(t) = v sc from exp_parts: 2^n u + (2^n - 1) with one rounding (2^n - 1 is exact for
// -24 <= n <= 24, and its rounding beyond is below 2^-24 of the result): no cancellation near
// t = 0, where n = 0 and expm1 = u. Below t = -40 it is -1 (e^t < 2^-57); above t = 40 it is e^t
// (scaled: v = e, sc = 2^96). elu's and celu's accuracy tests (ULPSTAT) measure 1.0 ULP for
// expm1(x) itself (alpha = 1) and 2.9 ULP at most for alpha expm1(x / alpha) with alpha = -1.5,
// where t > 0. expm1(-0) comes out +0: callers that keep the sign of zero select it.
inline ScaledValue expm1_parts(const ExpParts &p) {
    using Halide::select;
    Expr v = fused_mul_add(p.two_n, p.u, p.two_n - f32(1.0f));
    v = select(p.small, f32(-1.0f), p.big, p.e, v);
    return {Halide::Internal::simplify(v), p.sc};
}

// log(1 + e^t) for t <= 0 (the caller guarantees it: p.big must be false), from exp_parts, with
// w = e^t in (0, 1]. Below t = -40, log(1 + w) = w to 2^-58: v = e, sc = 2^-96 (subnormal results
// keep one rounding). Above, two forms; softplus's accuracy test (ULPSTAT) gives the figures:
// - With FMA: log(1 + w) = w + w^2 g(w), w = p.e (rounded once), g a degree-8 minimax fit (float32
//   coefficients) of (log1p(w) - w) / w^2 on [0, 1] (relative error 0.09 of 2^-24): ten FMAs, no
//   range reduction. softplus: 1.9 ULP (beta = 1), 2.6 (beta = 1.5); the reduced form below
//   measured 0.5 ULP less for 7 more operations per vector (25% of softplus's loop).
// - Without FMA each Horner step rounds twice and the direct form reached 3.4 ULP, so: log(1 + w)
//   = k ln2 + log1p(f), k = 0 and f = w for w <= sqrt2 - 1, else k = 1 and f = (1 + w)/2 - 1 =
//   (2^n u + (2^n - 1)) / 2 (exact halving, f formed from the parts with one rounding, never from
//   a rounded 1 + w); f in [sqrt(1/2) - 1, sqrt2 - 1], log1p(f) = f + f^2 (-1/2 + f P(f)), P of
//   degree 7 (minimax, relative error 0.1 of 2^-24). softplus: 1.5 ULP (beta = 1), 2.5 (1.5).
inline ScaledValue log1p_exp_parts(const ExpParts &p) {
    using Halide::select;
    Expr l;
    if (target_has_fma()) {
        static const float G[] = {-0x1.ffffd2p-2f, 0x1.554df0p-2f, -0x1.ff26dep-3f,
                                  0x1.935c8cp-3f,  -0x1.3a7a46p-3f, 0x1.b578e8p-4f,
                                  -0x1.d86158p-5f, 0x1.4b062ep-6f,  -0x1.b2f1b8p-9f};
        const Expr &w = p.e;
        Expr g = f32(G[8]);
        for (int i = 7; i >= 0; --i) g = fused_mul_add(g, w, f32(G[i]));
        l = fused_mul_add(w * w, g, w);
    } else {
        const float kLn2Hi = 0x1.62e400p-1f, kLn2Lo = 0x1.7f7d1cp-20f;
        static const float P[] = {0x1.555554p-2f, -0x1.000228p-2f, 0x1.99a008p-3f, -0x1.54723ep-3f,
                                  0x1.22da08p-3f, -0x1.0d8574p-3f, 0x1.055c1ep-3f, -0x1.38b63ap-4f};
        Expr upper = p.e > f32(0x1.a827a0p-2f);  // w > sqrt2 - 1 (the threshold need not be exact)
        Expr f = fused_mul_add(p.two_n, p.u, select(upper, p.two_n - f32(1.0f), p.two_n));
        f = f * select(upper, f32(0.5f), f32(1.0f));  // exact
        Expr q = f32(P[7]);
        for (int i = 6; i >= 0; --i) q = fused_mul_add(q, f, f32(P[i]));
        l = fused_mul_add(f * f, fused_mul_add(f, q, f32(-0.5f)), f);
        Expr kf = select(upper, f32(1.0f), f32(0.0f));
        l = fused_mul_add(kf, f32(kLn2Hi), fused_mul_add(kf, f32(kLn2Lo), l));
    }
    return {select(p.small, p.e, l), p.sc};
}

}  // namespace hact::num

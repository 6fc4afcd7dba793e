// Helpers shared by hact's C++ tests: float bits, ULP measure, guarded aligned buffers, ISA
// selection, random inputs, the test-case lists built from the registry + references, the fixtures
// of the suites parameterized by them, and the parameter-gradient reduction.
#ifndef HACT_TEST_H
#define HACT_TEST_H

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "backend.h"
#include "hact/hact.h"
#include "reference.h"

namespace hact_test {

using ld = long double;

// ---- float bits ------------------------------------------------------------------------------
template <class To, class From>
inline To bit_cast_to(From f) {
    static_assert(sizeof(To) == sizeof(From), "same size");
    To t;
    std::memcpy(&t, &f, sizeof t);
    return t;
}
inline uint32_t bits(float f) { return bit_cast_to<uint32_t>(f); }
inline float from_bits(uint32_t u) { return bit_cast_to<float>(u); }
inline uint64_t bits64(double d) { return bit_cast_to<uint64_t>(d); }
inline double from_bits64(uint64_t u) { return bit_cast_to<double>(u); }
// The value of a float16 / bfloat16 element, exact, from the bits (no compiler half type
// needed: g++ 12 has none in C++ on AArch64).
inline float f16_to_float(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    if (exp == 0x1f) return from_bits(sign | 0x7f800000u | (man << 13));  // inf, NaN (payload kept)
    if (exp == 0) {                                                        // zero, subnormal: man 2^-24
        const float mag = std::ldexp((float)man, -24);
        return sign ? -mag : mag;
    }
    return from_bits(sign | ((exp + 112u) << 23) | (man << 13));  // rebias 15 -> 127
}
inline float bf16_to_float(uint16_t h) { return from_bits((uint32_t)h << 16); }

// "0x3f800000 (1)" for messages.
inline std::string describe(float f) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "0x%08" PRIx32 " (%.9g)", bits(f), (double)f);
    return buf;
}
inline std::string describe_ld(ld v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.12Lg", v);
    return buf;
}
// Same bits, or both NaN (the spec asks for a NaN, not for a payload).
inline bool same_result(float a, float b) {
    return bits(a) == bits(b) || (std::isnan(a) && std::isnan(b));
}
inline bool same_result(double a, double b) {
    return bits64(a) == bits64(b) || (std::isnan(a) && std::isnan(b));
}

// ---- ULPs ------------------------------------------------------------------------------------
// Spacing of float32 at |r|: 2^(e-23) for |r| in [2^e, 2^(e+1)); below FLT_MIN the spacing of the
// smallest normal, 2^-149 (the spec's rule for subnormal references); above FLT_MAX that of FLT_MAX.
inline ld ulp_f32(ld r) {
    r = fabsl(r);
    if (!(r >= (ld)FLT_MIN)) return ldexpl(1.0L, -149);
    int e;
    frexpl(r, &e);  // r = m * 2^e, m in [0.5, 1): r in [2^(e-1), 2^e)
    if (e > 128) e = 128;
    return ldexpl(1.0L, e - 24);
}

// Error of a float32 result against a long-double reference, in units of `unit` (an ULP size).
// NaN reference: 0 if got is NaN, else infinite. A reference whose float32 rounding is infinite
// must be met exactly; a NaN or an infinity in `got` where the reference is finite is infinite.
inline double error_in(float got, ld ref, ld unit) {
    if (std::isnan(ref)) return std::isnan(got) ? 0.0 : INFINITY;
    if (std::isnan(got)) return INFINITY;
    const float rounded = (float)ref;  // x87 -> float: one correct rounding
    if (std::isinf(rounded) || std::isinf(got)) return got == rounded ? 0.0 : INFINITY;
    return (double)(fabsl((ld)got - ref) / unit);
}
inline double ulp_error(float got, ld ref) { return error_in(got, ref, ulp_f32(ref)); }

// ---- ISA selection ---------------------------------------------------------------------------
inline const std::vector<hact_isa>& all_isas() {
    // The variants of the family this program is compiled for (a build generates one family).
#if defined(__aarch64__)
    static const std::vector<hact_isa> v = {HACT_ISA_NEON, HACT_ISA_NEON_FP16};
#else
    static const std::vector<hact_isa> v = {HACT_ISA_X86_64, HACT_ISA_AVX2, HACT_ISA_AVX512};
#endif
    return v;
}
// The CPU variants and the CUDA device (backend.h): what the op suites run on.
inline const std::vector<hact_isa>& all_backends() {
    static const std::vector<hact_isa> v = [] {
        std::vector<hact_isa> all = all_isas();
        all.push_back(kCudaBackend);
        return all;
    }();
    return v;
}
inline std::string isa_label(hact_isa isa) {
    if (isa == kCudaBackend) return "cuda";
    const char* n = hact_isa_name(isa);
    return n ? n : "isa" + std::to_string((int)isa);
}
// Restores the process-wide cap to the best variant when the scope ends.
struct IsaCap {
    explicit IsaCap(hact_isa isa) : status(hact_set_max_isa(isa)) {}
    ~IsaCap() { hact_set_max_isa(HACT_ISA_LAST); }
    IsaCap(const IsaCap&) = delete;
    IsaCap& operator=(const IsaCap&) = delete;
    hact_status status;
};
// Skip the test if the variant cannot run here, else cap at it while `guard_` (a
// std::optional<IsaCap>) holds the cap, and check that calls run on it.
#define HACT_TEST_CAP_ISA(guard_, isa_)                                                           \
    if (!hact_isa_available(isa_))                                                                \
        GTEST_SKIP() << "CPU lacks " << ::hact_test::isa_label(isa_)                              \
                     << " (or this build does not include that variant)";                         \
    (guard_).emplace(isa_);                                                                       \
    ASSERT_EQ((guard_)->status, HACT_OK) << hact_last_error();                                    \
    ASSERT_EQ(hact_get_isa(), (isa_)) << "hact_set_max_isa(" << ::hact_test::isa_label(isa_)      \
                                       << ") did not select it"
// In a TEST body: the same, the cap held until the end of the enclosing scope. (Value-parameterized
// suites whose cases name an ISA use the IsaTest fixture below instead.)
#define HACT_TEST_USE_ISA(isa_)                                                                   \
    std::optional<::hact_test::IsaCap> hact_isa_cap_guard_;                                       \
    HACT_TEST_CAP_ISA(hact_isa_cap_guard_, isa_)

// ---- guarded, aligned buffers ----------------------------------------------------------------
// n floats at `misalign` elements past a 64-byte boundary, with kGuard sentinel floats before and
// after; guards_intact() says whether anything outside [data, data + n) was written.
class GuardedBuffer {
  public:
    static constexpr size_t kGuard = 64;  // 256 bytes: keeps the base 64-byte aligned
    static constexpr uint32_t kSentinel = 0xDEADBEEFu;

    GuardedBuffer(size_t n, size_t misalign = 0) : n_(n), misalign_(misalign) {
        const size_t total = kGuard + misalign + n + kGuard;
        const size_t bytes = (total * sizeof(float) + 63) / 64 * 64;
        base_ = static_cast<float*>(std::aligned_alloc(64, bytes));
        if (!base_) throw std::bad_alloc();
        total_ = total;
        for (size_t i = 0; i < total_; ++i) base_[i] = from_bits(kSentinel);
    }
    ~GuardedBuffer() { std::free(base_); }
    GuardedBuffer(const GuardedBuffer&) = delete;
    GuardedBuffer& operator=(const GuardedBuffer&) = delete;

    float* data() { return base_ + kGuard + misalign_; }
    const float* data() const { return base_ + kGuard + misalign_; }
    float& operator[](size_t i) { return data()[i]; }
    size_t size() const { return n_; }
    void fill(const float* src) {
        if (n_) std::memcpy(data(), src, n_ * sizeof(float));  // src may be NULL when n_ is 0
    }
    void fill_sentinel() {
        for (size_t i = 0; i < n_; ++i) data()[i] = from_bits(kSentinel);
    }
    bool guards_intact() const {
        const float* d = data();
        for (const float* p = base_; p < d; ++p)
            if (bits(*p) != kSentinel) return false;
        for (const float* p = d + n_; p < base_ + total_; ++p)
            if (bits(*p) != kSentinel) return false;
        return true;
    }
    bool untouched() const {  // guards and data all still the sentinel
        for (size_t i = 0; i < total_; ++i)
            if (bits(base_[i]) != kSentinel) return false;
        return true;
    }

  private:
    float* base_ = nullptr;
    size_t n_, misalign_, total_ = 0;
};

// ---- random inputs ---------------------------------------------------------------------------
// ---- sample density ----------------------------------------------------------------------------
// HACT_TEST_THIN=k (k >= 1, default 1) takes every k-th point of the dense accuracy sweeps: the
// AArch64 suite runs under qemu, where the long-double reference (IEEE quad, in software on
// AArch64) costs ~10 us a point; the cross build sets k (tests/CMakeLists.txt). Bounds and
// assertions are unchanged; the number of points tested is reported by each test.
inline uint32_t thinning() {
    static const uint32_t k = [] {
        const char* e = std::getenv("HACT_TEST_THIN");
        const long v = e ? std::strtol(e, nullptr, 10) : 1;
        return v >= 1 ? (uint32_t)v : 1u;
    }();
    return k;
}
// A sweep stride made k times sparser, kept odd (an even stride would skip odd mantissas).
inline uint64_t thinned_stride(uint64_t stride) { return thinning() == 1 ? stride : (stride * thinning()) | 1u; }

inline std::mt19937_64 rng(uint64_t seed) { return std::mt19937_64(seed); }
inline float uniform(std::mt19937_64& g, double lo, double hi) {
    return (float)std::uniform_real_distribution<double>(lo, hi)(g);
}
// Upstream gradients: random sign, magnitude in [2^-4, 2^4), log-uniform.
inline float random_dy(std::mt19937_64& g) {
    const double e = std::uniform_real_distribution<double>(-4.0, 4.0)(g);
    const double s = (g() & 1) ? -1.0 : 1.0;
    return (float)(s * std::exp2(e));
}
// n values uniform in [lo, hi) and n upstream gradients (random_dy), drawn in order from g.
inline std::vector<float> uniform_floats(std::mt19937_64& g, size_t n, double lo, double hi) {
    std::vector<float> v(n);
    for (float& f : v) f = uniform(g, lo, hi);
    return v;
}
inline std::vector<float> random_dys(std::mt19937_64& g, size_t n) {
    std::vector<float> v(n);
    for (float& f : v) f = random_dy(g);
    return v;
}

// ---- test cases from the registry ------------------------------------------------------------
// Every op of the registry, through its reference (tests/reference/<op>.h).
using hact_ref::OpRef;
inline const std::vector<OpRef>& ops() { return hact_ref::ops(); }

struct OpParams {
    const OpRef* op;
    size_t param_index;
    const hact_ref::NamedParams& named() const { return op->param_sets[param_index]; }
    const hact_params& params() const { return named().params; }
    hact_ref::Params ref_params() const { return hact_ref::from_hact(params()); }
    std::string label() const { return std::string(op->name) + "_" + named().label; }
};
inline std::vector<OpParams> all_op_params() {
    std::vector<OpParams> v;
    for (const OpRef& op : ops())
        for (size_t i = 0; i < op.param_sets.size(); ++i) v.push_back({&op, i});
    return v;
}

struct OpIsa {  // op x param set x ISA
    OpParams op;
    hact_isa isa;
    std::string label() const { return op.label() + "_" + isa_label(isa); }
};
inline std::vector<OpIsa> all_op_isa() {
    std::vector<OpIsa> v;
    for (const OpParams& p : all_op_params())
        for (hact_isa isa : all_backends()) v.push_back({p, isa});
    return v;
}
// The same without the CUDA backend: suites about CPU-only behaviour (threads).
inline std::vector<OpIsa> all_op_cpu_isa() {
    std::vector<OpIsa> v;
    for (const OpIsa& c : all_op_isa())
        if (c.isa != kCudaBackend) v.push_back(c);
    return v;
}
struct OpOnlyIsa {  // op (default parameters) x ISA
    const OpRef* op;
    hact_isa isa;
    std::string label() const { return std::string(op->name) + "_" + isa_label(isa); }
};
inline std::vector<OpOnlyIsa> all_ops_by_isa() {
    std::vector<OpOnlyIsa> v;
    for (const OpRef& op : ops())
        for (hact_isa isa : all_isas()) v.push_back({&op, isa});
    return v;
}

// ---- fixtures -----------------------------------------------------------------------------------
// A value-parameterized suite whose case (Case::isa) names an ISA or the CUDA backend: every test
// is skipped (with the reason) if it cannot run here; a CPU variant runs capped at it
// (HACT_TEST_CAP_ISA in SetUp; the cap is lifted when the fixture is destroyed), and the run_*
// calls of backend.h go to the case's backend.
template <class Case>
class IsaTest : public ::testing::TestWithParam<Case> {
  protected:
    void SetUp() override {
        const hact_isa b = this->GetParam().isa;
        if (b == kCudaBackend) {
            const std::string why = backend_unavailable(b);
            if (!why.empty()) GTEST_SKIP() << why;
        } else {
            HACT_TEST_CAP_ISA(cap_, b);
        }
        set_backend(b);
    }
    void TearDown() override { set_backend(static_cast<hact_isa>(0)); }

  private:
    std::optional<IsaCap> cap_;
};
// An op x parameter set x ISA suite (Case::op is an OpParams): the case `c`, its op's reference
// `op`, and its parameters as hact takes them (`hp`) and in long double (`p`).
template <class Case = OpIsa>
class OpTest : public IsaTest<Case> {
  protected:
    const Case& c = this->GetParam();
    const OpRef& op = *c.op.op;
    const hact_params hp = c.op.params();
    const hact_ref::Params p = c.op.ref_params();
};

// gtest printing of the case types: their labels.
inline void PrintTo(const OpParams& c, std::ostream* os) { *os << c.label(); }
inline void PrintTo(const OpIsa& c, std::ostream* os) { *os << c.label(); }
inline void PrintTo(const OpOnlyIsa& c, std::ostream* os) { *os << c.label(); }

// gtest name generator: the case's label().
struct LabelName {
    template <class P>
    std::string operator()(const ::testing::TestParamInfo<P>& info) const {
        return info.param.label();
    }
};
struct IsaName {
    std::string operator()(const ::testing::TestParamInfo<hact_isa>& info) const {
        return isa_label(info.param);
    }
};

// The reduction tolerance of hact_backward_params (documented in reference.h).
inline ld pgrad_tolerance(ld sum_abs_terms, size_t n) {
    return 8.0L * ldexpl(1.0L, -24) * sum_abs_terms + (ld)n * 1e-34L;
}

// The long-double reduction hact_backward_params is checked against, for field k of the op:
// sum_i dy[i] * df/dp_k(x[i]) over n elements, the sum of the terms' magnitudes, and the
// tolerance (pgrad_tolerance) that goes with them.
struct PgradRef {
    ld sum = 0, sum_abs = 0, tolerance = 0;
};
inline PgradRef pgrad_reference(const OpRef& op, int k, const hact_ref::Params& p, const float* x,
                                const float* dy, size_t n) {
    PgradRef r;
    for (size_t i = 0; i < n; ++i) {
        const ld t = (ld)dy[i] * op.param_derivative(k, x[i], p);
        r.sum += t;
        r.sum_abs += fabsl(t);
    }
    r.tolerance = pgrad_tolerance(r.sum_abs, n);
    return r;
}

}  // namespace hact_test

#endif

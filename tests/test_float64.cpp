// float64 (HACT_F64): every op x parameter set x backend (the CPU ISAs and CUDA) x direction
// against the long-double reference, the special values against the float32 kernels', parameter
// gradients, and the GLU and strided entry points against the flat float64 calls.
//
// Error measure: as float32's (tests/reference/reference.h) in float64 ULPs: ulp64(r) = spacing of
// double at |r| (2^-1074 below DBL_MIN); backward errors in ULPs of the larger of dy f'(x) and
// |dy| * derivative_scale(x) (the largest term of f': the measure near a root of f').
// The bound on CPUs, kBoundUlp, is float32's spec bound (4 ULP) for every op and direction; the
// results measured are in docs/accuracy.md ("float64"). Results below DBL_MIN (subnormal doubles:
// the far tails of gelu and the logistic family) are held to the same bound in units of 2^-1074
// (kSubnormalUlp) and reported apart: the kernels build such results scaled by 2^512 and unscale
// them once (generators/float64.h, exp_tail), so gradual underflow costs only the last rounding.
// The long-double reference is 2^11 times finer than double: its own rounding adds < 0.01 ULP,
// except where it amplifies an argument's rounding (erfc far in gelu's tail: < 0.7 ULP at
// x = -37).
// On CUDA the same formulas call libdevice instead of glibc (generators/float64.h). CUDA documents
// its double exp, expm1, log1p and tanh within 1 ULP and erfc within 5 (glibc's are within about
// 0.5 and 1 here), so the CUDA bound is the CPU bound plus that difference: 5 ULP, 9 for gelu
// (erfc). Written before any GPU run: the GPU session records what is measured and tightens it.
#include "hact_test.h"

#include <algorithm>
#include <cfloat>

namespace {
using namespace hact_test;

constexpr double kBoundUlp = 4.0;
constexpr double kSubnormalUlp = 4.0;
// The bound for a case: the CPU's, or CUDA's (libdevice's documented errors, above).
double bound_ulp(const OpParams& op, hact_isa backend) {
    if (backend != kCudaBackend) return kBoundUlp;
    return op.op->op == hact_op_gelu ? kBoundUlp + 5.0 : kBoundUlp + 1.0;
}

inline ld ulp_f64(ld r) {
    r = fabsl(r);
    if (!(r >= (ld)DBL_MIN)) return ldexpl(1.0L, -1074);
    int e;
    frexpl(r, &e);
    if (e > 1024) e = 1024;
    return ldexpl(1.0L, e - 53);
}
// As error_in (hact_test.h), for double results.
inline double error_in64(double got, ld ref, ld unit) {
    if (std::isnan(ref)) return std::isnan(got) ? 0.0 : INFINITY;
    if (std::isnan(got)) return INFINITY;
    const double rounded = (double)ref;
    if (std::isinf(rounded) || std::isinf(got)) return got == rounded ? 0.0 : INFINITY;
    return (double)(fabsl((ld)got - ref) / unit);
}
std::string describe64(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

enum class Dir { Forward, BackwardOnes, BackwardRandom };
const char* dir_label(Dir d) { return d == Dir::Forward ? "fwd" : d == Dir::BackwardOnes ? "bwd_dy1" : "bwd_dyrand"; }

struct F64Case {
    OpParams op;
    hact_isa isa;
    Dir dir;
    std::string label() const { return op.label() + "_" + dir_label(dir) + "_" + isa_label(isa); }
};
void PrintTo(const F64Case& c, std::ostream* os) { *os << c.label(); }
std::vector<F64Case> cases() {
    std::vector<F64Case> v;
    for (const OpParams& p : all_op_params())
        for (Dir d : {Dir::Forward, Dir::BackwardOnes, Dir::BackwardRandom})
            for (hact_isa isa : all_backends()) v.push_back({p, isa, d});
    return v;
}

// Inputs: random bit patterns over the whole format (every exponent, both signs), evenly spaced
// values where activations live and in their tails (to |x| = 800, beyond every underflow), the
// op's own delicate ranges (its float32 dense ranges), tiny magnitudes, and the format's edges.
std::vector<double> inputs(const OpParams& op) {
    std::vector<double> v;
    auto g = rng(0xF64);
    const int thin = (int)thinning();
    for (int k = 0; k < 200000 / thin; ++k) v.push_back(from_bits64(g()));
    auto spaced = [&](ld lo, ld hi, int count) {
        count /= thin;
        for (int k = 0; k < count; ++k) {
            // evenly spaced, jittered within the cell so that values are not all short decimals
            const ld t = (k + std::uniform_real_distribution<double>(0.0, 1.0)(g)) / count;
            v.push_back((double)(lo + (hi - lo) * t));
        }
    };
    spaced(-10, 10, 100000);
    spaced(-60, 60, 50000);
    spaced(-800, 800, 20000);
    for (const hact_ref::Range& r : op.op->dense_ranges(op.ref_params())) spaced(r.lo, r.hi, 20000);
    for (int k = 0; k < 20000 / thin; ++k) {  // |x| in [2^-60, 1], log-uniform, both signs
        const double m = std::exp2(std::uniform_real_distribution<double>(-60.0, 0.0)(g));
        v.push_back((g() & 1) ? -m : m);
    }
    for (double d : {0.0, DBL_MIN, DBL_MAX, DBL_TRUE_MIN, 1.0, (double)FLT_MAX, (double)INFINITY, (double)NAN}) {
        v.push_back(d);
        v.push_back(-d);
    }
    return v;
}

class Float64Accuracy : public OpTest<F64Case> {};

TEST_P(Float64Accuracy, WithinBound) {
    const bool fwd = c.dir == Dir::Forward;
    const std::vector<double> x = inputs(c.op);
    const size_t n = x.size();
    std::vector<double> dy(n, 1.0), out(n, NAN);
    if (c.dir == Dir::BackwardRandom) {
        auto g = rng(0xD64);
        for (double& d : dy) d = (double)random_dy(g) * (1.0 + std::uniform_real_distribution<double>(0.0, 0x1p-20)(g));
    }
    const hact_status s = fwd ? run_forward(op.op, HACT_F64, x.data(), out.data(), n, &hp)
                              : run_backward(op.op, HACT_F64, x.data(), dy.data(), out.data(), n, &hp);
    ASSERT_EQ(s, HACT_OK) << hact_last_error();

    const double bound = bound_ulp(c.op, c.isa), bound_sub = c.isa == kCudaBackend ? bound : kSubnormalUlp;
    double max_err = 0, max_sub = 0, sum_err = 0;
    size_t worst = 0, worst_sub = 0, counted = 0, over = 0;
    std::string examples;
    for (size_t i = 0; i < n; ++i) {
        const ld ref = fwd ? op.forward(x[i], p) : (ld)dy[i] * op.derivative(x[i], p);
        ld unit = ulp_f64(ref);
        if (!fwd) unit = std::max(unit, ulp_f64(fabsl((ld)dy[i]) * op.derivative_scale(x[i], p)));
        const double e = error_in64(out[i], ref, unit);
        const bool subnormal = std::isfinite(ref) && fabsl(ref) < (ld)DBL_MIN && unit <= ldexpl(1.0L, -1074);
        double& m = subnormal ? max_sub : max_err;
        size_t& w = subnormal ? worst_sub : worst;
        if (!(e <= m)) m = e, w = i;
        if (std::isfinite(e)) sum_err += e, ++counted;
        if (!(e <= (subnormal ? bound_sub : bound)) && ++over <= 8)
            examples += "\n  x=" + describe64(x[i]) + " dy=" + describe64(dy[i]) + " got=" + describe64(out[i]) +
                        " expected=" + describe_ld(ref) + " err=" + std::to_string(e);
    }
    std::printf("ULPSTAT64\t%s\t%s\t%s\t%s\tmax=%.4g\tmean=%.4g\tsubnormal_max=%.4g\tn=%zu\tworst_x=%s\n",
                op.name, c.op.named().label.c_str(), dir_label(c.dir), isa_label(c.isa).c_str(), max_err,
                counted ? sum_err / (double)counted : 0.0, max_sub, n, describe64(x[worst]).c_str());
    RecordProperty("max_ulp", std::to_string(max_err));
    RecordProperty("subnormal_max_ulp", std::to_string(max_sub));
    EXPECT_LE(max_err, bound) << "worst x=" << describe64(x[worst]);
    EXPECT_LE(max_sub, bound_sub) << "worst subnormal-result x=" << describe64(x[worst_sub]);
    EXPECT_EQ(over, 0u) << over << " of " << n << " samples over the bound; first:" << examples;
}

INSTANTIATE_TEST_SUITE_P(All, Float64Accuracy, ::testing::ValuesIn(cases()), LabelName());

// ---- special values: the float64 kernels give what the float32 kernels give -------------------
// At x in {+-0, +-inf, NaN} (and dy in {+-1, 0, 2.5, NaN}) the two must agree on every special
// result: NaN, an infinity, a zero and its sign, bit for bit. A finite nonzero float32 result is
// a value such as log(2) or a parameter times dy, which float64 computes more precisely: there the
// float64 result must be finite, of the same sign, and round to within 2 float32 ULPs of it.
class Float64Specials : public OpTest<OpIsa> {};

bool same_special(double a64, float b32) {
    if (std::isnan(b32) || std::isnan(a64)) return std::isnan(b32) && std::isnan(a64);
    if (std::isinf(b32) || b32 == 0.0f || std::isinf(a64) || a64 == 0.0) return bits64(a64) == bits64((double)b32);
    const float a = (float)a64;
    return std::signbit(a) == std::signbit(b32) &&
           std::fabs((double)a - (double)b32) <= 2.0 * (double)(std::nextafter(std::fabs(b32), INFINITY) - std::fabs(b32));
}

TEST_P(Float64Specials, MatchFloat32) {
    const std::vector<float> xs = {0.0f, -0.0f, INFINITY, -INFINITY, NAN};
    const std::vector<float> dys = {1.0f, -1.0f, 0.0f, 2.5f, NAN};
    for (float xv : xs) {
        for (float dyv : dys) {
            float y32, dx32;
            double y64, dx64, xd = xv, dyd = dyv;
            ASSERT_EQ(run_forward(op.op, HACT_F32, &xv, &y32, 1, &hp), HACT_OK) << hact_last_error();
            ASSERT_EQ(run_forward(op.op, HACT_F64, &xd, &y64, 1, &hp), HACT_OK) << hact_last_error();
            ASSERT_EQ(run_backward(op.op, HACT_F32, &xv, &dyv, &dx32, 1, &hp), HACT_OK) << hact_last_error();
            ASSERT_EQ(run_backward(op.op, HACT_F64, &xd, &dyd, &dx64, 1, &hp), HACT_OK) << hact_last_error();
            EXPECT_TRUE(same_special(y64, y32))
                << op.name << " forward at x=" << describe(xv) << ": float64 " << describe64(y64)
                << ", float32 " << describe(y32);
            EXPECT_TRUE(same_special(dx64, dx32))
                << op.name << " backward at x=" << describe(xv) << " dy=" << describe(dyv) << ": float64 "
                << describe64(dx64) << ", float32 " << describe(dx32);
        }
    }
}
INSTANTIATE_TEST_SUITE_P(All, Float64Specials, ::testing::ValuesIn(all_op_isa()), LabelName());

// ---- parameter gradients: float32-representable inputs, the float32 tests' reference ----------
class Float64ParamGrad : public OpTest<OpIsa> {};

TEST_P(Float64ParamGrad, MatchesLongDoubleReduction) {
    if (!op.learnable) GTEST_SKIP() << op.name << " has no learnable parameter (float32's test checks the zeros)";
    auto g = rng(0x64A + (uint64_t)c.isa);
    for (size_t n : {size_t{1}, size_t{33}, size_t{100003}}) {
        for (double range : {1.0, 10.0, 120.0}) {
            // Under emulation (HACT_TEST_THIN > 1), the parallel size in one range only (as
            // test_param_grad.cpp): float64's libm calls are slow under qemu.
            if (n > 1000 && thinning() > 1 && range != 10.0) continue;
            SCOPED_TRACE("n=" + std::to_string(n) + " |x| <= " + std::to_string(range));
            const std::vector<float> x = uniform_floats(g, n, -range, range), dy = random_dys(g, n);
            const std::vector<double> xd(x.begin(), x.end()), dyd(dy.begin(), dy.end());
            hact_params grad;
            ASSERT_EQ(run_backward_params(op.op, HACT_F64, xd.data(), dyd.data(), n, &hp, &grad), HACT_OK)
                << hact_last_error();
            for (int k = 0; k < hact_ref::kNumFields; ++k) {
                if (!(op.learnable >> k & 1u)) {
                    EXPECT_EQ(bits(hact_ref::field(grad, k)), 0u) << hact_ref::field_name(k);
                    continue;
                }
                const PgradRef ref = pgrad_reference(op, k, p, x.data(), dy.data(), n);
                EXPECT_LE(fabsl((ld)hact_ref::field(grad, k) - ref.sum), ref.tolerance)
                    << op.name << " d" << hact_ref::field_name(k) << ": got " << describe(hact_ref::field(grad, k))
                    << ", expected " << describe_ld(ref.sum);
            }
        }
    }
}
INSTANTIATE_TEST_SUITE_P(All, Float64ParamGrad, ::testing::ValuesIn(all_op_isa()), LabelName());

// ---- GLU and strided entry points: the flat float64 kernels' results, bit for bit -------------
// GLU on every backend (its calls through backend.h); the strided tensors on the CPU variants
// (test_strided.cpp runs CUDA tensors).
struct Backend {
    hact_isa isa;
    std::string label() const { return isa_label(isa); }
};
void PrintTo(const Backend& b, std::ostream* os) { *os << b.label(); }
std::vector<Backend> backends() {
    std::vector<Backend> v;
    for (hact_isa isa : all_backends()) v.push_back({isa});
    return v;
}
class Float64Glu : public IsaTest<Backend> {};

TEST_P(Float64Glu, MatchesComposedFlatCalls) {
    auto g = rng(0x61D);
    const size_t n = 4099;
    std::vector<double> a(n), b(n), dy(n);
    for (size_t i = 0; i < n; ++i) a[i] = uniform(g, -12, 12), b[i] = uniform(g, -3, 3), dy[i] = random_dy(g);
    for (int k = 0; k < hact_glu_count(); ++k) {
        const hact_glu kind = (hact_glu)k;
        const hact_op gate = hact_glu_gate(kind);
        SCOPED_TRACE(hact_glu_name(kind));
        std::vector<double> out(n), ga(n), da(n), db(n), dyb(n), want_da(n);
        ASSERT_EQ(run_glu_forward(kind, HACT_F64, a.data(), b.data(), out.data(), n, nullptr), HACT_OK)
            << hact_last_error();
        ASSERT_EQ(run_forward(gate, HACT_F64, a.data(), ga.data(), n, nullptr), HACT_OK) << hact_last_error();
        ASSERT_EQ(run_glu_backward(kind, HACT_F64, a.data(), b.data(), dy.data(), da.data(), db.data(), n, nullptr),
                  HACT_OK)
            << hact_last_error();
        for (size_t i = 0; i < n; ++i) dyb[i] = dy[i] * b[i];
        ASSERT_EQ(run_backward(gate, HACT_F64, a.data(), dyb.data(), want_da.data(), n, nullptr), HACT_OK);
        for (size_t i = 0; i < n; ++i) {
            ASSERT_EQ(bits64(out[i]), bits64(ga[i] * b[i])) << "out at a=" << describe64(a[i]);
            ASSERT_EQ(bits64(db[i]), bits64(dy[i] * ga[i])) << "db at a=" << describe64(a[i]);
            ASSERT_EQ(bits64(da[i]), bits64(want_da[i])) << "da at a=" << describe64(a[i]);
        }
    }
}
INSTANTIATE_TEST_SUITE_P(All, Float64Glu, ::testing::ValuesIn(backends()), LabelName());

class Float64Entry : public ::testing::TestWithParam<hact_isa> {};

TEST_P(Float64Entry, StridedViewsMatchContiguous) {
    HACT_TEST_USE_ISA(GetParam());
    auto g = rng(0x57D);
    // A [rows x cols] view that takes every other column of a [rows x 2 cols] array, rows reversed.
    const int64_t rows = 37, cols = 129;
    std::vector<double> base((size_t)(rows * 2 * cols)), out_base(base.size(), 0.0);
    for (double& d : base) d = uniform(g, -20, 20);
    const int64_t shape[2] = {rows, cols}, strides[2] = {-2 * cols, 2};
    for (int k = 0; k < hact_op_count(); ++k) {
        const hact_op opk = (hact_op)k;
        SCOPED_TRACE(hact_op_name(opk));
        double *x0 = base.data() + (rows - 1) * 2 * cols, *y0 = out_base.data() + (rows - 1) * 2 * cols;
        const hact_tensor xt = hact_tensor_make(x0, HACT_F64, 2, shape, strides);
        const hact_tensor yt = hact_tensor_make(y0, HACT_F64, 2, shape, strides);
        ASSERT_EQ(hact_forward_tensor(opk, &xt, &yt, nullptr), HACT_OK) << hact_last_error();
        std::vector<double> xc, yc;
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t col = 0; col < cols; ++col) xc.push_back(x0[-r * 2 * cols + 2 * col]);
        yc.resize(xc.size());
        ASSERT_EQ(hact_forward(opk, HACT_F64, xc.data(), yc.data(), xc.size(), nullptr), HACT_OK);
        size_t i = 0;
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t col = 0; col < cols; ++col, ++i)
                ASSERT_EQ(bits64(y0[-r * 2 * cols + 2 * col]), bits64(yc[i])) << "element (" << r << ", " << col << ")";
    }
}
INSTANTIATE_TEST_SUITE_P(All, Float64Entry, ::testing::ValuesIn(all_isas()), IsaName());

}  // namespace

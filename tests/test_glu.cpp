// 8. The GLU family (include/hact/glu.def): out = g(a) b, da = dy b g'(a), db = dy g(a), for every
// kind x backend (the CPU variants, and the CUDA device through hact_cuda_glu_* where one is
// present: backend.h): accuracy against the gate's long-double reference (bound: the gate's plus one
// rounding of the product, written below), the split form against the two-tensor form bit for bit
// (both gated halves, several shapes, in place), and the argument errors.
#include "hact_test.h"

namespace {
using namespace hact_test;

const OpRef& gate_ref(hact_glu kind) {
    const hact_op gate = hact_glu_gate(kind);
    for (const OpRef& r : ops())
        if (r.op == gate) return r;
    throw std::runtime_error("no reference for the gate");
}

struct GluIsa {
    hact_glu kind;
    hact_isa isa;
    std::string label() const { return std::string(hact_glu_name(kind)) + "_" + isa_label(isa); }
};
void PrintTo(const GluIsa& c, std::ostream* os) { *os << c.label(); }
std::vector<GluIsa> glu_cases() {
    std::vector<GluIsa> v;
    for (int k = 0; k < hact_glu_count(); ++k)
        for (hact_isa isa : all_backends()) v.push_back({(hact_glu)k, isa});
    return v;
}

class Glu : public IsaTest<GluIsa> {
  protected:
    const GluIsa& c = GetParam();
    const OpRef& g = gate_ref(c.kind);
    const hact_params hp = hact_default_params(hact_glu_gate(c.kind));
    const hact_ref::Params p = hact_ref::from_hact(hp);
};

// a across the gate's delicate ranges and a stride of all float32 bit patterns (finite), b and
// dy random with random signs and magnitudes.
std::vector<float> gate_inputs(const OpRef& g, const hact_ref::Params& p) {
    std::vector<float> v;
    for (uint64_t u = 0; u < (1ull << 32); u += thinned_stride(4099)) {
        const float f = from_bits((uint32_t)u);
        if (std::isfinite(f)) v.push_back(f);
    }
    const int count = 100003 / (int)thinning();  // HACT_TEST_THIN (emulation): fewer points
    for (const hact_ref::Range& r : g.dense_ranges(p))
        for (int k = 0; k < count; ++k) v.push_back((float)(r.lo + (r.hi - r.lo) * (k + 0.5L) / count));
    return v;
}

// Bounds: the gate's own bound plus one, for the extra rounding of the product with b or dy
// (0.5 ULP) and the rounded factor dy * b inside da (0.5 ULP), in units of the larger of the
// exact result's ULP and the rounding step of the float32 gate value it carries (see below).
TEST_P(Glu, AccuracyAgainstTheGateReference) {
    const std::vector<float> a = gate_inputs(g, p);
    const size_t n = a.size();
    auto r = rng(0x61u + (unsigned)c.kind);
    const std::vector<float> b = random_dys(r, n), dy = random_dys(r, n);
    std::vector<float> out(n), da(n), db(n);
    ASSERT_EQ(run_glu_forward(c.kind, HACT_F32, a.data(), b.data(), out.data(), n, nullptr), HACT_OK)
        << hact_last_error();
    ASSERT_EQ(run_glu_backward(c.kind, HACT_F32, a.data(), b.data(), dy.data(), da.data(), db.data(), n,
                                nullptr),
              HACT_OK)
        << hact_last_error();
    double worst[3] = {0, 0, 0};
    size_t where[3] = {0, 0, 0};
    for (size_t i = 0; i < n; ++i) {
        const ld ga = g.forward(a[i], p), dg = g.derivative(a[i], p);
        const ld exact[3] = {ga * b[i], (ld)dy[i] * b[i] * dg, (ld)dy[i] * ga};
        // The unit: the ULP of the exact result, or the gate's (or its derivative's) float32
        // rounding step carried by the product, whichever is larger. Where g(a) is subnormal
        // (sigmoid(-91) = 3e-40) its 2^-150 absolute error, times |b| up to 16, is far more
        // than an ULP of the product: hact, like PyTorch's silu(a) * b, rounds the gate first.
        const ld dyb = fabsl((ld)dy[i] * b[i]);
        const ld unit[3] = {
            std::max(ulp_f32(exact[0]), fabsl((ld)b[i]) * ulp_f32(ga)),
            std::max({ulp_f32(exact[1]), ulp_f32(dyb * g.derivative_scale(a[i], p)), dyb * ulp_f32(dg)}),
            std::max(ulp_f32(exact[2]), fabsl((ld)dy[i]) * ulp_f32(ga))};
        const double e[3] = {error_in(out[i], exact[0], unit[0]), error_in(da[i], exact[1], unit[1]),
                             error_in(db[i], exact[2], unit[2])};
        for (int k = 0; k < 3; ++k)
            if (!(e[k] <= worst[k])) worst[k] = e[k], where[k] = i;
    }
    const double bound[3] = {g.forward_ulp + 1, g.backward_ulp + 1, g.forward_ulp + 1};
    const char* what[3] = {"out", "da", "db"};
    for (int k = 0; k < 3; ++k) {
        std::printf("ULPSTAT\tglu:%s\tdefault\t%s\t%s\tmax=%.4g\tn=%zu\n", hact_glu_name(c.kind), what[k],
                    isa_label(c.isa).c_str(), worst[k], n);
        EXPECT_LE(worst[k], bound[k]) << what[k] << " at a=" << describe(a[where[k]])
                                      << " b=" << describe(b[where[k]]) << " dy=" << describe(dy[where[k]]);
    }
}

// The split form is the two-tensor form on the halves, bit for bit, for either gated half.
TEST_P(Glu, SplitMatchesTwoTensors) {
    struct Shape {
        size_t outer, half, inner;
    };
    for (Shape s : {Shape{1, 37, 1}, Shape{5, 16, 1}, Shape{3, 7, 9}, Shape{64, 33, 1}, Shape{2, 1, 1000}}) {
        const size_t row = s.half * s.inner, total = s.outer * row;
        auto r = rng(total);
        const std::vector<float> x = uniform_floats(r, 2 * total, -8, 8), dy = random_dys(r, total);
        for (int gated : {HACT_GATE_FIRST, HACT_GATE_SECOND, HACT_GATE_DEFAULT}) {
            const size_t goff = gated == HACT_GATE_FIRST ? 0 : row;
            std::vector<float> a(total), b(total);
            for (size_t o = 0; o < s.outer; ++o)
                for (size_t j = 0; j < row; ++j) {
                    a[o * row + j] = x[o * 2 * row + goff + j];
                    b[o * row + j] = x[o * 2 * row + (row - goff) + j];
                }
            std::vector<float> y(total), y_ref(total), dx(2 * total), da(total), db(total);
            ASSERT_EQ(run_glu_split_forward(c.kind, HACT_F32, x.data(), y.data(), s.outer, s.half, s.inner,
                                             gated, nullptr),
                      HACT_OK)
                << hact_last_error();
            ASSERT_EQ(run_glu_forward(c.kind, HACT_F32, a.data(), b.data(), y_ref.data(), total, nullptr), HACT_OK);
            ASSERT_EQ(run_glu_split_backward(c.kind, HACT_F32, x.data(), dy.data(), dx.data(), s.outer, s.half,
                                              s.inner, gated, nullptr),
                      HACT_OK)
                << hact_last_error();
            ASSERT_EQ(run_glu_backward(c.kind, HACT_F32, a.data(), b.data(), dy.data(), da.data(), db.data(),
                                        total, nullptr),
                      HACT_OK);
            // In place: dx over x.
            std::vector<float> inplace = x;
            ASSERT_EQ(run_glu_split_backward(c.kind, HACT_F32, inplace.data(), dy.data(), inplace.data(), s.outer,
                                              s.half, s.inner, gated, nullptr),
                      HACT_OK)
                << hact_last_error();
            for (size_t o = 0; o < s.outer; ++o)
                for (size_t j = 0; j < row; ++j) {
                    const size_t i = o * row + j, ga = o * 2 * row + goff + j, gb = o * 2 * row + (row - goff) + j;
                    ASSERT_TRUE(same_result(y[i], y_ref[i])) << "y at " << i << " gated " << gated;
                    ASSERT_TRUE(same_result(dx[ga], da[i])) << "da at " << i << " gated " << gated;
                    ASSERT_TRUE(same_result(dx[gb], db[i])) << "db at " << i << " gated " << gated;
                    ASSERT_TRUE(same_result(inplace[ga], da[i]) && same_result(inplace[gb], db[i]))
                        << "in place at " << i;
                }
        }
    }
}

// Outputs stay inside their arrays (guards), for lengths around the vector widths.
TEST_P(Glu, WritesStayInside) {
    for (size_t n : {1, 15, 16, 17, 31, 33, 100, 4097}) {
        auto r = rng(n);
        const std::vector<float> a = uniform_floats(r, n, -6, 6), b = random_dys(r, n), dy = random_dys(r, n);
        GuardedBuffer out(n, 3), da(n, 1), db(n, 2);
        ASSERT_EQ(run_glu_forward(c.kind, HACT_F32, a.data(), b.data(), out.data(), n, nullptr), HACT_OK);
        ASSERT_EQ(run_glu_backward(c.kind, HACT_F32, a.data(), b.data(), dy.data(), da.data(), db.data(), n,
                                    nullptr),
                  HACT_OK);
        EXPECT_TRUE(out.guards_intact() && da.guards_intact() && db.guards_intact()) << "n=" << n;
    }
}

INSTANTIATE_TEST_SUITE_P(All, Glu, ::testing::ValuesIn(glu_cases()), LabelName());

TEST(GluApi, NamesAndGates) {
    for (int k = 0; k < hact_glu_count(); ++k) {
        const char* name = hact_glu_name((hact_glu)k);
        ASSERT_NE(name, nullptr);
        hact_glu back;
        ASSERT_EQ(hact_glu_from_name(name, &back), HACT_OK);
        EXPECT_EQ(back, (hact_glu)k);
        EXPECT_LT((int)hact_glu_gate((hact_glu)k), hact_op_count());
    }
    EXPECT_EQ(hact_glu_gate(hact_glu_glu), hact_op_sigmoid);
    EXPECT_EQ(hact_glu_gate(hact_glu_swiglu), hact_op_silu);
    EXPECT_EQ(hact_glu_name((hact_glu)hact_glu_count()), nullptr);
    hact_glu k;
    EXPECT_EQ(hact_glu_from_name("swish_glu", &k), HACT_ERR_UNKNOWN_OP);
}

TEST(GluApi, BadArgumentsAreStatuses) {
    std::vector<float> a(64, 1.0f), b(64, 2.0f), o(64);
    auto expect = [](hact_status got, hact_status want, const char* fragment) {
        EXPECT_EQ(got, want) << hact_last_error();
        EXPECT_NE(std::string(hact_last_error()).find(fragment), std::string::npos) << hact_last_error();
    };
    expect(hact_glu_forward((hact_glu)77, HACT_F32, a.data(), b.data(), o.data(), 64, nullptr),
           HACT_ERR_UNKNOWN_OP, "hact_glu_forward");
    expect(hact_glu_forward(hact_glu_swiglu, (hact_dtype)9, a.data(), b.data(), o.data(), 64, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "dtype");
    expect(hact_glu_forward(hact_glu_swiglu, HACT_F32, nullptr, b.data(), o.data(), 64, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "a is NULL");
    expect(hact_glu_forward(hact_glu_swiglu, HACT_F32, a.data(), b.data(), a.data() + 1, 63, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "overlap");
    expect(hact_glu_backward(hact_glu_swiglu, HACT_F32, a.data(), b.data(), b.data(), o.data(), o.data(), 64,
                             nullptr),
           HACT_ERR_INVALID_ARGUMENT, "da and db overlap");
    expect(hact_glu_split_forward(hact_glu_glu, HACT_F32, a.data(), o.data(), 2, 16, 1, 5, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "gated_half");
    expect(hact_glu_split_forward(hact_glu_glu, HACT_F32, a.data(), a.data(), 2, 16, 1, HACT_GATE_DEFAULT,
                                  nullptr),
           HACT_ERR_INVALID_ARGUMENT, "layouts differ");
    expect(hact_glu_split_forward(hact_glu_glu, HACT_F32, a.data(), o.data(), SIZE_MAX / 4, 4, 4,
                                  HACT_GATE_DEFAULT, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "too large");
    EXPECT_EQ(hact_glu_forward(hact_glu_swiglu, HACT_F32, nullptr, nullptr, nullptr, 0, nullptr), HACT_OK);
}

// Regression (found by the fuzzer, tests/fuzz): the split forms added the halves' offsets to a
// NULL x or dx before checking it (undefined behaviour that UBSan reports; the half at offset 0
// was then caught as NULL). Every NULL operand of either gated half is refused, before any
// arithmetic on it, with a message naming it; the sanitizer suite (ctest -L sanitize) runs this.
TEST(GluApi, SplitFormsRefuseNullBeforeOffsets) {
    std::vector<float> x(64, 0.5f), dy(32, 1.0f), y(32, 7.0f), dx(64, 7.0f);
    for (int gated : {HACT_GATE_FIRST, HACT_GATE_SECOND, HACT_GATE_DEFAULT}) {
        SCOPED_TRACE(gated);
        EXPECT_EQ(hact_glu_split_forward(hact_glu_swiglu, HACT_F32, nullptr, y.data(), 2, 8, 2, gated, nullptr),
                  HACT_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(hact_last_error()).find("x is NULL"), std::string::npos) << hact_last_error();
        EXPECT_EQ(hact_glu_split_forward(hact_glu_swiglu, HACT_F32, x.data(), nullptr, 2, 8, 2, gated, nullptr),
                  HACT_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(hact_last_error()).find("y is NULL"), std::string::npos) << hact_last_error();
        EXPECT_EQ(hact_glu_split_backward(hact_glu_swiglu, HACT_F32, nullptr, dy.data(), dx.data(), 2, 8, 2, gated,
                                          nullptr),
                  HACT_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(hact_last_error()).find("x is NULL"), std::string::npos) << hact_last_error();
        EXPECT_EQ(hact_glu_split_backward(hact_glu_swiglu, HACT_F32, x.data(), nullptr, dx.data(), 2, 8, 2, gated,
                                          nullptr),
                  HACT_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(hact_last_error()).find("dy is NULL"), std::string::npos) << hact_last_error();
        EXPECT_EQ(hact_glu_split_backward(hact_glu_swiglu, HACT_F32, x.data(), dy.data(), nullptr, 2, 8, 2, gated,
                                          nullptr),
                  HACT_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(hact_last_error()).find("dx is NULL"), std::string::npos) << hact_last_error();
    }
    for (float v : y) EXPECT_EQ(v, 7.0f);
    for (float v : dx) EXPECT_EQ(v, 7.0f);
}

}  // namespace

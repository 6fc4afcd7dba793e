// 2. Special values (spec, "Special values"), every op x parameter set x ISA: NaN in x or dy,
// +-inf (the mathematical limits, from the reference), large |x|, signed zero. Each value is run
// alone (n = 1: the kernel's tail) and inside a 67-element array (the vector loop).
#include "hact_test.h"

namespace {
using namespace hact_test;

class SpecialValues : public OpTest<> {
  protected:
    // Forward and backward of `xs` (with `dys`) at n = 1 each and as one array.
    struct Results {
        std::vector<float> y1, dx1, yv, dxv;
    };
    Results run(const std::vector<float>& xs, const std::vector<float>& dys) const {
        const size_t m = xs.size();
        Results r;
        r.y1.assign(m, 0);
        r.dx1.assign(m, 0);
        for (size_t i = 0; i < m; ++i) {
            EXPECT_EQ(run_forward(op.op, HACT_F32, &xs[i], &r.y1[i], 1, &hp), HACT_OK) << hact_last_error();
            EXPECT_EQ(run_backward(op.op, HACT_F32, &xs[i], &dys[i], &r.dx1[i], 1, &hp), HACT_OK)
                << hact_last_error();
        }
        // In a 67-element array: the value at every position of a vector (position i % 67).
        const size_t len = 67;
        r.yv.assign(m, 0);
        r.dxv.assign(m, 0);
        std::vector<float> x(len), dy(len), y(len), dx(len);
        for (size_t i = 0; i < m; ++i) {
            for (size_t j = 0; j < len; ++j) {
                x[j] = 0.25f * (float)j - 8.0f;
                dy[j] = 1.0f;
            }
            const size_t at = (i * 7) % len;
            x[at] = xs[i];
            dy[at] = dys[i];
            EXPECT_EQ(run_forward(op.op, HACT_F32, x.data(), y.data(), len, &hp), HACT_OK);
            EXPECT_EQ(run_backward(op.op, HACT_F32, x.data(), dy.data(), dx.data(), len, &hp), HACT_OK);
            r.yv[i] = y[at];
            r.dxv[i] = dx[at];
        }
        return r;
    }
};

const uint32_t kNaNs[] = {0x7fc00000u /* quiet */, 0xffc00000u /* negative quiet */,
                          0x7fc12345u /* payload */, 0x7f800001u /* signalling */,
                          0xffffffffu /* all ones */};

TEST_P(SpecialValues, NaNInXGivesNaN) {
    std::vector<float> xs, dys;
    for (uint32_t b : kNaNs) {
        xs.push_back(from_bits(b));
        dys.push_back(1.0f);
        xs.push_back(from_bits(b));
        dys.push_back(0.0f);  // 0 * f'(NaN) is still NaN
    }
    const Results r = run(xs, dys);
    for (size_t i = 0; i < xs.size(); ++i) {
        const std::string what = "x=" + describe(xs[i]) + " dy=" + describe(dys[i]);
        EXPECT_TRUE(std::isnan(r.y1[i])) << what << " n=1 y=" << describe(r.y1[i]);
        EXPECT_TRUE(std::isnan(r.yv[i])) << what << " vector y=" << describe(r.yv[i]);
        EXPECT_TRUE(std::isnan(r.dx1[i])) << what << " n=1 dx=" << describe(r.dx1[i]);
        EXPECT_TRUE(std::isnan(r.dxv[i])) << what << " vector dx=" << describe(r.dxv[i]);
    }
}

TEST_P(SpecialValues, NaNInDyGivesNaN) {
    std::vector<float> xs, dys;
    for (float x : {-INFINITY, -1000.0f, -100.0f, -1.0f, -0.0f, 0.0f, 1.0f, 100.0f, 1000.0f, INFINITY}) {
        for (uint32_t b : {0x7fc00000u, 0xffc00000u}) {
            xs.push_back(x);
            dys.push_back(from_bits(b));
        }
    }
    const Results r = run(xs, dys);
    for (size_t i = 0; i < xs.size(); ++i) {
        EXPECT_TRUE(std::isnan(r.dx1[i])) << "x=" << describe(xs[i]) << " dy=" << describe(dys[i])
                                          << " n=1 dx=" << describe(r.dx1[i]);
        EXPECT_TRUE(std::isnan(r.dxv[i])) << "x=" << describe(xs[i]) << " dy=" << describe(dys[i])
                                          << " vector dx=" << describe(r.dxv[i]);
    }
}

// Compares with the reference: a zero reference accepts either zero (the spec allows silu(-inf)
// to be -0 or 0) except at x = +-0, where the sign must match (checked in SignedZero); an
// infinite one needs exactly that infinity; else the op's ULP bound.
void expect_near_ref(float got, ld ref, double bound, const std::string& what) {
    if (ref == 0) {
        EXPECT_EQ(got, 0.0f) << what << ": got " << describe(got) << ", expected a zero";
        return;
    }
    const double e = ulp_error(got, ref);
    EXPECT_LE(e, bound) << what << ": got " << describe(got) << ", expected " << describe_ld(ref)
                        << " (" << e << " ULP)";
}

TEST_P(SpecialValues, InfinitiesAndLargeMagnitudes) {
    std::vector<float> xs;
    for (float m : {INFINITY, FLT_MAX, 1e30f, 1e10f, 1000.0f, 150.0f, 104.0f, 100.0f, 89.0f, 88.0f}) {
        xs.push_back(m);
        xs.push_back(-m);
    }
    std::vector<float> ones(xs.size(), 1.0f), twos(xs.size(), -2.0f);
    const Results r = run(xs, ones);
    const Results r2 = run(xs, twos);
    for (size_t i = 0; i < xs.size(); ++i) {
        const ld f = op.forward(xs[i], p), d = op.derivative(xs[i], p);
        ASSERT_FALSE(std::isnan(f) || std::isnan(d)) << "reference has no limit at " << describe(xs[i]);
        const std::string at = std::string(op.name) + "(" + describe(xs[i]) + ")";
        expect_near_ref(r.y1[i], f, op.forward_ulp, at + " n=1");
        expect_near_ref(r.yv[i], f, op.forward_ulp, at + " vector");
        expect_near_ref(r.dx1[i], d, op.backward_ulp, at + "' n=1 dy=1");
        expect_near_ref(r.dxv[i], d, op.backward_ulp, at + "' vector dy=1");
        expect_near_ref(r2.dx1[i], -2 * d, op.backward_ulp, at + "' n=1 dy=-2");
        expect_near_ref(r2.dxv[i], -2 * d, op.backward_ulp, at + "' vector dy=-2");
    }
}

TEST_P(SpecialValues, SignedZero) {
    const std::vector<float> xs = {0.0f, -0.0f}, ones = {1.0f, 1.0f};
    const Results r = run(xs, ones);
    for (size_t i = 0; i < xs.size(); ++i) {
        // The reference's own zero (e.g. silu(-0) = -0/(1+1) = -0), bit for bit.
        const float want = (float)op.forward(xs[i], p);
        EXPECT_EQ(bits(r.y1[i]), bits(want)) << op.name << "(" << describe(xs[i]) << ") n=1: got "
                                             << describe(r.y1[i]) << ", expected " << describe(want);
        EXPECT_EQ(bits(r.yv[i]), bits(want)) << op.name << "(" << describe(xs[i]) << ") vector: got "
                                             << describe(r.yv[i]) << ", expected " << describe(want);
        const ld d = op.derivative(xs[i], p);
        EXPECT_LE(ulp_error(r.dx1[i], d), op.backward_ulp) << "derivative at " << describe(xs[i]);
        EXPECT_LE(ulp_error(r.dxv[i], d), op.backward_ulp) << "derivative at " << describe(xs[i]);
    }
}

// The spec's example: silu(-100) ~ -3.72e-42, a subnormal float32 (no flush to zero, no overflow
// of an intermediate). Checked for every op through its reference at x = -100 and at the
// subnormal inputs; this case names the spec's number explicitly for silu.
TEST_P(SpecialValues, SubnormalResultsAndInputs) {
    if (op.op == hact_op_silu) {
        const ld ref = op.forward(-100.0f, p);
        ASSERT_LT(fabsl(ref + 3.72e-42L), 0.01e-42L) << "reference silu(-100) disagrees with the spec";
    }
    const std::vector<float> xs = {-100.0f, -95.0f, -90.0f, FLT_TRUE_MIN, -FLT_TRUE_MIN,
                                   from_bits(0x00400000u), from_bits(0x80400000u), FLT_MIN, -FLT_MIN};
    const std::vector<float> ones(xs.size(), 1.0f);
    const Results r = run(xs, ones);
    for (size_t i = 0; i < xs.size(); ++i) {
        const std::string at = std::string(op.name) + "(" + describe(xs[i]) + ")";
        const ld f = op.forward(xs[i], p);
        EXPECT_LE(ulp_error(r.y1[i], f), op.forward_ulp)
            << at << " n=1: got " << describe(r.y1[i]) << ", expected " << describe_ld(f);
        EXPECT_LE(ulp_error(r.yv[i], f), op.forward_ulp)
            << at << " vector: got " << describe(r.yv[i]) << ", expected " << describe_ld(f);
        const ld d = op.derivative(xs[i], p);
        const ld unit = std::max(ulp_f32(d), ulp_f32(op.derivative_scale(xs[i], p)));
        EXPECT_LE(error_in(r.dx1[i], d, unit), op.backward_ulp)
            << at << "' n=1: got " << describe(r.dx1[i]) << ", expected " << describe_ld(d);
        EXPECT_LE(error_in(r.dxv[i], d, unit), op.backward_ulp)
            << at << "' vector: got " << describe(r.dxv[i]) << ", expected " << describe_ld(d);
    }
}

INSTANTIATE_TEST_SUITE_P(All, SpecialValues, ::testing::ValuesIn(all_op_isa()), LabelName());

}  // namespace

namespace {
using namespace hact_test;
// swish with beta = 0 is scale * x / 2 everywhere, infinities and huge x included (on the
// baseline ISA the exponential's exact product once overflowed to NaN beyond FLT_MAX / 4097).
class SwishBetaZero : public IsaTest<OpOnlyIsa> {};
TEST_P(SwishBetaZero, IsHalfX) {
    hact_params p = hact_default_params(hact_op_swish);
    p.beta = 0.0f;
    const float x[] = {INFINITY, -INFINITY, 1e36f, -3e38f, 2.0f, -0.0f};
    float y[6], dx[6];
    const float ones[6] = {1, 1, 1, 1, 1, 1};
    ASSERT_EQ(run_forward(hact_op_swish, HACT_F32, x, y, 6, &p), HACT_OK) << hact_last_error();
    ASSERT_EQ(run_backward(hact_op_swish, HACT_F32, x, ones, dx, 6, &p), HACT_OK) << hact_last_error();
    for (int i = 0; i < 6; ++i) {
        EXPECT_TRUE(same_result(y[i], x[i] / 2)) << "swish_0(" << describe(x[i]) << ") = " << describe(y[i]);
        EXPECT_EQ(dx[i], 0.5f) << "swish_0'(" << describe(x[i]) << ") = " << describe(dx[i]);
    }
}
std::vector<OpOnlyIsa> swish_cases() {
    std::vector<OpOnlyIsa> v;
    for (const OpOnlyIsa& c : all_ops_by_isa())
        if (c.op->op == hact_op_swish) v.push_back(c);
    return v;
}
INSTANTIATE_TEST_SUITE_P(All, SwishBetaZero, ::testing::ValuesIn(swish_cases()), LabelName());
}  // namespace

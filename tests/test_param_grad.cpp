// 3. Parameter gradients (hact_backward_params) against a long-double reduction of
// dy * df/dp over the elements, every op x parameter set x ISA, for several n and x ranges.
// Tolerance (tests/reference/reference.h): |got - ref| <= 8 * 2^-24 * sum|term_i| + n * 1e-34.
// Fields that are not learnable must be exactly +0; an op without learnable parameters gives all
// zeros and HACT_OK.
#include "hact_test.h"

namespace {
using namespace hact_test;

class ParamGrad : public OpTest<> {};

struct XRange {
    const char* name;
    double lo, hi;
};
const XRange kRanges[] = {{"unit", -1, 1},          {"core", -10, 10},      {"wide", -120, 120},
                          {"tail_m", -110, -50}, {"tail_p", 50, 110}, {"far", -250, 250}};

TEST_P(ParamGrad, MatchesLongDoubleReduction) {
    auto g = rng(0x9A3D + (uint64_t)c.isa);
    for (size_t n : {size_t{1}, size_t{31}, size_t{32}, size_t{33}, size_t{1000}, size_t{100003}}) {
        for (const XRange& r : kRanges) {
            // Under emulation (HACT_TEST_THIN > 1), the parallel size in one range only.
            if (n > 1000 && thinning() > 1 && &r != &kRanges[1]) continue;
            SCOPED_TRACE("n=" + std::to_string(n) + " x range " + r.name);
            const std::vector<float> x = uniform_floats(g, n, r.lo, r.hi);
            const std::vector<float> dy = random_dys(g, n);
            hact_params grad;
            std::memset(&grad, 0xff, sizeof grad);  // NaN everywhere: every field must be written
            ASSERT_EQ(run_backward_params(op.op, HACT_F32, x.data(), dy.data(), n, &hp, &grad), HACT_OK)
                << hact_last_error();
            for (int k = 0; k < hact_ref::kNumFields; ++k) {
                const float got = hact_ref::field(grad, k);
                if (!(op.learnable >> k & 1u)) {
                    EXPECT_EQ(bits(got), 0u) << hact_ref::field_name(k) << " is not learnable for "
                                             << op.name << " but got " << describe(got);
                    continue;
                }
                const PgradRef ref = pgrad_reference(op, k, p, x.data(), dy.data(), n);
                EXPECT_LE(fabsl((ld)got - ref.sum), ref.tolerance)
                    << op.name << " d" << hact_ref::field_name(k) << " " << c.op.named().label
                    << ": got " << describe(got) << ", expected " << describe_ld(ref.sum)
                    << " (sum |terms| = " << describe_ld(ref.sum_abs) << ")";
            }
        }
    }
}

// Every finite float pattern as x (huge and tiny magnitudes): the terms underflow, overflow of an
// intermediate must not make a NaN or an infinity.
TEST_P(ParamGrad, AnyFiniteX) {
    auto g = rng(0xB175 + (uint64_t)c.isa);
    const size_t n = 20011;
    std::vector<float> x(n), dy(n);
    for (size_t i = 0; i < n; ++i) {
        do x[i] = from_bits((uint32_t)g()); while (!std::isfinite(x[i]));
        dy[i] = random_dy(g);
    }
    hact_params grad;
    ASSERT_EQ(run_backward_params(op.op, HACT_F32, x.data(), dy.data(), n, &hp, &grad), HACT_OK)
        << hact_last_error();
    for (int k = 0; k < hact_ref::kNumFields; ++k) {
        if (!(op.learnable >> k & 1u)) continue;
        const PgradRef ref = pgrad_reference(op, k, p, x.data(), dy.data(), n);
        const float got = hact_ref::field(grad, k);
        if (std::isinf((float)ref.sum)) {
            EXPECT_EQ(got, (float)ref.sum) << "d" << hact_ref::field_name(k);
        } else {
            EXPECT_LE(fabsl((ld)got - ref.sum), ref.tolerance)
                << op.name << " d" << hact_ref::field_name(k) << " " << c.op.named().label << ": got "
                << describe(got) << ", expected " << describe_ld(ref.sum);
        }
    }
}

TEST_P(ParamGrad, ZeroLengthGivesZeros) {
    hact_params grad;
    std::memset(&grad, 0xff, sizeof grad);
    ASSERT_EQ(run_backward_params(op.op, HACT_F32, nullptr, nullptr, 0, &hp, &grad), HACT_OK)
        << hact_last_error();
    for (int k = 0; k < hact_ref::kNumFields; ++k)
        EXPECT_EQ(bits(hact_ref::field(grad, k)), 0u) << hact_ref::field_name(k);
}

INSTANTIATE_TEST_SUITE_P(All, ParamGrad, ::testing::ValuesIn(all_op_isa()), LabelName());

}  // namespace

// 6b. A real n = 2^31 + 37 call (more elements than one Halide int32 extent): forward, backward
// and parameter gradient of every op on every ISA. Opt-in: needs HACT_TEST_HUGE=1 and ~9 GB of
// memory (one 8.6 GB array, used in place: y == x for forward, dx == dy == x for backward).
// Every element is checked against the same value computed alone (n = 1). The second test does
// the same in bfloat16 (4.3 GB).
#include "hact_test.h"

#include <memory>

namespace {
using namespace hact_test;

constexpr size_t kHugeN = (size_t{1} << 31) + 37;
constexpr size_t kPeriod = 1031;  // a prime: the pattern's phase differs at every chunk boundary

bool huge_enabled() {
    const char* e = std::getenv("HACT_TEST_HUGE");
    return e && std::strcmp(e, "1") == 0;
}

class Huge : public ::testing::TestWithParam<hact_isa> {};

TEST_P(Huge, TwoToThe31PlusElements) {
    if (!huge_enabled())
        GTEST_SKIP() << "needs ~9 GB and a minute per ISA: run with HACT_TEST_HUGE=1 to enable";
    const hact_isa isa = GetParam();
    HACT_TEST_USE_ISA(isa);
    std::unique_ptr<float[]> buf(new (std::nothrow) float[kHugeN]);
    if (!buf) GTEST_SKIP() << "cannot allocate " << kHugeN * sizeof(float) << " bytes";
    float* a = buf.get();

    auto g = rng(0x4A6E);
    std::vector<float> pat(kPeriod);
    for (float& v : pat) v = uniform(g, -30, 30);
    const float specials[] = {0.0f, -0.0f, -100.0f, 100.0f, FLT_TRUE_MIN, -1.2785f, 1e30f, -1e30f};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; ++i) pat[i * 97] = specials[i];
    auto fill = [&] {
        for (size_t i = 0, k = 0; i < kHugeN; ++i) {
            a[i] = pat[k];
            if (++k == kPeriod) k = 0;
        }
    };
    // How many times each pattern entry occurs.
    std::vector<ld> count(kPeriod, (ld)(kHugeN / kPeriod));
    for (size_t k = 0; k < kHugeN % kPeriod; ++k) count[k] += 1;

    for (const OpRef& op : ops()) {
        SCOPED_TRACE(op.name);
        const hact_params hp = hact_default_params(op.op);
        const hact_ref::Params p = hact_ref::from_hact(hp);
        std::vector<float> y1(kPeriod), dx1(kPeriod);
        for (size_t k = 0; k < kPeriod; ++k) {
            ASSERT_EQ(hact_forward(op.op, HACT_F32, &pat[k], &y1[k], 1, &hp), HACT_OK);
            ASSERT_EQ(hact_backward(op.op, HACT_F32, &pat[k], &pat[k], &dx1[k], 1, &hp), HACT_OK);
        }
        fill();
        if (op.learnable) {  // dy = x
            hact_params grad;
            ASSERT_EQ(hact_backward_params(op.op, HACT_F32, a, a, kHugeN, &hp, &grad), HACT_OK)
                << hact_last_error();
            for (int k = 0; k < hact_ref::kNumFields; ++k) {
                if (!(op.learnable >> k & 1u)) continue;
                ld sum = 0, sum_abs = 0;
                for (size_t j = 0; j < kPeriod; ++j) {
                    const ld t = count[j] * pat[j] * op.param_derivative(k, pat[j], p);
                    sum += t;
                    sum_abs += fabsl(t);
                }
                const float got = hact_ref::field(grad, k);
                if (std::isinf((float)sum)) {  // beyond float32 (prelu: dy = x = -1e30, 2^31 times)
                    EXPECT_EQ(got, (float)sum) << "d" << hact_ref::field_name(k) << ": " << describe_ld(sum);
                    continue;
                }
                EXPECT_LE(fabsl((ld)got - sum), pgrad_tolerance(sum_abs, kHugeN))
                    << "d" << hact_ref::field_name(k) << ": got " << describe(got) << ", expected "
                    << describe_ld(sum);
            }
        }
        ASSERT_EQ(hact_forward(op.op, HACT_F32, a, a, kHugeN, &hp), HACT_OK) << hact_last_error();
        for (size_t i = 0, k = 0; i < kHugeN; ++i) {
            if (bits(a[i]) != bits(y1[k])) {
                FAIL() << "forward [" << i << "] x=" << describe(pat[k]) << ": " << describe(a[i])
                       << ", alone " << describe(y1[k]);
            }
            if (++k == kPeriod) k = 0;
        }
        fill();
        ASSERT_EQ(hact_backward(op.op, HACT_F32, a, a, a, kHugeN, &hp), HACT_OK) << hact_last_error();
        for (size_t i = 0, k = 0; i < kHugeN; ++i) {
            if (bits(a[i]) != bits(dx1[k])) {
                FAIL() << "backward [" << i << "] x=dy=" << describe(pat[k]) << ": " << describe(a[i])
                       << ", alone " << describe(dx1[k]);
            }
            if (++k == kPeriod) k = 0;
        }
    }
}

// The same in bfloat16, in place (4.3 GB): forward y == x, backward dx == dy == x, and the
// parameter gradient, every op, every ISA; every element against the value computed alone.
TEST_P(Huge, TwoToThe31PlusElementsBf16InPlace) {
    if (!huge_enabled())
        GTEST_SKIP() << "needs ~4.5 GB and a minute per ISA: run with HACT_TEST_HUGE=1 to enable";
    const hact_isa isa = GetParam();
    HACT_TEST_USE_ISA(isa);
    std::unique_ptr<uint16_t[]> buf(new (std::nothrow) uint16_t[kHugeN]);
    if (!buf) GTEST_SKIP() << "cannot allocate " << kHugeN * sizeof(uint16_t) << " bytes";
    uint16_t* a = buf.get();

    auto g = rng(0xB16);
    std::vector<uint16_t> pat(kPeriod);
    for (uint16_t& v : pat) v = (uint16_t)(bits(uniform(g, -30, 30)) >> 16);  // truncated to bf16
    const uint16_t specials[] = {0x0000, 0x8000, 0xC2C8 /* -100 */, 0x42C8 /* 100 */, 0x0001, 0x7F7F /* max */,
                                 0xFF7F, 0x7F80 /* inf */, 0xFF80, 0x7FC0 /* NaN */};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; ++i) pat[i * 97] = specials[i];
    // The parameter gradients sum over every element: a NaN or infinity would make every sum
    // NaN or infinite, so they run on the pattern with those entries replaced by 1.5.
    std::vector<uint16_t> finite_pat = pat;
    for (uint16_t& v : finite_pat)
        if ((v & 0x7F80u) == 0x7F80u) v = 0x3FC0;
    auto fill_with = [&](const std::vector<uint16_t>& p) {
        for (size_t i = 0, k = 0; i < kHugeN; ++i) {
            a[i] = p[k];
            if (++k == kPeriod) k = 0;
        }
    };
    auto fill = [&] { fill_with(pat); };
    std::vector<ld> count(kPeriod, (ld)(kHugeN / kPeriod));
    for (size_t k = 0; k < kHugeN % kPeriod; ++k) count[k] += 1;
    for (const OpRef& op : ops()) {
        SCOPED_TRACE(op.name);
        const hact_params hp = hact_default_params(op.op);
        std::vector<uint16_t> y1(kPeriod), dx1(kPeriod);
        for (size_t k = 0; k < kPeriod; ++k) {
            ASSERT_EQ(hact_forward(op.op, HACT_BF16, &pat[k], &y1[k], 1, &hp), HACT_OK) << hact_last_error();
            ASSERT_EQ(hact_backward(op.op, HACT_BF16, &pat[k], &pat[k], &dx1[k], 1, &hp), HACT_OK);
        }
        if (op.learnable) {  // dy = x, against the long-double sum over the pattern's counts
            fill_with(finite_pat);
            hact_params grad;
            ASSERT_EQ(hact_backward_params(op.op, HACT_BF16, a, a, kHugeN, &hp, &grad), HACT_OK)
                << hact_last_error();
            const hact_ref::Params p = hact_ref::from_hact(hp);
            for (int k = 0; k < hact_ref::kNumFields; ++k) {
                if (!(op.learnable >> k & 1u)) continue;
                ld sum = 0, sum_abs = 0;
                for (size_t j = 0; j < kPeriod; ++j) {
                    const float xj = from_bits((uint32_t)finite_pat[j] << 16);
                    const ld t = count[j] * xj * op.param_derivative(k, xj, p);
                    sum += t;
                    sum_abs += fabsl(t);
                }
                const float got = hact_ref::field(grad, k);
                if (std::isinf((float)sum)) {  // beyond float32 (prelu: dy = x = -1e30, 2^31 times)
                    EXPECT_EQ(got, (float)sum) << "d" << hact_ref::field_name(k) << ": " << describe_ld(sum);
                    continue;
                }
                EXPECT_LE(fabsl((ld)got - sum), pgrad_tolerance(sum_abs, kHugeN))
                    << "d" << hact_ref::field_name(k) << ": got " << describe(got) << ", expected "
                    << describe_ld(sum);
            }
        }
        fill();
        ASSERT_EQ(hact_forward(op.op, HACT_BF16, a, a, kHugeN, &hp), HACT_OK) << hact_last_error();
        for (size_t i = 0, k = 0; i < kHugeN; ++i) {
            if (a[i] != y1[k])
                FAIL() << "forward [" << i << "] x=0x" << std::hex << pat[k] << ": 0x" << a[i] << ", alone 0x" << y1[k];
            if (++k == kPeriod) k = 0;
        }
        fill();
        ASSERT_EQ(hact_backward(op.op, HACT_BF16, a, a, a, kHugeN, &hp), HACT_OK) << hact_last_error();
        for (size_t i = 0, k = 0; i < kHugeN; ++i) {
            if (a[i] != dx1[k])
                FAIL() << "backward [" << i << "] x=dy=0x" << std::hex << pat[k] << ": 0x" << a[i] << ", alone 0x"
                       << dx1[k];
            if (++k == kPeriod) k = 0;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(All, Huge, ::testing::ValuesIn(all_isas()), IsaName());

}  // namespace

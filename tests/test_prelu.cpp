// 9. PReLU with a weight per channel (hact_prelu_*): every CPU variant, shapes [outer, channels,
// inner] from one element to conv-like and linear-like (inner = 1) layouts. y and dx are one
// correctly rounded product (or a copy), so they must equal the long-double reference rounded
// once; dweight is a reduction, checked against a long-double sum within pgrad_tolerance.
#include "hact_test.h"

namespace {
using namespace hact_test;

struct Shape {
    size_t outer, channels, inner;
};

class PRelu : public IsaTest<OpOnlyIsa> {};

std::vector<OpOnlyIsa> prelu_cases() {
    std::vector<OpOnlyIsa> v;
    for (const OpOnlyIsa& c : all_ops_by_isa())
        if (c.op->op == hact_op_prelu) v.push_back(c);
    return v;
}

TEST_P(PRelu, MatchesReferencePerChannel) {
    // [2, 5, 4096] and [3, 2, 6144]: the one-pass backward's sub-rows (runtime/prelu.c,
    // one_pass_backward: 16 of 256 and 32 of 192 elements per row)
    for (Shape s : {Shape{1, 1, 1}, Shape{2, 3, 37}, Shape{4, 16, 1000}, Shape{512, 64, 1}, Shape{3, 1, 4097},
                    Shape{7, 5, 17}, Shape{2, 5, 4096}, Shape{3, 2, 6144}}) {
        const size_t n = s.outer * s.channels * s.inner;
        SCOPED_TRACE(std::to_string(s.outer) + "x" + std::to_string(s.channels) + "x" + std::to_string(s.inner));
        auto g = rng(n + s.channels);
        std::vector<float> x = uniform_floats(g, n, -5, 5), dy = random_dys(g, n), w(s.channels);
        for (float& v : w) v = uniform(g, -1, 1);
        x[0] = 0.0f;  // the kink: y = 0, dx = w * dy, no weight-gradient term
        GuardedBuffer y(n, 1), dx(n, 2), dw(s.channels, 3);
        ASSERT_EQ(hact_prelu_forward(HACT_F32, x.data(), w.data(), y.data(), s.outer, s.channels, s.inner), HACT_OK)
            << hact_last_error();
        ASSERT_EQ(hact_prelu_backward(HACT_F32, x.data(), w.data(), dy.data(), dx.data(), dw.data(), s.outer,
                                      s.channels, s.inner),
                  HACT_OK)
            << hact_last_error();
        EXPECT_TRUE(y.guards_intact() && dx.guards_intact() && dw.guards_intact());
        std::vector<ld> sum(s.channels, 0), sum_abs(s.channels, 0);
        std::vector<size_t> count(s.channels, 0);
        for (size_t i = 0; i < n; ++i) {
            const size_t c = (i / s.inner) % s.channels;
            const float yr = x[i] > 0 ? x[i] : (float)((ld)w[c] * x[i]);
            const float dr = x[i] > 0 ? dy[i] : (float)((ld)w[c] * dy[i]);
            ASSERT_TRUE(same_result(y[i], yr)) << "y[" << i << "] = " << describe(y[i]) << ", expected " << describe(yr);
            ASSERT_TRUE(same_result(dx[i], dr)) << "dx[" << i << "] = " << describe(dx[i]) << ", expected " << describe(dr);
            if (!(x[i] > 0)) {
                sum[c] += (ld)dy[i] * x[i];
                sum_abs[c] += fabsl((ld)dy[i] * x[i]);
                ++count[c];
            }
        }
        for (size_t c = 0; c < s.channels; ++c)
            EXPECT_LE(fabsl((ld)dw[c] - sum[c]), pgrad_tolerance(sum_abs[c], count[c]))
                << "dweight[" << c << "] = " << describe(dw[c]) << ", expected " << describe_ld(sum[c]);
        // In place: dx over dy, dx over x, y over x; results identical (in place, the backward
        // with dweight takes its two-pass path, out of place the one-pass one where it can).
        std::vector<float> xi = x, dyi = dy, dwi(s.channels), xd = x, dwx(s.channels);
        ASSERT_EQ(hact_prelu_backward(HACT_F32, xi.data(), w.data(), dyi.data(), dyi.data(), dwi.data(), s.outer,
                                      s.channels, s.inner),
                  HACT_OK);
        ASSERT_EQ(hact_prelu_backward(HACT_F32, xd.data(), w.data(), dy.data(), xd.data(), dwx.data(), s.outer,
                                      s.channels, s.inner),
                  HACT_OK);
        ASSERT_EQ(hact_prelu_forward(HACT_F32, xi.data(), w.data(), xi.data(), s.outer, s.channels, s.inner), HACT_OK);
        for (size_t i = 0; i < n; ++i)
            ASSERT_TRUE(same_result(xi[i], y[i]) && same_result(dyi[i], dx[i]) && same_result(xd[i], dx[i])) << i;
        for (size_t c = 0; c < s.channels; ++c) EXPECT_TRUE(bits(dwi[c]) == bits(dw[c]) && bits(dwx[c]) == bits(dw[c])) << c;
    }
}

// One channel of weight w is the scalar op hact_op_prelu with negative_slope = w.
TEST_P(PRelu, OneChannelIsTheScalarOp) {
    const size_t n = 10007;
    auto g = rng(n);
    const std::vector<float> x = uniform_floats(g, n, -9, 9), dy = random_dys(g, n);
    const float w = -0.375f;
    hact_params p = hact_default_params(hact_op_prelu);
    p.negative_slope = w;
    std::vector<float> y0(n), y1(n), dx0(n), dx1(n);
    float dw1 = 0;
    hact_params dw0;
    ASSERT_EQ(hact_forward(hact_op_prelu, HACT_F32, x.data(), y0.data(), n, &p), HACT_OK);
    ASSERT_EQ(hact_backward(hact_op_prelu, HACT_F32, x.data(), dy.data(), dx0.data(), n, &p), HACT_OK);
    ASSERT_EQ(hact_backward_params(hact_op_prelu, HACT_F32, x.data(), dy.data(), n, &p, &dw0), HACT_OK);
    ASSERT_EQ(hact_prelu_forward(HACT_F32, x.data(), &w, y1.data(), 1, 1, n), HACT_OK);
    ASSERT_EQ(hact_prelu_backward(HACT_F32, x.data(), &w, dy.data(), dx1.data(), &dw1, 1, 1, n), HACT_OK);
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(same_result(y0[i], y1[i]) && same_result(dx0[i], dx1[i])) << i;
    EXPECT_NEAR(dw1, dw0.negative_slope, 1e-5 * std::fabs(dw0.negative_slope) + 1e-30);
}

INSTANTIATE_TEST_SUITE_P(All, PRelu, ::testing::ValuesIn(prelu_cases()), LabelName());

TEST(PReluApi, BadArgumentsAreStatuses) {
    std::vector<float> x(64, -1.0f), y(64), w(4, 0.25f);
    EXPECT_EQ(hact_prelu_forward(HACT_F32, x.data(), nullptr, y.data(), 4, 4, 4), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(hact_last_error()).find("weight is NULL"), std::string::npos) << hact_last_error();
    w[2] = NAN;
    EXPECT_EQ(hact_prelu_forward(HACT_F32, x.data(), w.data(), y.data(), 4, 4, 4), HACT_ERR_BAD_PARAMS);
    EXPECT_NE(std::string(hact_last_error()).find("weight[2]"), std::string::npos) << hact_last_error();
    w[2] = 0.25f;
    EXPECT_EQ(hact_prelu_forward(HACT_F32, x.data(), w.data(), x.data() + 1, 4, 4, 3), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(hact_prelu_forward(HACT_F32, x.data(), w.data(), y.data(), SIZE_MAX / 2, 4, 4), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(hact_prelu_backward(HACT_F32, x.data(), w.data(), x.data(), y.data(), y.data() + 2, 4, 4, 4),
              HACT_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(hact_prelu_forward((hact_dtype)7, x.data(), w.data(), y.data(), 4, 4, 4), HACT_ERR_INVALID_ARGUMENT);
    float dw[4] = {1, 1, 1, 1};
    EXPECT_EQ(hact_prelu_backward(HACT_F32, nullptr, w.data(), nullptr, nullptr, dw, 0, 4, 4), HACT_OK);
    EXPECT_EQ(dw[0], 0.0f) << "an empty input has zero weight gradients";
}

// Non-finite weights are refused in every dtype, naming the first one (inf and NaN patterns of
// each storage type; the finite largest values pass).
TEST(PReluApi, NonFiniteWeightsAreRefusedInEveryDtype) {
    struct Case {
        hact_dtype dt;
        size_t size;
        uint64_t largest_finite, inf, nan;
    };
    for (Case k : {Case{HACT_F32, 4, 0x7F7FFFFF, 0x7F800000, 0x7FC00001},
                   Case{HACT_F64, 8, 0x7FEFFFFFFFFFFFFF, 0x7FF0000000000000, 0x7FF0000000000001},
                   Case{HACT_F16, 2, 0x7BFF, 0x7C00, 0x7C01}, Case{HACT_BF16, 2, 0x7F7F, 0x7F80, 0x7FC1}}) {
        SCOPED_TRACE(k.size);
        const size_t channels = 5, n = 2 * channels;
        std::vector<unsigned char> x(n * k.size, 0), y(n * k.size), w(channels * k.size, 0);
        auto put = [&](size_t i, uint64_t bits) {
            std::memcpy(&w[i * k.size], &bits, k.size);  // little-endian: the low bytes
        };
        put(1, k.largest_finite);
        EXPECT_EQ(hact_prelu_forward(k.dt, x.data(), w.data(), y.data(), 2, channels, 1), HACT_OK) << hact_last_error();
        for (uint64_t bad : {k.inf, k.nan, k.inf | (uint64_t{1} << (8 * k.size - 1))}) {
            put(3, bad);
            put(4, k.nan);
            EXPECT_EQ(hact_prelu_forward(k.dt, x.data(), w.data(), y.data(), 2, channels, 1), HACT_ERR_BAD_PARAMS);
            EXPECT_NE(std::string(hact_last_error()).find("weight[3]"), std::string::npos) << hact_last_error();
            put(3, 0);
            put(4, 0);
        }
    }
}

// Regression (found by the fuzzer, tests/fuzz): dweight is float32 for every dtype, but its
// alignment was checked against the dtype's element size, so a bfloat16 or float16 call took a
// 2-byte aligned dweight and stored floats there (undefined behaviour, reported by UBSan); and
// dx's extent in the dweight/dx overlap check was counted in 4-byte elements, refusing a
// dweight placed right after a 2-byte dx.
TEST(PReluApi, DweightIsFloatAlignedForEveryDtype) {
    const size_t channels = 4, inner = 8, n = channels * inner;
    for (hact_dtype dt : {HACT_BF16, HACT_F16}) {
        SCOPED_TRACE(dt == HACT_BF16 ? "bf16" : "f16");
        std::vector<uint16_t> x(n, 0xBF80 /* bf16 -1; f16 -1.875 */), dy(n, 0x3C00), w(channels, 0x3E80);
        if (dt == HACT_F16) w.assign(channels, 0x3400);  // 0.25
        alignas(16) unsigned char store[4 * (channels + 2)];
        std::memset(store, 0xA5, sizeof store);
        std::vector<uint16_t> dx(n, 0x7777);
        EXPECT_EQ(hact_prelu_backward(dt, x.data(), w.data(), dy.data(), dx.data(), store + 2, 1, channels, inner),
                  HACT_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(hact_last_error()).find("dweight"), std::string::npos) << hact_last_error();
        for (unsigned char b : store) ASSERT_EQ(b, 0xA5) << "a refused call wrote dweight";
        for (uint16_t v : dx) ASSERT_EQ(v, 0x7777) << "a refused call wrote dx";
        // Aligned: accepted, one gradient per channel.
        EXPECT_EQ(hact_prelu_backward(dt, x.data(), w.data(), dy.data(), dx.data(), store + 4, 1, channels, inner),
                  HACT_OK)
            << hact_last_error();
        float dw0;
        std::memcpy(&dw0, store + 4, 4);
        EXPECT_NE(dw0, 0.0f);
        // dx and dweight in one buffer, dweight right after dx's n 2-byte elements: no overlap.
        alignas(16) uint16_t both[n + 2 * channels];
        EXPECT_EQ(hact_prelu_backward(dt, x.data(), w.data(), dy.data(), both, both + n, 1, channels, inner), HACT_OK)
            << hact_last_error();
        // One element earlier they overlap: refused.
        EXPECT_EQ(hact_prelu_backward(dt, x.data(), w.data(), dy.data(), both, both + n - 2, 1, channels, inner),
                  HACT_ERR_INVALID_ARGUMENT);
    }
}

}  // namespace

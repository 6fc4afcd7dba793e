// 5. Lengths 0..300 at misalignments of 0..3 elements from a 64-byte boundary, every op x
// parameter set x ISA x direction: outputs equal, bit for bit (any NaN for a NaN), the same
// computation done one element at a time (n = 1), so the vector tail matches the main loop; 64
// sentinel floats before and after every output stay untouched; inputs are not modified. The
// parameter gradient matches the long-double reduction. In-place calls give the out-of-place bits.
#include "hact_test.h"

namespace {
using namespace hact_test;

constexpr size_t kMaxLen = 300;

// Inputs: mostly the interesting range, with special values sprinkled in.
std::vector<float> length_inputs(size_t n, uint64_t seed) {
    auto g = rng(seed);
    std::vector<float> x = uniform_floats(g, n, -20, 20);
    const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, -100.0f, 100.0f, FLT_TRUE_MIN, -1.2785f};
    for (size_t i = 0; i < n; i += 13) x[i] = specials[(i / 13) % (sizeof specials / sizeof specials[0])];
    return x;
}
std::vector<float> length_dys(size_t n, uint64_t seed) {
    auto g = rng(seed);
    return random_dys(g, n);
}

class Lengths : public OpTest<> {};

TEST_P(Lengths, EveryLengthAndMisalignmentMatchesElementwise) {
    const std::vector<float> X = length_inputs(kMaxLen, 0x1E9 + c.isa), DY = length_dys(kMaxLen, 0x1EA);

    // Element-at-a-time results.
    std::vector<float> y1(kMaxLen), dx1(kMaxLen);
    for (size_t i = 0; i < kMaxLen; ++i) {
        ASSERT_EQ(run_forward(op.op, HACT_F32, &X[i], &y1[i], 1, &hp), HACT_OK) << hact_last_error();
        ASSERT_EQ(run_backward(op.op, HACT_F32, &X[i], &DY[i], &dx1[i], 1, &hp), HACT_OK) << hact_last_error();
    }

    for (size_t mis = 0; mis < 4; ++mis) {
        for (size_t n = 0; n <= kMaxLen; ++n) {
            SCOPED_TRACE("n=" + std::to_string(n) + " misalignment=" + std::to_string(mis) + " floats");
            GuardedBuffer x(n, mis), dy(n, (mis + 1) % 4), y(n, mis), dx(n, (mis + 2) % 4);
            x.fill(X.data());
            dy.fill(DY.data());
            ASSERT_EQ(run_forward(op.op, HACT_F32, x.data(), y.data(), n, &hp), HACT_OK) << hact_last_error();
            ASSERT_EQ(run_backward(op.op, HACT_F32, x.data(), dy.data(), dx.data(), n, &hp), HACT_OK)
                << hact_last_error();
            ASSERT_TRUE(y.guards_intact()) << "forward wrote outside y";
            ASSERT_TRUE(dx.guards_intact()) << "backward wrote outside dx";
            ASSERT_TRUE(x.guards_intact() && dy.guards_intact()) << "an input's guard changed";
            for (size_t i = 0; i < n; ++i) {
                ASSERT_EQ(bits(x[i]), bits(X[i])) << "x modified at " << i;
                ASSERT_EQ(bits(dy[i]), bits(DY[i])) << "dy modified at " << i;
                ASSERT_TRUE(same_result(y[i], y1[i]))
                    << op.name << " forward [" << i << "] x=" << describe(X[i]) << ": " << describe(y[i])
                    << " in an array of " << n << ", " << describe(y1[i]) << " alone";
                ASSERT_TRUE(same_result(dx[i], dx1[i]))
                    << op.name << " backward [" << i << "] x=" << describe(X[i]) << " dy=" << describe(DY[i])
                    << ": " << describe(dx[i]) << " in an array of " << n << ", " << describe(dx1[i]) << " alone";
            }
            if (op.learnable == 0) continue;
            // Parameter gradient over the finite inputs only (a NaN or inf would make the sum NaN).
            std::vector<float> fx(X.begin(), X.begin() + n);
            for (float& v : fx)
                if (!std::isfinite(v)) v = 1.5f;
            x.fill(fx.data());
            hact_params grad;
            ASSERT_EQ(run_backward_params(op.op, HACT_F32, x.data(), dy.data(), n, &hp, &grad), HACT_OK)
                << hact_last_error();
            for (int k = 0; k < hact_ref::kNumFields; ++k) {
                const float got = hact_ref::field(grad, k);
                if (!(op.learnable >> k & 1u)) {
                    ASSERT_EQ(bits(got), 0u) << hact_ref::field_name(k);
                    continue;
                }
                const PgradRef ref = pgrad_reference(op, k, p, fx.data(), DY.data(), n);
                ASSERT_LE(fabsl((ld)got - ref.sum), ref.tolerance)
                    << op.name << " d" << hact_ref::field_name(k) << ": got " << describe(got)
                    << ", expected " << describe_ld(ref.sum);
            }
        }
    }
}

TEST_P(Lengths, InPlaceMatchesOutOfPlace) {
    for (size_t n : {size_t{1}, size_t{7}, size_t{16}, size_t{33}, size_t{257}, size_t{1000}, size_t{4099}}) {
        SCOPED_TRACE("n=" + std::to_string(n));
        const std::vector<float> X = length_inputs(n, 0x1EB + n), DY = length_dys(n, 0x1EC + n);
        std::vector<float> y(n), dx(n);
        ASSERT_EQ(run_forward(op.op, HACT_F32, X.data(), y.data(), n, &hp), HACT_OK);
        ASSERT_EQ(run_backward(op.op, HACT_F32, X.data(), DY.data(), dx.data(), n, &hp), HACT_OK);

        // Every element of `got` is the same result as that of `want` (else the first that is not).
        auto same = [&](const std::vector<float>& got,
                        const std::vector<float>& want) -> ::testing::AssertionResult {
            for (size_t i = 0; i < n; ++i)
                if (!same_result(got[i], want[i]))
                    return ::testing::AssertionFailure() << "[" << i << "] x=" << describe(X[i]) << ": "
                                                         << describe(got[i]) << " vs " << describe(want[i]);
            return ::testing::AssertionSuccess();
        };

        std::vector<float> a = X;  // y == x
        ASSERT_EQ(run_forward(op.op, HACT_F32, a.data(), a.data(), n, &hp), HACT_OK) << hact_last_error();
        ASSERT_TRUE(same(a, y)) << "forward in place";

        std::vector<float> d = DY;  // dx == dy
        ASSERT_EQ(run_backward(op.op, HACT_F32, X.data(), d.data(), d.data(), n, &hp), HACT_OK)
            << hact_last_error();
        ASSERT_TRUE(same(d, dx)) << "backward dx == dy";

        std::vector<float> b = X;  // dx == x
        ASSERT_EQ(run_backward(op.op, HACT_F32, b.data(), DY.data(), b.data(), n, &hp), HACT_OK)
            << hact_last_error();
        ASSERT_TRUE(same(b, dx)) << "backward dx == x";

        // dx == x == dy: dy * f'(x) with dy = x.
        std::vector<float> e = X, dxx(n);
        ASSERT_EQ(run_backward(op.op, HACT_F32, X.data(), X.data(), dxx.data(), n, &hp), HACT_OK);
        ASSERT_EQ(run_backward(op.op, HACT_F32, e.data(), e.data(), e.data(), n, &hp), HACT_OK)
            << hact_last_error();
        ASSERT_TRUE(same(e, dxx)) << "backward dx == x == dy";
    }
}

INSTANTIATE_TEST_SUITE_P(All, Lengths, ::testing::ValuesIn(all_op_isa()), LabelName());

}  // namespace

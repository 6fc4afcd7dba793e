// 6b. The thread pool (runtime/pool.c): which pool runs the kernels' parallel loops (hact's, or
// Halide's with HACT_POOL=halide; ctest runs this suite once more with it set), both giving the
// same bits, and the parsing of HACT_POOL_SPIN_US. Links hact_internal.
#include "hact_test.h"

#include <cstdlib>
#include <cstring>

extern "C" {
#include "internal.h"
}

namespace {
using namespace hact_test;

TEST(PoolSelection, FollowsTheEnvironment) {
    hact_get_isa();  // initializes the runtime, which reads HACT_POOL
    const char* env = std::getenv("HACT_POOL");
    const bool halide = env && std::strcmp(env, "halide") == 0;
    EXPECT_EQ(hacti_selected_pool(), halide ? HACTI_POOL_HALIDE : HACTI_POOL_HACT)
        << "HACT_POOL=" << (env ? env : "(unset)");
}

// A parallel call (1M elements, 2 threads) on each pool, in turn: the same bits (the split
// into tasks does not depend on the pool).
TEST(PoolSelection, BothPoolsGiveTheSameResults) {
    const hacti_pool_kind before = hacti_selected_pool();
    const size_t n = size_t{1} << 20;
    auto g = rng(n);
    const std::vector<float> x = uniform_floats(g, n, -12, 12), dy = random_dys(g, n);
    ASSERT_EQ(hact_set_num_threads(2), HACT_OK);
    std::vector<float> y[2], dx[2];
    for (hacti_pool_kind kind : {HACTI_POOL_HACT, HACTI_POOL_HALIDE}) {
        hacti_select_pool(kind);
        y[kind].resize(n), dx[kind].resize(n);
        for (int rep = 0; rep < 3; ++rep) {  // later calls find the workers running
            ASSERT_EQ(hact_forward(hact_op_silu, HACT_F32, x.data(), y[kind].data(), n, nullptr), HACT_OK);
            ASSERT_EQ(hact_backward(hact_op_gelu, HACT_F32, x.data(), dy.data(), dx[kind].data(), n, nullptr), HACT_OK);
        }
    }
    hacti_select_pool(before);
    hact_set_num_threads(0);
    for (size_t i = 0; i < n; ++i)
        ASSERT_TRUE(bits(y[0][i]) == bits(y[1][i]) && bits(dx[0][i]) == bits(dx[1][i])) << i;
}

TEST(PoolSpin, ParsesMicrosecondsAndRefusesTheRest) {
    EXPECT_EQ(hacti_parse_spin_us("0"), 0);
    EXPECT_EQ(hacti_parse_spin_us("250"), 250);
    EXPECT_EQ(hacti_parse_spin_us("1000000"), 1000000);
    for (const char* bad : {"1000001", "-5", "-5us", "12us", "", " ", "x"})
        EXPECT_EQ(hacti_parse_spin_us(bad), -1) << "'" << bad << "'";
    EXPECT_EQ(hacti_parse_spin_us(nullptr), -1);
}

}  // namespace

// 4. Finite differences, every op x parameter set x ISA:
//  (a) central differences of the long-double reference forward (h = 2^-20 * max(1,|x|)) at random
//      points of the op's fd_domain: checks the reference's derivative formulas themselves
//      (1e-9 relative to the largest derivative term) and hact's backward / parameter gradient
//      against them (1e-5 relative);
//  (b) central differences of hact's own float32 forward (h ~ 1e-2 * max(1,|x|) in x, 1e-3 *
//      max(1,|p|) in a learnable parameter) on the op's fd_domain clipped to [-10, 10] (the domain
//      keeps the steps off kinks): a loose check, 1e-2 relative + 1e-3.
#include "hact_test.h"

#include <algorithm>

namespace {
using namespace hact_test;

class FiniteDiff : public OpTest<> {};
class FiniteDiffParams : public OpTest<> {};  // ops with learnable params

std::vector<OpIsa> learnable_op_isa() {
    std::vector<OpIsa> v;
    for (const OpIsa& c : all_op_isa())
        if (c.op.op->learnable) v.push_back(c);
    return v;
}

// Central difference of g at t with step h, and an allowance for its long-double rounding.
template <class G>
std::pair<ld, ld> central(G g, ld t, ld h) {
    const ld a = g(t + h), b = g(t - h);
    return {(a - b) / (2 * h), 1e3L * LDBL_EPSILON * (fabsl(a) + fabsl(b)) / h};
}

std::vector<float> fd_points(ld lo, ld hi, size_t n, uint64_t seed) {
    auto g = rng(seed);
    return uniform_floats(g, n, (double)lo, (double)hi);
}

TEST_P(FiniteDiff, BackwardMatchesLongDoubleDifferences) {
    const hact_ref::Range dom = op.fd_domain(p);
    const size_t n = 3001;
    const std::vector<float> x = fd_points(dom.lo, dom.hi, n, 0xFD01 + c.isa);
    auto g = rng(0xFD02);
    const std::vector<float> dy = random_dys(g, n);
    std::vector<float> dx(n);
    ASSERT_EQ(run_backward(op.op, HACT_F32, x.data(), dy.data(), dx.data(), n, &hp), HACT_OK)
        << hact_last_error();
    for (size_t i = 0; i < n; ++i) {
        const ld xi = x[i], h = ldexpl(1.0L, -20) * fmaxl(1.0L, fabsl(xi));
        auto [fd, round] = central([&](ld t) { return op.forward(t, p); }, xi, h);
        const ld scale = op.derivative_scale(xi, p);
        // The reference's derivative formula against its own forward.
        ASSERT_LE(fabsl(op.derivative(xi, p) - fd), 1e-9L * scale + round)
            << "reference derivative of " << op.name << " disagrees with its forward at x=" << describe(x[i]);
        // hact's backward.
        const ld want = (ld)dy[i] * fd, tol = fabsl((ld)dy[i]) * (1e-5L * scale + round) + 1e-40L;
        EXPECT_LE(fabsl((ld)dx[i] - want), tol) << op.name << "' at x=" << describe(x[i]) << " dy="
                                                 << describe(dy[i]) << ": got " << describe(dx[i])
                                                 << ", central difference " << describe_ld(want);
    }
}

TEST_P(FiniteDiffParams, ParamGradMatchesLongDoubleDifferences) {
    const hact_ref::Range dom = op.fd_domain(p);
    const size_t n = 1001;
    const std::vector<float> x = fd_points(dom.lo, dom.hi, n, 0xFD03 + c.isa);
    auto g = rng(0xFD04);
    for (int k = 0; k < hact_ref::kNumFields; ++k) {
        if (!(op.learnable >> k & 1u)) continue;
        for (size_t i = 0; i < n; ++i) {
            const float dy = random_dy(g);
            const ld pk = hact_ref::field_value(p, k);
            const ld h = ldexpl(1.0L, -20) * fmaxl(1.0L, fabsl(pk));
            auto fk = [&](ld t) {
                hact_ref::Params q = p;
                hact_ref::field(q, k) = t;
                return op.forward(x[i], q);
            };
            auto [fd, round] = central(fk, pk, h);
            const ld term = op.param_derivative(k, x[i], p);
            ASSERT_LE(fabsl(term - fd), 1e-9L * fabsl(term) + round)
                << "reference d" << hact_ref::field_name(k) << " of " << op.name
                << " disagrees with its forward at x=" << describe(x[i]);
            hact_params grad;
            ASSERT_EQ(run_backward_params(op.op, HACT_F32, &x[i], &dy, 1, &hp, &grad), HACT_OK)
                << hact_last_error();
            const ld want = (ld)dy * fd, tol = fabsl((ld)dy) * (1e-5L * fabsl(fd) + round) + 1e-40L;
            const float got = hact_ref::field(grad, k);
            EXPECT_LE(fabsl((ld)got - want), tol)
                << op.name << " d" << hact_ref::field_name(k) << " at x=" << describe(x[i]) << " dy="
                << describe(dy) << ": got " << describe(got) << ", central difference " << describe_ld(want);
        }
    }
}

TEST_P(FiniteDiff, BackwardMatchesFloatForwardDifferences) {
    const size_t n = 2001;
    const hact_ref::Range dom = op.fd_domain(p);
    const std::vector<float> x =
        fd_points(std::max<ld>(dom.lo, -10), std::min<ld>(dom.hi, 10), n, 0xFD05 + c.isa);
    std::vector<float> xp(n), xm(n), yp(n), ym(n), ones(n, 1.0f), dx(n);
    for (size_t i = 0; i < n; ++i) {
        const float h = 1e-2f * std::max(1.0f, std::fabs(x[i]));
        xp[i] = x[i] + h;
        xm[i] = x[i] - h;
    }
    ASSERT_EQ(run_forward(op.op, HACT_F32, xp.data(), yp.data(), n, &hp), HACT_OK) << hact_last_error();
    ASSERT_EQ(run_forward(op.op, HACT_F32, xm.data(), ym.data(), n, &hp), HACT_OK) << hact_last_error();
    ASSERT_EQ(run_backward(op.op, HACT_F32, x.data(), ones.data(), dx.data(), n, &hp), HACT_OK)
        << hact_last_error();
    for (size_t i = 0; i < n; ++i) {
        const double fd = ((double)yp[i] - (double)ym[i]) / ((double)xp[i] - (double)xm[i]);
        const double tol = 1e-2 * (double)op.derivative_scale(x[i], p) + 1e-3;
        EXPECT_LE(std::fabs((double)dx[i] - fd), tol)
            << op.name << "' at x=" << describe(x[i]) << ": backward " << describe(dx[i])
            << ", difference of hact's forward " << fd;
    }
}

TEST_P(FiniteDiffParams, ParamGradMatchesFloatForwardDifferences) {
    const size_t n = 1000;
    const std::vector<float> x = fd_points(-10, 10, n, 0xFD06 + c.isa);
    auto g = rng(0xFD07);
    const std::vector<float> dy = random_dys(g, n);
    std::vector<float> yp(n), ym(n);
    hact_params grad;
    ASSERT_EQ(run_backward_params(op.op, HACT_F32, x.data(), dy.data(), n, &hp, &grad), HACT_OK)
        << hact_last_error();
    for (int k = 0; k < hact_ref::kNumFields; ++k) {
        if (!(op.learnable >> k & 1u)) continue;
        hact_params pp = hp, pm = hp;
        const float pk = hact_ref::field(pp, k), h = 1e-3f * std::max(1.0f, std::fabs(pk));
        hact_ref::field(pp, k) = pk + h;
        hact_ref::field(pm, k) = pk - h;
        ASSERT_EQ(run_forward(op.op, HACT_F32, x.data(), yp.data(), n, &pp), HACT_OK) << hact_last_error();
        ASSERT_EQ(run_forward(op.op, HACT_F32, x.data(), ym.data(), n, &pm), HACT_OK) << hact_last_error();
        const double step = (double)hact_ref::field(pp, k) - (double)hact_ref::field(pm, k);
        double fd = 0, mag = 0;
        for (size_t i = 0; i < n; ++i) {
            fd += (double)dy[i] * ((double)yp[i] - (double)ym[i]) / step;
            mag += std::fabs((double)dy[i] * (double)op.param_derivative(k, x[i], p));
        }
        const float got = hact_ref::field(grad, k);
        EXPECT_LE(std::fabs((double)got - fd), 2e-2 * mag + 1e-3)
            << op.name << " d" << hact_ref::field_name(k) << ": got " << describe(got)
            << ", difference of hact's forward " << fd << " (sum |terms| " << mag << ")";
    }
}

INSTANTIATE_TEST_SUITE_P(All, FiniteDiff, ::testing::ValuesIn(all_op_isa()), LabelName());
// Ops without learnable parameters are covered by ParamGrad (all zeros); none here.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FiniteDiffParams);
INSTANTIATE_TEST_SUITE_P(All, FiniteDiffParams, ::testing::ValuesIn(learnable_op_isa()), LabelName());

}  // namespace

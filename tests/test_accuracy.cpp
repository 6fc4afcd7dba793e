// 1. Accuracy sweep: every op x parameter set x ISA x direction against the long-double
// reference, over float32 bit patterns across the whole range plus dense samples where the
// functions are delicate. Asserts max error <= the op's bound (tests/reference/<op>.h) and prints
// max / mean error per case (lines starting "ULPSTAT", also recorded as test properties).
#include "hact_test.h"

#include <algorithm>

namespace {
using namespace hact_test;

enum class Dir { Forward, BackwardOnes, BackwardRandom };
const char* dir_label(Dir d) {
    switch (d) {
    case Dir::Forward: return "fwd";
    case Dir::BackwardOnes: return "bwd_dy1";
    case Dir::BackwardRandom: return "bwd_dyrand";
    }
    return "?";
}

struct AccCase {
    OpParams op;
    hact_isa isa;
    Dir dir;
    std::string label() const { return op.label() + "_" + dir_label(dir) + "_" + isa_label(isa); }
};
void PrintTo(const AccCase& c, std::ostream* os) { *os << c.label(); }

std::vector<AccCase> cases() {
    std::vector<AccCase> v;
    for (const OpParams& p : all_op_params())
        for (Dir d : {Dir::Forward, Dir::BackwardOnes, Dir::BackwardRandom})
            for (hact_isa isa : all_backends()) v.push_back({p, isa, d});
    return v;
}

// Samples of [lo, hi] evenly spaced in value (count points, rounded to float).
void add_value_range(std::vector<float>& v, ld lo, ld hi, int count) {
    for (int k = 0; k < count; ++k) v.push_back((float)(lo + (hi - lo) * (k + 0.5L) / count));
}
// Bit patterns [first, last] with the given stride, and their negatives.
void add_bit_range(std::vector<float>& v, uint32_t first, uint32_t last, uint32_t stride) {
    for (uint64_t u = first; u <= last; u += thinned_stride(stride)) {
        v.push_back(from_bits((uint32_t)u));
        v.push_back(from_bits((uint32_t)u | 0x80000000u));
    }
}

std::vector<float> sweep_inputs(const OpParams& op) {
    std::vector<float> v;
    v.reserve(6u << 20);
    // Every 1021st of the 2^32 patterns (a prime stride: all exponents, both signs, many
    // mantissas; includes NaN patterns), ~4.2M values.
    for (uint64_t u = 0; u < (1ull << 32); u += thinned_stride(1021)) v.push_back(from_bits((uint32_t)u));
    // The edges of the format.
    for (float f : {0.0f, FLT_MIN, FLT_MAX, FLT_TRUE_MIN, 1.0f, INFINITY, NAN}) {
        v.push_back(f);
        v.push_back(-f);
    }
    // Where the op is delicate (per op and parameters: tests/reference/<op>.h).
    for (const hact_ref::Range& r : op.op->dense_ranges(op.ref_params()))
        add_value_range(v, r.lo, r.hi, 400009 / thinning());
    // Near zero: |x| in [2^-40, 1], dense in bits.
    add_bit_range(v, bits(0x1p-40f), bits(1.0f), 1693);
    // Subnormals.
    add_bit_range(v, 1, 0x007fffffu, 67);
    return v;
}

class Accuracy : public OpTest<AccCase> {};

TEST_P(Accuracy, MaxUlpWithinBound) {
    const bool fwd = c.dir == Dir::Forward;
    const double bound = fwd ? op.forward_ulp : op.backward_ulp;

    const std::vector<float> x = sweep_inputs(c.op);
    const size_t n = x.size();
    std::vector<float> dy(n, 1.0f), out(n, from_bits(GuardedBuffer::kSentinel));
    if (c.dir == Dir::BackwardRandom) {
        auto g = rng(0xACC0 + n);
        dy = random_dys(g, n);
    }
    const hact_status s = fwd ? run_forward(op.op, HACT_F32, x.data(), out.data(), n, &hp)
                              : run_backward(op.op, HACT_F32, x.data(), dy.data(), out.data(), n, &hp);
    ASSERT_EQ(s, HACT_OK) << hact_last_error();

    double max_err = 0, sum_err = 0;
    size_t worst = 0, finite_count = 0, over = 0;
    std::string examples;
    for (size_t i = 0; i < n; ++i) {
        double e;
        ld ref;
        if (fwd) {
            ref = op.forward(x[i], p);
            e = ulp_error(out[i], ref);
        } else {
            ref = (ld)dy[i] * op.derivative(x[i], p);
            const ld unit = std::max(ulp_f32(ref), ulp_f32(fabsl((ld)dy[i]) * op.derivative_scale(x[i], p)));
            e = error_in(out[i], ref, unit);
        }
        if (std::isfinite(e)) {
            sum_err += e;
            ++finite_count;
        }
        if (!(e <= max_err)) {
            max_err = e;
            worst = i;
        }
        if (!(e <= bound) && ++over <= 8) {
            examples += "\n  x=" + describe(x[i]) + (fwd ? "" : " dy=" + describe(dy[i])) +
                        " got=" + describe(out[i]) + " expected=" + describe_ld(ref) +
                        " err=" + std::to_string(e);
        }
    }
    const double mean = finite_count ? sum_err / (double)finite_count : 0.0;
    std::printf("ULPSTAT\t%s\t%s\t%s\t%s\tmax=%.4g\tmean=%.4g\tn=%zu\tworst_x=%s\n", op.name,
                c.op.named().label.c_str(), dir_label(c.dir), isa_label(c.isa).c_str(), max_err, mean,
                n, describe(x[worst]).c_str());
    RecordProperty("max_ulp", std::to_string(max_err));
    RecordProperty("mean_ulp", std::to_string(mean));
    RecordProperty("samples", std::to_string(n));

    ld worst_ref = fwd ? op.forward(x[worst], p) : (ld)dy[worst] * op.derivative(x[worst], p);
    EXPECT_LE(max_err, bound) << op.name << " " << c.op.named().label << " " << dir_label(c.dir)
                              << " on " << isa_label(c.isa) << ": " << over << " of " << n
                              << " samples over " << bound << " ULP; worst x=" << describe(x[worst])
                              << (fwd ? "" : " dy=" + describe(dy[worst]))
                              << " got=" << describe(out[worst]) << " expected=" << describe_ld(worst_ref)
                              << " err=" << max_err << " ULP; first failures:" << examples;
}

INSTANTIATE_TEST_SUITE_P(All, Accuracy, ::testing::ValuesIn(cases()), LabelName());

}  // namespace

// 13. The parameter policy (docs/reliability.md, "Parameters"): for every op, what each unusual
// parameter value does. One table: a row is an op, the fields it changes from PyTorch's
// defaults, and the decision:
//   Meaning  the value follows the op's formula (docs/activations.md); forward and backward are
//            checked against the long-double reference (tests/reference/<op>.h, the op's ULP
//            bounds) on every ISA, over finite, huge, infinite, zero and NaN inputs;
//   Refused  HACT_ERR_BAD_PARAMS with a message naming the field, on every entry point that
//            takes hact_params (flat, tensor), nothing written;
//   Ignored  the op does not read the field: the result is the defaults' result, bit for bit.
// A test checks that every op has rows, and that every field an op reads has a Refused row
// for NaN and for each infinity.
#include "hact_test.h"

#include <functional>
#include <map>
#include <set>

namespace {
using namespace hact_test;

enum class Decision { Meaning, Refused, Ignored };

struct Row {
    hact_op op;
    std::string label;           // C identifier characters (test names)
    std::vector<std::pair<int, float>> set;  // (field index, value)
    Decision decision;
    std::string message;         // Refused: a fragment of the message
    hact_params params() const {
        hact_params p = hact_default_params(op);
        for (auto [k, v] : set) hact_ref::field(p, k) = v;
        return p;
    }
};

constexpr int NS = 0, ALPHA = 1, BETA = 2, THRESHOLD = 3, SCALE = 4, MIN_VAL = 5, MAX_VAL = 6;
const float kSub = FLT_TRUE_MIN * 3;  // a subnormal

std::vector<Row> table() {
    std::vector<Row> t;
    auto meaning = [&](hact_op op, const std::string& label, std::vector<std::pair<int, float>> set) {
        t.push_back({op, label, std::move(set), Decision::Meaning, ""});
    };
    auto refused = [&](hact_op op, const std::string& label, std::vector<std::pair<int, float>> set,
                       const std::string& msg) { t.push_back({op, label, std::move(set), Decision::Refused, msg}); };
    // Every op: NaN and +-inf in every field it reads are refused; fields it does not read are
    // ignored, whatever their value.
    for (const OpRef& op : ops()) {
        for (int k = 0; k < hact_ref::kNumFields; ++k) {
            const std::string f = hact_ref::field_name(k);
            if (op.reads >> k & 1u) {
                refused(op.op, f + "_nan", {{k, NAN}}, f + " = nan is not finite");
                refused(op.op, f + "_inf", {{k, INFINITY}}, f + " = inf is not finite");
                refused(op.op, f + "_minus_inf", {{k, -INFINITY}}, f + " = -inf is not finite");
            }
        }
        std::vector<std::pair<int, float>> nan_unread, inf_unread;
        for (int k = 0; k < hact_ref::kNumFields; ++k) {
            if (op.reads >> k & 1u) continue;
            nan_unread.push_back({k, NAN});
            inf_unread.push_back({k, -INFINITY});
        }
        t.push_back({op.op, "unread_fields_nan", nan_unread, Decision::Ignored, ""});
        t.push_back({op.op, "unread_fields_minus_inf", inf_unread, Decision::Ignored, ""});
        if (op.reads == 0) meaning(op.op, "defaults", {});
    }
    // swish: any finite beta (0: s x / 2; negative: the mirrored curve) and scale (0: zero).
    // Magnitudes: |beta| from 2^-60 to 2^60 (or 0), |scale| up to 2^60; beyond, refused (the
    // kernels lose accuracy there: beta = 1e-30 gave 2.66e38 for swish(FLT_MAX), NaN at +inf).
    meaning(hact_op_swish, "beta_0", {{BETA, 0.0f}});
    meaning(hact_op_swish, "beta_minus_1p5", {{BETA, -1.5f}});
    meaning(hact_op_swish, "beta_2pm60", {{BETA, 0x1p-60f}});
    meaning(hact_op_swish, "beta_minus_2pm60", {{BETA, -0x1p-60f}});
    meaning(hact_op_swish, "beta_2p60", {{BETA, 0x1p60f}});
    meaning(hact_op_swish, "beta_minus_2p60", {{BETA, -0x1p60f}});
    refused(hact_op_swish, "beta_2pm61", {{BETA, 0x1p-61f}}, "beta = 4.33681e-19: must be 0 or of magnitude 2^-60 to 2^60");
    refused(hact_op_swish, "beta_1em30", {{BETA, 1e-30f}}, "must be 0 or of magnitude 2^-60 to 2^60");
    refused(hact_op_swish, "beta_subnormal", {{BETA, -kSub}}, "must be 0 or of magnitude 2^-60 to 2^60");
    refused(hact_op_swish, "beta_2p61", {{BETA, 0x1p61f}}, "must be 0 or of magnitude 2^-60 to 2^60");
    // scale = 0 would be the zero function with swish(+inf) = 0 * inf = NaN (the spec: no NaN
    // made by the formula at infinities): refused.
    refused(hact_op_swish, "scale_0", {{SCALE, 0.0f}}, "scale = 0: the zero function");
    refused(hact_op_swish, "scale_minus_0", {{SCALE, -0.0f}}, "scale = -0: the zero function");
    meaning(hact_op_swish, "scale_minus_2", {{SCALE, -2.0f}});
    meaning(hact_op_swish, "scale_1em30", {{SCALE, 1e-30f}});
    meaning(hact_op_swish, "scale_2p60", {{SCALE, 0x1p60f}});
    meaning(hact_op_swish, "scale_minus_2p60", {{SCALE, -0x1p60f}});
    refused(hact_op_swish, "scale_2p61", {{SCALE, 0x1p61f}}, "scale = 2.30584e+18: must be of magnitude at most 2^60");
    refused(hact_op_swish, "scale_minus_1e30", {{SCALE, -1e30f}}, "must be of magnitude at most 2^60");
    // leaky_relu and the scalar prelu: any finite slope (PyTorch's too).
    for (hact_op op : {hact_op_leaky_relu, hact_op_prelu}) {
        meaning(op, "slope_0", {{NS, 0.0f}});
        meaning(op, "slope_minus_0p5", {{NS, -0.5f}});
        meaning(op, "slope_3", {{NS, 3.0f}});
        meaning(op, "slope_1e30", {{NS, 1e30f}});
    }
    // hardtanh: min_val <= max_val (PyTorch's F.hardtanh raises otherwise); equal is a constant.
    refused(hact_op_hardtanh, "min_gt_max", {{MIN_VAL, 2.0f}, {MAX_VAL, 1.0f}}, "min_val = 2 is greater than max_val = 1");
    refused(hact_op_hardtanh, "min_gt_max_by_an_ulp", {{MIN_VAL, 1.0f}, {MAX_VAL, 0.99999994f}}, "greater than max_val");
    meaning(hact_op_hardtanh, "min_eq_max", {{MIN_VAL, 0.5f}, {MAX_VAL, 0.5f}});
    meaning(hact_op_hardtanh, "min_0_max_6", {{MIN_VAL, 0.0f}, {MAX_VAL, 6.0f}});
    meaning(hact_op_hardtanh, "huge_range", {{MIN_VAL, -FLT_MAX}, {MAX_VAL, FLT_MAX}});
    // hardsigmoid: any finite alpha and beta (ONNX's HardSigmoid has no restriction).
    meaning(hact_op_hardsigmoid, "alpha_0", {{ALPHA, 0.0f}});
    meaning(hact_op_hardsigmoid, "alpha_minus_0p2", {{ALPHA, -0.2f}});
    meaning(hact_op_hardsigmoid, "beta_2", {{BETA, 2.0f}});
    meaning(hact_op_hardsigmoid, "beta_minus_1", {{BETA, -1.0f}});
    // elu: any finite alpha (PyTorch's too): 0 is relu, negative flips the negative side.
    // |alpha| up to 2^48 (alpha = 1e20 lost the subnormal tail of the backward).
    meaning(hact_op_elu, "alpha_0", {{ALPHA, 0.0f}});
    meaning(hact_op_elu, "alpha_minus_1", {{ALPHA, -1.0f}});
    meaning(hact_op_elu, "alpha_1em30", {{ALPHA, 1e-30f}});
    meaning(hact_op_elu, "alpha_2p48", {{ALPHA, 0x1p48f}});
    meaning(hact_op_elu, "alpha_minus_2p48", {{ALPHA, -0x1p48f}});
    refused(hact_op_elu, "alpha_2p49", {{ALPHA, 0x1p49f}}, "alpha = 5.6295e+14: must be of magnitude at most 2^48");
    refused(hact_op_elu, "alpha_1e30", {{ALPHA, 1e30f}}, "must be of magnitude at most 2^48");
    // celu: alpha = 0 refused (PyTorch: "ZeroDivisionError: alpha cannot be 0 for CELU");
    // |alpha| from 2^-60 to 2^16, either sign (FLT_MIN gave NaN, 1e10 57 ULP at x = -1e-30).
    refused(hact_op_celu, "alpha_0", {{ALPHA, 0.0f}}, "alpha = 0: celu divides by alpha");
    refused(hact_op_celu, "alpha_minus_0", {{ALPHA, -0.0f}}, "alpha = -0: celu divides by alpha");
    meaning(hact_op_celu, "alpha_minus_0p5", {{ALPHA, -0.5f}});
    meaning(hact_op_celu, "alpha_100", {{ALPHA, 100.0f}});
    meaning(hact_op_celu, "alpha_2pm60", {{ALPHA, 0x1p-60f}});
    meaning(hact_op_celu, "alpha_minus_2pm60", {{ALPHA, -0x1p-60f}});
    meaning(hact_op_celu, "alpha_2p16", {{ALPHA, 0x1p16f}});
    meaning(hact_op_celu, "alpha_minus_2p16", {{ALPHA, -0x1p16f}});
    refused(hact_op_celu, "alpha_subnormal", {{ALPHA, kSub}}, "must be of magnitude 2^-60 to 2^16");
    refused(hact_op_celu, "alpha_flt_min", {{ALPHA, FLT_MIN}}, "must be of magnitude 2^-60 to 2^16");
    refused(hact_op_celu, "alpha_2pm61", {{ALPHA, -0x1p-61f}}, "must be of magnitude 2^-60 to 2^16");
    refused(hact_op_celu, "alpha_2p17", {{ALPHA, 0x1p17f}}, "alpha = 131072: must be of magnitude 2^-60 to 2^16");
    // softplus: beta = 0 refused (1/beta: +inf everywhere); negative beta and any finite
    // threshold (<= 0 included: the linear branch where beta x > threshold, as PyTorch) follow
    // the formula.
    refused(hact_op_softplus, "beta_0", {{BETA, 0.0f}}, "beta = 0: softplus divides by beta");
    refused(hact_op_softplus, "beta_minus_0", {{BETA, -0.0f}}, "beta = -0: softplus divides by beta");
    meaning(hact_op_softplus, "beta_minus_2", {{BETA, -2.0f}});
    // |beta| from 2^-60 to 2^60 (beta = 1e-30 gave 2.5e29 for softplus(-inf)).
    meaning(hact_op_softplus, "beta_2pm60", {{BETA, 0x1p-60f}});
    meaning(hact_op_softplus, "beta_minus_2pm60", {{BETA, -0x1p-60f}});
    meaning(hact_op_softplus, "beta_2p60", {{BETA, 0x1p60f}});
    meaning(hact_op_softplus, "beta_minus_2p60", {{BETA, -0x1p60f}});
    refused(hact_op_softplus, "beta_1em30", {{BETA, 1e-30f}}, "must be of magnitude 2^-60 to 2^60");
    refused(hact_op_softplus, "beta_2p61", {{BETA, 0x1p61f}}, "must be of magnitude 2^-60 to 2^60");
    meaning(hact_op_softplus, "threshold_0", {{THRESHOLD, 0.0f}});
    meaning(hact_op_softplus, "threshold_minus_5", {{THRESHOLD, -5.0f}});
    meaning(hact_op_softplus, "threshold_1e30", {{THRESHOLD, 1e30f}});
    meaning(hact_op_softplus, "beta_minus_1_threshold_minus_3", {{BETA, -1.0f}, {THRESHOLD, -3.0f}});
    return t;
}

struct Case {
    Row row;
    std::string label() const { return std::string(hact_op_name(row.op)) + "_" + row.label; }
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.label(); }
std::vector<Case> cases() {
    std::vector<Case> v;
    for (const Row& r : table()) v.push_back({r});
    return v;
}

const OpRef& ref_of(hact_op op) {
    for (const OpRef& r : ops())
        if (r.op == op) return r;
    throw std::runtime_error("no reference");
}

// Inputs: zeros, tiny, ordinary, kinks, huge, infinities, NaN, and a spread of magnitudes.
std::vector<float> inputs() {
    std::vector<float> x = {0.0f, -0.0f, FLT_TRUE_MIN, -FLT_TRUE_MIN, 1e-30f, -1e-30f, 0.25f, -0.25f, 0.5f,
                            -0.5f, 1.0f, -1.0f, 2.0f, -2.0f, 3.0f, -3.0f, 6.0f, -6.0f, 5.0f, 20.0f, -20.0f,
                            30.0f, -30.0f, 88.0f, -88.0f, 100.0f, -100.0f, 1e10f, -1e10f, 1e30f, -1e30f,
                            FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN};
    for (int e = -20; e <= 20; ++e) {
        x.push_back(std::ldexp(1.37f, e));
        x.push_back(-std::ldexp(1.37f, e));
    }
    return x;
}

class Params : public ::testing::TestWithParam<Case> {};

// One row on one ISA.
void check_row(const Row& row);

// Every row on every ISA this CPU runs (one test per row; the ISAs in a loop).
TEST_P(Params, Decision) {
    int ran = 0;
    for (hact_isa isa : all_isas()) {
        if (!hact_isa_available(isa)) {
            std::printf("[ note ] %s: CPU lacks %s, not run there\n", GetParam().label().c_str(), isa_label(isa).c_str());
            continue;
        }
        SCOPED_TRACE("on " + isa_label(isa));
        IsaCap cap(isa);
        ASSERT_EQ(cap.status, HACT_OK) << hact_last_error();
        ASSERT_EQ(hact_get_isa(), isa);
        check_row(GetParam().row);
        ++ran;
    }
    EXPECT_GT(ran, 0);
}

void check_row(const Row& row) {
    const hact_op op = row.op;
    const hact_params hp = row.params();
    const std::vector<float> x = inputs();
    const size_t n = x.size();
    std::vector<float> dy(n, 1.0f);
    auto g = rng(0x9A7A + n);
    for (size_t i = n / 2; i < n; ++i) dy[i] = random_dy(g);

    switch (row.decision) {
    case Decision::Refused: {
        GuardedBuffer y(n), dx(n);
        hact_params grad;
        const std::string name = hact_op_name(op);
        auto check = [&](hact_status s, const char* entry) {
            EXPECT_EQ(s, HACT_ERR_BAD_PARAMS) << entry << ": " << hact_last_error();
            const std::string m = hact_last_error();
            EXPECT_NE(m.find(row.message), std::string::npos) << entry << ": message '" << m << "' lacks '" << row.message << "'";
            EXPECT_NE(m.find(name), std::string::npos) << entry << ": message '" << m << "' does not name the op";
        };
        y.fill_sentinel();
        dx.fill_sentinel();
        check(hact_forward(op, HACT_F32, x.data(), y.data(), n, &hp), "hact_forward");
        check(hact_backward(op, HACT_F32, x.data(), dy.data(), dx.data(), n, &hp), "hact_backward");
        check(hact_backward_params(op, HACT_F32, x.data(), dy.data(), n, &hp, &grad), "hact_backward_params");
        for (hact_dtype dt : {HACT_BF16, HACT_F16}) {  // the 2-byte kernels take the same checks
            std::vector<uint16_t> xs(n, 0x3F80), out(n, 0xBEEF);
            check(hact_forward(op, dt, xs.data(), out.data(), n, &hp), "hact_forward (16-bit)");
            for (uint16_t v : out) ASSERT_EQ(v, 0xBEEF);
        }
        const int64_t shape[1] = {(int64_t)n};
        hact_tensor tx = hact_tensor_make(const_cast<float*>(x.data()), HACT_F32, 1, shape, nullptr);
        hact_tensor ty = hact_tensor_make(y.data(), HACT_F32, 1, shape, nullptr);
        hact_tensor tdy = hact_tensor_make(dy.data(), HACT_F32, 1, shape, nullptr);
        hact_tensor tdx = hact_tensor_make(dx.data(), HACT_F32, 1, shape, nullptr);
        check(hact_forward_tensor(op, &tx, &ty, &hp), "hact_forward_tensor");
        check(hact_backward_tensor(op, &tx, &tdy, &tdx, &hp), "hact_backward_tensor");
        check(hact_backward_params_tensor(op, &tx, &tdy, &hp, &grad), "hact_backward_params_tensor");
        // n = 0 is checked too: the parameters are refused before the length is looked at.
        check(hact_forward(op, HACT_F32, nullptr, nullptr, 0, &hp), "hact_forward (n = 0)");
        EXPECT_TRUE(y.untouched() && dx.untouched()) << "a refused call wrote to its output";
        break;
    }
    case Decision::Ignored: {
        std::vector<float> y(n), y0(n), dx(n), dx0(n);
        ASSERT_EQ(hact_forward(op, HACT_F32, x.data(), y.data(), n, &hp), HACT_OK) << hact_last_error();
        ASSERT_EQ(hact_forward(op, HACT_F32, x.data(), y0.data(), n, nullptr), HACT_OK) << hact_last_error();
        ASSERT_EQ(hact_backward(op, HACT_F32, x.data(), dy.data(), dx.data(), n, &hp), HACT_OK) << hact_last_error();
        ASSERT_EQ(hact_backward(op, HACT_F32, x.data(), dy.data(), dx0.data(), n, nullptr), HACT_OK);
        for (size_t i = 0; i < n; ++i) {
            ASSERT_EQ(bits(y[i]), bits(y0[i])) << "x=" << describe(x[i]);
            ASSERT_EQ(bits(dx[i]), bits(dx0[i])) << "x=" << describe(x[i]);
        }
        break;
    }
    case Decision::Meaning: {
        const OpRef& r = ref_of(op);
        const hact_ref::Params p = hact_ref::from_hact(hp);
        GuardedBuffer y(n), dx(n);
        ASSERT_EQ(hact_forward(op, HACT_F32, x.data(), y.data(), n, &hp), HACT_OK) << hact_last_error();
        ASSERT_EQ(hact_backward(op, HACT_F32, x.data(), dy.data(), dx.data(), n, &hp), HACT_OK) << hact_last_error();
        EXPECT_TRUE(y.guards_intact() && dx.guards_intact());
        for (size_t i = 0; i < n; ++i) {
            // Where the reference's formula has no value at a number (swish with beta = 0 at
            // +-inf: 0 * inf in f'), that direction is not compared, and says so; the kernels'
            // limit there is checked by SwishBetaZero (tests/test_special_values.cpp).
            const ld fref = r.forward(x[i], p);
            if (!std::isnan(x[i]) && std::isnan(fref)) {
                std::printf("[ note ] %s %s: no reference f(%s), got %s: not compared\n", hact_op_name(op),
                            row.label.c_str(), describe(x[i]).c_str(), describe(y[i]).c_str());
            } else {
                EXPECT_LE(ulp_error(y[i], fref), r.forward_ulp)
                    << "forward x=" << describe(x[i]) << " got " << describe(y[i]) << " expected " << describe_ld(fref);
            }
            if (!std::isnan(x[i]) && std::isnan(r.derivative(x[i], p))) {
                std::printf("[ note ] %s %s: no reference f'(%s), got %s: not compared\n", hact_op_name(op),
                            row.label.c_str(), describe(x[i]).c_str(), describe(dx[i]).c_str());
                continue;
            }
            const ld dref = (ld)dy[i] * r.derivative(x[i], p);
            const ld unit = std::max(ulp_f32(dref), ulp_f32(fabsl((ld)dy[i]) * r.derivative_scale(x[i], p)));
            EXPECT_LE(error_in(dx[i], dref, unit), r.backward_ulp)
                << "backward x=" << describe(x[i]) << " dy=" << describe(dy[i]) << " got " << describe(dx[i])
                << " expected " << describe_ld(dref);
        }
        break;
    }
    }
}

INSTANTIATE_TEST_SUITE_P(All, Params, ::testing::ValuesIn(cases()), LabelName());

// The table covers every op, and for every field an op reads, NaN and both infinities.
TEST(ParamsTable, CoversEveryOpAndField) {
    const std::vector<Row> t = table();
    std::map<hact_op, int> rows;
    std::map<std::pair<int, int>, int> nonfinite_count;
    for (const Row& r : t) {
        rows[r.op]++;
        if (r.decision == Decision::Refused && r.set.size() == 1 && !std::isfinite(r.set[0].second))
            nonfinite_count[{(int)r.op, r.set[0].first}]++;
    }
    for (const OpRef& op : ops()) {
        EXPECT_GT(rows[op.op], 0) << op.name << " has no row";
        for (int k = 0; k < hact_ref::kNumFields; ++k) {
            if (op.reads >> k & 1u) {
                EXPECT_EQ((nonfinite_count[{(int)op.op, k}]), 3) << op.name << "." << hact_ref::field_name(k);
            }
        }
    }
}

// The GLU gates read no parameter: hact_params is ignored there, whatever it holds.
TEST(ParamsTable, GluGatesIgnoreParameters) {
    std::vector<float> a = inputs(), b(a.size(), 1.5f), o(a.size()), o0(a.size());
    hact_params junk;
    for (int k = 0; k < hact_ref::kNumFields; ++k) hact_ref::field(junk, k) = NAN;
    for (int k = 0; k < hact_glu_count(); ++k) {
        const hact_glu kind = (hact_glu)k;
        ASSERT_EQ(hact_op_params(hact_glu_gate(kind)), 0u) << hact_glu_name(kind) << "'s gate reads parameters: add rows";
        ASSERT_EQ(hact_glu_forward(kind, HACT_F32, a.data(), b.data(), o.data(), a.size(), &junk), HACT_OK)
            << hact_last_error();
        ASSERT_EQ(hact_glu_forward(kind, HACT_F32, a.data(), b.data(), o0.data(), a.size(), nullptr), HACT_OK);
        for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(bits(o[i]), bits(o0[i])) << hact_glu_name(kind);
    }
}

}  // namespace

// 7. Bad input gives a status and a message and writes nothing (guards and outputs intact), on
// every op x ISA; the query functions (names, ISAs, threads, version, defaults) and their errors;
// thread-locality of hact_last_error().
#include "hact_test.h"

#include <set>
#include <thread>

namespace {
using namespace hact_test;

constexpr size_t kN = 40;

// Inputs, and sentinel-filled outputs that a failing call must leave untouched.
struct Bufs {
    GuardedBuffer x{kN}, dy{kN}, y{kN}, dx{kN};
    Bufs() {
        for (size_t i = 0; i < kN; ++i) {
            x[i] = 0.1f * (float)i - 2.0f;
            dy[i] = 1.0f;
        }
    }
    bool outputs_untouched() const { return y.untouched() && dx.untouched(); }
};

bool mentions(const std::string& msg, const std::string& what) { return msg.find(what) != std::string::npos; }

// Leaves a known message behind, so that a call that fails without setting its own is seen.
inline void plant_stale_message() {
    hact_isa unused;
    (void)hact_isa_from_name("stale-marker", &unused);
}

// A failing call's status and message (its own, non-empty, naming op_text).
#define EXPECT_FAILS(call, status, op_text)                                                         \
    do {                                                                                            \
        plant_stale_message();                                                                      \
        const hact_status s_ = (call);                                                              \
        EXPECT_EQ(s_, (status)) << #call;                                                           \
        const std::string m_ = hact_last_error();                                                   \
        if (s_ != HACT_OK) {                                                                        \
            EXPECT_FALSE(m_.empty() || mentions(m_, "stale-marker"))                                \
                << #call << ": failed without setting hact_last_error()";                           \
            EXPECT_TRUE(mentions(m_, (op_text)))                                                    \
                << #call << ": message '" << m_ << "' does not name '" << (op_text) << "'";         \
        }                                                                                           \
    } while (0)

// Every test runs capped at the case's ISA (IsaTest), with the op, its name (which every failing
// call's message must mention), buffers, and a parameter-gradient output.
class Errors : public IsaTest<OpOnlyIsa> {
  protected:
    const hact_op op = GetParam().op->op;
    const std::string name = GetParam().op->name;
    Bufs b;
    hact_params grad;
};

TEST_P(Errors, NullPointers) {
    EXPECT_FAILS(hact_forward(op, HACT_F32, nullptr, b.y.data(), kN, nullptr), HACT_ERR_INVALID_ARGUMENT, name);
    EXPECT_FAILS(hact_forward(op, HACT_F32, b.x.data(), nullptr, kN, nullptr), HACT_ERR_INVALID_ARGUMENT, name);
    EXPECT_FAILS(hact_backward(op, HACT_F32, nullptr, b.dy.data(), b.dx.data(), kN, nullptr),
                 HACT_ERR_INVALID_ARGUMENT, name);
    EXPECT_FAILS(hact_backward(op, HACT_F32, b.x.data(), nullptr, b.dx.data(), kN, nullptr),
                 HACT_ERR_INVALID_ARGUMENT, name);
    EXPECT_FAILS(hact_backward(op, HACT_F32, b.x.data(), b.dy.data(), nullptr, kN, nullptr),
                 HACT_ERR_INVALID_ARGUMENT, name);
    EXPECT_FAILS(hact_backward_params(op, HACT_F32, nullptr, b.dy.data(), kN, nullptr, &grad),
                 HACT_ERR_INVALID_ARGUMENT, name);
    EXPECT_FAILS(hact_backward_params(op, HACT_F32, b.x.data(), nullptr, kN, nullptr, &grad),
                 HACT_ERR_INVALID_ARGUMENT, name);
    EXPECT_FAILS(hact_backward_params(op, HACT_F32, b.x.data(), b.dy.data(), kN, nullptr, nullptr),
                 HACT_ERR_INVALID_ARGUMENT, name);
    EXPECT_TRUE(b.outputs_untouched());
    // n = 0: nothing to read or write, NULL is fine.
    EXPECT_EQ(hact_forward(op, HACT_F32, nullptr, nullptr, 0, nullptr), HACT_OK) << hact_last_error();
    EXPECT_EQ(hact_backward(op, HACT_F32, nullptr, nullptr, nullptr, 0, nullptr), HACT_OK) << hact_last_error();
    EXPECT_EQ(hact_backward_params(op, HACT_F32, nullptr, nullptr, 0, nullptr, &grad), HACT_OK)
        << hact_last_error();
    // n = 0 with a real buffer: nothing written.
    EXPECT_EQ(hact_forward(op, HACT_F32, b.x.data(), b.y.data(), 0, nullptr), HACT_OK);
    EXPECT_EQ(hact_backward(op, HACT_F32, b.x.data(), b.dy.data(), b.dx.data(), 0, nullptr), HACT_OK);
    EXPECT_TRUE(b.outputs_untouched());
}

TEST_P(Errors, UnsupportedAndInvalidDtypes) {
    // Values that are no dtype (every hact_dtype is built: test_float64.cpp covers HACT_F64).
    const struct {
        std::vector<int> dtypes;
        hact_status status;
        const char* note;
    } kinds[] = {{{99, -1, 4}, HACT_ERR_INVALID_ARGUMENT, ""}};
    for (const auto& kind : kinds) {
        for (int v : kind.dtypes) {
            SCOPED_TRACE("dtype " + std::to_string(v) + kind.note);
            const hact_dtype dt = (hact_dtype)v;
            EXPECT_FAILS(hact_forward(op, dt, b.x.data(), b.y.data(), 8, nullptr), kind.status, name);
            EXPECT_FAILS(hact_backward(op, dt, b.x.data(), b.dy.data(), b.dx.data(), 8, nullptr),
                         kind.status, name);
            EXPECT_FAILS(hact_backward_params(op, dt, b.x.data(), b.dy.data(), 8, nullptr, &grad),
                         kind.status, name);
        }
    }
    EXPECT_TRUE(b.outputs_untouched());
}

TEST_P(Errors, NonFiniteParametersTheOpReads) {
    const unsigned reads = hact_op_params(op);
    std::vector<float> y_default(kN), dx_default(kN);
    ASSERT_EQ(hact_forward(op, HACT_F32, b.x.data(), y_default.data(), kN, nullptr), HACT_OK);
    ASSERT_EQ(hact_backward(op, HACT_F32, b.x.data(), b.dy.data(), dx_default.data(), kN, nullptr), HACT_OK);
    for (int k = 0; k < hact_ref::kNumFields; ++k) {
        for (float bad : {NAN, -NAN, INFINITY, -INFINITY}) {
            SCOPED_TRACE(std::string(hact_ref::field_name(k)) + " = " + describe(bad));
            hact_params p = hact_default_params(op);
            hact_ref::field(p, k) = bad;
            if (reads >> k & 1u) {
                EXPECT_FAILS(hact_forward(op, HACT_F32, b.x.data(), b.y.data(), kN, &p), HACT_ERR_BAD_PARAMS, name);
                EXPECT_TRUE(mentions(hact_last_error(), hact_ref::field_name(k))) << hact_last_error();
                EXPECT_FAILS(hact_backward(op, HACT_F32, b.x.data(), b.dy.data(), b.dx.data(), kN, &p),
                             HACT_ERR_BAD_PARAMS, name);
                EXPECT_FAILS(hact_backward_params(op, HACT_F32, b.x.data(), b.dy.data(), kN, &p, &grad),
                             HACT_ERR_BAD_PARAMS, name);
                EXPECT_TRUE(b.outputs_untouched());
            } else {
                // A field the op does not read is ignored, whatever its value.
                std::vector<float> y(kN), dx(kN);
                ASSERT_EQ(hact_forward(op, HACT_F32, b.x.data(), y.data(), kN, &p), HACT_OK) << hact_last_error();
                ASSERT_EQ(hact_backward(op, HACT_F32, b.x.data(), b.dy.data(), dx.data(), kN, &p), HACT_OK)
                    << hact_last_error();
                EXPECT_EQ(hact_backward_params(op, HACT_F32, b.x.data(), b.dy.data(), kN, &p, &grad), HACT_OK)
                    << hact_last_error();
                for (size_t i = 0; i < kN; ++i) {
                    EXPECT_EQ(bits(y[i]), bits(y_default[i])) << "forward [" << i << "]";
                    EXPECT_EQ(bits(dx[i]), bits(dx_default[i])) << "backward [" << i << "]";
                }
            }
        }
    }
}

TEST_P(Errors, PartialOverlap) {
    GuardedBuffer buf(3 * kN), ref(3 * kN);
    for (size_t i = 0; i < 3 * kN; ++i) buf[i] = ref[i] = 0.05f * (float)i - 3.0f;
    float* base = buf.data() + kN;
    auto unchanged = [&] {
        for (size_t i = 0; i < 3 * kN; ++i)
            if (bits(buf[i]) != bits(ref[i])) return false;
        return buf.guards_intact();
    };
    for (long shift : {1L, -1L, 5L, -17L, (long)kN - 1, -(long)kN + 1}) {
        SCOPED_TRACE("output at input + " + std::to_string(shift) + " elements");
        EXPECT_FAILS(hact_forward(op, HACT_F32, base, base + shift, kN, nullptr), HACT_ERR_INVALID_ARGUMENT, name);
        EXPECT_FAILS(hact_backward(op, HACT_F32, base, ref.data(), base + shift, kN, nullptr),
                     HACT_ERR_INVALID_ARGUMENT, name);  // dx overlaps x
        EXPECT_FAILS(hact_backward(op, HACT_F32, ref.data(), base, base + shift, kN, nullptr),
                     HACT_ERR_INVALID_ARGUMENT, name);  // dx overlaps dy
        EXPECT_TRUE(unchanged());
    }
    // Adjacent but disjoint arrays are fine.
    EXPECT_EQ(hact_forward(op, HACT_F32, base, base + kN, kN, nullptr), HACT_OK) << hact_last_error();
    EXPECT_EQ(hact_forward(op, HACT_F32, base, base - kN, kN, nullptr), HACT_OK) << hact_last_error();
}

TEST_P(Errors, MisalignedPointers) {
    for (size_t off : {size_t{1}, size_t{2}, size_t{3}}) {
        SCOPED_TRACE("pointer + " + std::to_string(off) + " bytes");
        auto mis = [off](float* p) { return reinterpret_cast<float*>(reinterpret_cast<char*>(p) + off); };
        EXPECT_FAILS(hact_forward(op, HACT_F32, mis(b.x.data()), b.y.data(), 8, nullptr),
                     HACT_ERR_INVALID_ARGUMENT, name);
        EXPECT_FAILS(hact_forward(op, HACT_F32, b.x.data(), mis(b.y.data()), 8, nullptr),
                     HACT_ERR_INVALID_ARGUMENT, name);
        EXPECT_FAILS(hact_backward(op, HACT_F32, mis(b.x.data()), b.dy.data(), b.dx.data(), 8, nullptr),
                     HACT_ERR_INVALID_ARGUMENT, name);
        EXPECT_FAILS(hact_backward(op, HACT_F32, b.x.data(), mis(b.dy.data()), b.dx.data(), 8, nullptr),
                     HACT_ERR_INVALID_ARGUMENT, name);
        EXPECT_FAILS(hact_backward(op, HACT_F32, b.x.data(), b.dy.data(), mis(b.dx.data()), 8, nullptr),
                     HACT_ERR_INVALID_ARGUMENT, name);
        EXPECT_FAILS(hact_backward_params(op, HACT_F32, mis(b.x.data()), b.dy.data(), 8, nullptr, &grad),
                     HACT_ERR_INVALID_ARGUMENT, name);
        EXPECT_FAILS(hact_backward_params(op, HACT_F32, b.x.data(), mis(b.dy.data()), 8, nullptr, &grad),
                     HACT_ERR_INVALID_ARGUMENT, name);
        EXPECT_TRUE(b.outputs_untouched());
    }
}

TEST_P(Errors, DefaultParamsEqualNullParams) {
    const hact_params d = hact_default_params(op);
    std::vector<float> y0(kN), y1(kN), dx0(kN), dx1(kN);
    hact_params g0, g1;
    ASSERT_EQ(hact_forward(op, HACT_F32, b.x.data(), y0.data(), kN, nullptr), HACT_OK);
    ASSERT_EQ(hact_forward(op, HACT_F32, b.x.data(), y1.data(), kN, &d), HACT_OK);
    ASSERT_EQ(hact_backward(op, HACT_F32, b.x.data(), b.dy.data(), dx0.data(), kN, nullptr), HACT_OK);
    ASSERT_EQ(hact_backward(op, HACT_F32, b.x.data(), b.dy.data(), dx1.data(), kN, &d), HACT_OK);
    ASSERT_EQ(hact_backward_params(op, HACT_F32, b.x.data(), b.dy.data(), kN, nullptr, &g0), HACT_OK);
    ASSERT_EQ(hact_backward_params(op, HACT_F32, b.x.data(), b.dy.data(), kN, &d, &g1), HACT_OK);
    EXPECT_EQ(std::memcmp(y0.data(), y1.data(), kN * 4), 0);
    EXPECT_EQ(std::memcmp(dx0.data(), dx1.data(), kN * 4), 0);
    EXPECT_EQ(std::memcmp(&g0, &g1, sizeof g0), 0);
}

INSTANTIATE_TEST_SUITE_P(All, Errors, ::testing::ValuesIn(all_ops_by_isa()), LabelName());

// ---- unknown ops --------------------------------------------------------------------------------
TEST(ErrorsUnknownOp, EveryEntryPoint) {
    Bufs b;
    hact_params grad;
    std::memset(&grad, 0x5a, sizeof grad);
    const hact_params grad_before = grad;
    for (int v : {999, -1, hact_op_count(), 1 << 30}) {
        SCOPED_TRACE("op " + std::to_string(v));
        const hact_op op = (hact_op)v;
        const std::string num = std::to_string(v);
        EXPECT_FAILS(hact_forward(op, HACT_F32, b.x.data(), b.y.data(), kN, nullptr), HACT_ERR_UNKNOWN_OP, num);
        EXPECT_FAILS(hact_backward(op, HACT_F32, b.x.data(), b.dy.data(), b.dx.data(), kN, nullptr),
                     HACT_ERR_UNKNOWN_OP, num);
        EXPECT_FAILS(hact_backward_params(op, HACT_F32, b.x.data(), b.dy.data(), kN, nullptr, &grad),
                     HACT_ERR_UNKNOWN_OP, num);
        EXPECT_EQ(hact_op_name(op), nullptr);
        const hact_params d = hact_default_params(op);
        for (int k = 0; k < hact_ref::kNumFields; ++k) EXPECT_EQ(bits(hact_ref::field_value(d, k)), 0u);
        EXPECT_EQ(hact_op_params(op), 0u);
        EXPECT_EQ(hact_op_learnable_params(op), 0u);
    }
    EXPECT_TRUE(b.outputs_untouched());
    EXPECT_EQ(std::memcmp(&grad, &grad_before, sizeof grad), 0) << "grad written by a failing call";
}

// ---- the registry queries -----------------------------------------------------------------------
TEST(Registry, TablesMatchTheRegistry) {
    int count = 0;
#define HACT_OP(name, learnable, reads, defaults)                                                  \
    {                                                                                              \
        ++count;                                                                                   \
        EXPECT_STREQ(hact_op_name(hact_op_##name), #name);                                         \
        hact_op got = (hact_op)-5;                                                                 \
        EXPECT_EQ(hact_op_from_name(#name, &got), HACT_OK);                                        \
        EXPECT_EQ(got, hact_op_##name);                                                            \
        EXPECT_EQ(hact_op_learnable_params(hact_op_##name), (unsigned)(learnable)) << #name;       \
        EXPECT_EQ(hact_op_params(hact_op_##name), (unsigned)(reads)) << #name;                     \
        EXPECT_EQ((hact_op_learnable_params(hact_op_##name) & ~hact_op_params(hact_op_##name)), 0u) \
            << #name << ": a learnable field must be read";                                        \
    }
#include "hact/activations.def"
#undef HACT_OP
    EXPECT_EQ(hact_op_count(), count);
    EXPECT_EQ(hact_op_count(), (int)hact_op_count_);
    EXPECT_EQ(ops().size(), (size_t)count);
    for (int i = 0; i < hact_op_count(); ++i) EXPECT_EQ(ops()[i].op, (hact_op)i);
}

TEST(Registry, DefaultParams) {
    // PyTorch's defaults (spec): swish beta = 1, scale = 1; everything else 0.
    const hact_params s = hact_default_params(hact_op_swish);
    EXPECT_EQ(s.beta, 1.0f);
    EXPECT_EQ(s.scale, 1.0f);
    hact_params zero_rest = s;
    zero_rest.beta = zero_rest.scale = 0;
    for (int k = 0; k < hact_ref::kNumFields; ++k) EXPECT_EQ(bits(hact_ref::field(zero_rest, k)), 0u);
    const hact_params si = hact_default_params(hact_op_silu);
    for (int k = 0; k < hact_ref::kNumFields; ++k)
        EXPECT_EQ(bits(hact_ref::field_value(si, k)), 0u) << hact_ref::field_name(k);
}

TEST(Registry, OpFromName) {
    hact_op op = hact_op_swish;
    EXPECT_EQ(hact_op_from_name("silu", &op), HACT_OK);
    EXPECT_EQ(op, hact_op_silu);
    for (const char* bad : {"SiLU", "silu ", "", "relu_", "swish\n", "unknown_op"}) {
        op = (hact_op)-7;
        EXPECT_EQ(hact_op_from_name(bad, &op), HACT_ERR_UNKNOWN_OP) << "'" << bad << "'";
        EXPECT_EQ(op, (hact_op)-7) << "out-parameter written on failure";
        EXPECT_FALSE(std::string(hact_last_error()).empty());
    }
    EXPECT_TRUE(mentions(hact_last_error(), "unknown_op")) << hact_last_error();
    EXPECT_EQ(hact_op_from_name(nullptr, &op), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(hact_op_from_name("silu", nullptr), HACT_ERR_INVALID_ARGUMENT);
}

TEST(Registry, StatusStrings) {
    std::set<std::string> seen;
    for (int s = HACT_OK; s <= HACT_ERR_DEVICE_UNAVAILABLE; ++s) {
        const char* str = hact_status_string((hact_status)s);
        ASSERT_NE(str, nullptr) << s;
        EXPECT_STRNE(str, "") << s;
        EXPECT_TRUE(seen.insert(str).second) << "status " << s << " shares its string '" << str << "'";
    }
    for (int s : {-1, HACT_ERR_DEVICE_UNAVAILABLE + 1, 99}) {
        const char* str = hact_status_string((hact_status)s);
        ASSERT_NE(str, nullptr) << s;
        EXPECT_STRNE(str, "") << s;
        EXPECT_EQ(seen.count(str), 0u) << "unknown status " << s << " reads as a known one: " << str;
    }
}

// ---- ISAs ---------------------------------------------------------------------------------------
TEST(Isa, NamesAndAvailability) {
    for (hact_isa isa : all_isas()) {
        const char* name = hact_isa_name(isa);
        ASSERT_NE(name, nullptr);
        hact_isa back = (hact_isa)0;
        EXPECT_EQ(hact_isa_from_name(name, &back), HACT_OK);
        EXPECT_EQ(back, isa);
    }
    EXPECT_STREQ(hact_isa_name(HACT_ISA_X86_64), "x86_64");
    EXPECT_STREQ(hact_isa_name(HACT_ISA_AVX2), "avx2");
    EXPECT_STREQ(hact_isa_name(HACT_ISA_AVX512), "avx512");
    EXPECT_STREQ(hact_isa_name(HACT_ISA_NEON), "neon");
    EXPECT_STREQ(hact_isa_name(HACT_ISA_NEON_FP16), "neon_fp16");
    for (int bad : {0, -1, HACT_ISA_LAST + 1, 99}) {
        EXPECT_EQ(hact_isa_name((hact_isa)bad), nullptr) << bad;
        EXPECT_EQ(hact_isa_available((hact_isa)bad), 0) << bad;
    }
    hact_isa out = HACT_ISA_AVX2;
    for (const char* bad : {"AVX2", "sse4", "", "avx512f"}) {
        EXPECT_EQ(hact_isa_from_name(bad, &out), HACT_ERR_INVALID_ARGUMENT) << bad;
        EXPECT_EQ(out, HACT_ISA_AVX2) << "out-parameter written on failure";
    }
    EXPECT_EQ(hact_isa_from_name(nullptr, &out), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(hact_isa_from_name("avx2", nullptr), HACT_ERR_INVALID_ARGUMENT);
#if defined(__x86_64__)
    EXPECT_EQ(hact_isa_available(HACT_ISA_X86_64), 1) << "the baseline variant runs on every x86-64";
    EXPECT_EQ(hact_isa_available(HACT_ISA_NEON), 0) << "an AArch64 variant on x86-64";
#elif defined(__aarch64__)
    EXPECT_EQ(hact_isa_available(HACT_ISA_NEON), 1) << "the baseline variant runs on every AArch64";
    EXPECT_EQ(hact_isa_available(HACT_ISA_X86_64), 0) << "an x86-64 variant on AArch64";
#endif
    // The running variant is the best available one (no cap in this test's environment).
    hact_set_max_isa(HACT_ISA_LAST);
    hact_isa best = (hact_isa)0;
    for (hact_isa isa : all_isas())
        if (hact_isa_available(isa)) best = isa;
    EXPECT_EQ(hact_get_isa(), best);
}

TEST(Isa, SetMaxIsaRejectsBadValues) {
    hact_set_max_isa(HACT_ISA_LAST);
    const hact_isa before = hact_get_isa();
    for (int bad : {0, 99, -1, HACT_ISA_LAST + 1}) {
        EXPECT_EQ(hact_set_max_isa((hact_isa)bad), HACT_ERR_INVALID_ARGUMENT) << bad;
        EXPECT_FALSE(std::string(hact_last_error()).empty());
        EXPECT_EQ(hact_get_isa(), before) << "a rejected cap changed the variant";
    }
}

TEST(Isa, CapSelectsEveryAvailableVariant) {
    for (hact_isa isa : all_isas()) {
        if (!hact_isa_available(isa)) continue;
        IsaCap cap(isa);
        EXPECT_EQ(cap.status, HACT_OK);
        EXPECT_EQ(hact_get_isa(), isa);
    }
}

// ---- threads ------------------------------------------------------------------------------------
TEST(Threads, SetNumThreads) {
    EXPECT_EQ(hact_set_num_threads(3), HACT_OK);
    EXPECT_EQ(hact_get_num_threads(), 3);
    EXPECT_EQ(hact_set_num_threads(-1), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_FALSE(std::string(hact_last_error()).empty());
    EXPECT_EQ(hact_get_num_threads(), 3) << "a rejected count changed the setting";
    EXPECT_EQ(hact_set_num_threads(0), HACT_OK);
    EXPECT_GE(hact_get_num_threads(), 1) << "0 means one per core";
}

// ---- hact_last_error is per thread --------------------------------------------------------------
TEST(LastError, ThreadLocal) {
    std::string fresh = "not run";
    std::thread([&] { fresh = hact_last_error(); }).join();
    EXPECT_EQ(fresh, "") << "a new thread starts with an empty message";

    float x = 1, y;
    ASSERT_EQ(hact_forward((hact_op)999, HACT_F32, &x, &y, 1, nullptr), HACT_ERR_UNKNOWN_OP);
    const std::string mine = hact_last_error();
    ASSERT_TRUE(mentions(mine, "999")) << mine;

    std::string theirs;
    std::thread([&] {
        EXPECT_EQ(hact_forward(hact_op_swish, HACT_F32, nullptr, &y, 1, nullptr), HACT_ERR_INVALID_ARGUMENT);
        theirs = hact_last_error();
    }).join();
    EXPECT_TRUE(mentions(theirs, "swish")) << theirs;
    EXPECT_EQ(std::string(hact_last_error()), mine) << "another thread's error changed this thread's message";
}

// ---- version ------------------------------------------------------------------------------------
TEST(Version, HeaderMatchesLibrary) {
    EXPECT_EQ(hact_version_number(), (unsigned)HACT_VERSION_NUMBER);
    EXPECT_STREQ(hact_version_string(), HACT_VERSION_STRING);
    EXPECT_EQ((unsigned)HACT_VERSION_NUMBER,
              (unsigned)(HACT_VERSION_MAJOR * 10000 + HACT_VERSION_MINOR * 100 + HACT_VERSION_PATCH));
    const std::string expect = std::to_string(HACT_VERSION_MAJOR) + "." + std::to_string(HACT_VERSION_MINOR) +
                               "." + std::to_string(HACT_VERSION_PATCH);
    EXPECT_EQ(std::string(hact_version_string()), expect);
}

}  // namespace

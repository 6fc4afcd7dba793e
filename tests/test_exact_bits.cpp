// generators/exact_bits.h, on its own: the translation of float32 comparisons, selects and
// products with zero onto bf16/f16 bits, JIT-compiled and run for every one of the 65,536 bit
// patterns of x (and x against a sample of y), against the same float math done in C++.
// relu and relu6 use only a few of these forms; their exhaustive kernel tests (test_narrow.cpp)
// cover those kernels, this covers the rest of the translation (negative constants, constants
// on the left, equality, two variables, times -0, nested Lets) before an op relies on it. NaN
// inputs (every NaN pattern of x, payloads and signaling ones among y) must give the float
// math's result: a NaN passed through or made quiet as those bits, comparisons false.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "Halide.h"
#include "exact_bits.h"
#include "numerics.h"

namespace {

using Halide::Expr;
using hact::exact_bits::Format;

float to_float(uint16_t b, bool bf16) {
    if (bf16) {
        uint32_t u = (uint32_t)b << 16;
        float f;
        std::memcpy(&f, &u, 4);
        return f;
    }
    return (float)Halide::float16_t::make_from_bits(b);
}
uint16_t from_exact(double v, bool bf16) { return *Format{bf16}.bits_of(v); }
bool is_nan_bits(uint16_t b, bool bf16) { return std::isnan(to_float(b, bf16)); }

Expr f32(float v) { return Halide::Internal::make_const(Halide::Float(32), v); }

// One case: the math (on Float(32) values, as an op writes it) and the same in C++ on floats.
struct Case {
    std::string name;
    std::function<Expr(const std::vector<Expr> &)> math;
    std::function<float(float, float)> expected;
    bool reads_y = false;
};

const double kConstants[] = {-INFINITY, -6.0, -1.0, -0.0, 0.0, 0.5, 6.0, INFINITY};

std::vector<Case> cases() {
    std::vector<Case> out;
    using R = std::function<Expr(Expr, Expr)>;
    using C = std::function<bool(float, float)>;
    const std::vector<std::tuple<std::string, R, C>> relations = {
        {"<", [](Expr a, Expr b) { return a < b; }, [](float a, float b) { return a < b; }},
        {"<=", [](Expr a, Expr b) { return a <= b; }, [](float a, float b) { return a <= b; }},
        {">", [](Expr a, Expr b) { return a > b; }, [](float a, float b) { return a > b; }},
        {">=", [](Expr a, Expr b) { return a >= b; }, [](float a, float b) { return a >= b; }},
        {"==", [](Expr a, Expr b) { return a == b; }, [](float a, float b) { return a == b; }},
        {"!=", [](Expr a, Expr b) { return a != b; }, [](float a, float b) { return a != b; }},
    };
    for (const auto &[rname, rel, crel] : relations) {
        for (double c : kConstants) {
            const float cf = (float)c;
            const std::string cs = std::to_string(c);
            // Results 1 and -0.0 (not 0: a wrong sign of zero shows).
            out.push_back({"x" + rname + cs,
                           [=](const std::vector<Expr> &v) { return Halide::select(rel(v[0], f32(cf)), f32(1), f32(-0.0f)); },
                           [=](float x, float) { return crel(x, cf) ? 1.0f : -0.0f; }});
            out.push_back({cs + rname + "x",
                           [=](const std::vector<Expr> &v) { return Halide::select(rel(f32(cf), v[0]), f32(1), f32(-0.0f)); },
                           [=](float x, float) { return crel(cf, x) ? 1.0f : -0.0f; }});
            // Strict (strict_lt, strict_le, strict_eq intrinsics), as the ops write their selects.
            out.push_back({"strict x" + rname + cs,
                           [=](const std::vector<Expr> &v) {
                               return Halide::strict_float(Halide::select(rel(v[0], f32(cf)), v[0], f32(cf)));
                           },
                           [=](float x, float) { return crel(x, cf) ? x : cf; }});
        }
        out.push_back({"x" + rname + "y",
                       [=](const std::vector<Expr> &v) { return Halide::select(rel(v[0], v[1]), v[1], v[0]); },
                       [=](float x, float y) { return crel(x, y) ? y : x; }, true});
    }
    out.push_back({"x*0", [](const std::vector<Expr> &v) { return v[0] * f32(0.0f); },
                   [](float x, float) { return x * 0.0f; }});
    out.push_back({"-0*x", [](const std::vector<Expr> &v) { return Halide::strict_float(f32(-0.0f) * v[0]); },
                   [](float x, float) { return -0.0f * x; }});
    // A value that may be NaN (inf * 0), compared: false, as IEEE says.
    out.push_back({"(y*0)<x", [](const std::vector<Expr> &v) {
                       return Halide::select(v[1] * f32(0.0f) < v[0], f32(1), f32(-0.0f));
                   },
                   [](float x, float y) { return y * 0.0f < x ? 1.0f : -0.0f; }, true});
    out.push_back({"is_nan(y*0)", [](const std::vector<Expr> &v) {
                       return Halide::select(Halide::is_nan(v[1] * f32(0.0f)), v[0], v[1]);
                   },
                   [](float x, float y) { return std::isnan(y * 0.0f) ? x : y; }, true});
    // hardtanh's shape: Lets of constants, a nested select compared again, && and !.
    out.push_back({"clamp", [](const std::vector<Expr> &v) {
                       return hact::num::strict_apply({v[0], f32(-1.0f), f32(6.0f)}, [](auto w) {
                           Expr m = Halide::select(w[0] < w[1], w[1], w[0]);
                           return Halide::select(m > w[2], w[2], m);
                       });
                   },
                   [](float x, float) {
                       const float m = x < -1.0f ? -1.0f : x;
                       return m > 6.0f ? 6.0f : m;
                   }});
    out.push_back({"inside", [](const std::vector<Expr> &v) {
                       return hact::num::strict_apply({v[0], v[1]}, [](auto w) {
                           return Halide::select(w[0] > f32(-1.0f) && !(w[0] >= f32(6.0f)), w[1], w[1] * f32(0.0f));
                       });
                   },
                   [](float x, float y) { return x > -1.0f && !(x >= 6.0f) ? y : y * 0.0f; }, true});
    return out;
}

// y values for the cases that read y: every 1021st pattern (both signs, subnormals, NaN among
// them) and the specials; the others run with y = 1.
std::vector<uint16_t> y_sample(bool bf16) {
    std::vector<uint16_t> ys;
    for (uint32_t b = 0; b < 65536; b += 1021) ys.push_back((uint16_t)b);
    for (double v : {0.0, -0.0, 1.0, -1.0, 6.0, (double)INFINITY, -(double)INFINITY}) ys.push_back(from_exact(v, bf16));
    ys.push_back(bf16 ? 0x7fc1 : 0x7e01);  // NaN with a payload
    ys.push_back(bf16 ? 0xff81 : 0xfc01);  // negative signalling NaN
    return ys;
}

// Runs the cases (one pipeline: out(x, y, case), a mux over the cases, unrolled) for every x and
// the given y, and checks each result against the float math.
void check(bool bf16, const std::vector<Case> &group, const std::vector<uint16_t> &ys) {
    const Format fmt{bf16};
    Halide::Buffer<uint16_t> xs(65536), yv((int)ys.size());
    for (int b = 0; b < 65536; ++b) xs(b) = (uint16_t)b;
    for (size_t k = 0; k < ys.size(); ++k) yv((int)k) = ys[k];
    Halide::Var i("i"), j("j"), k("k");
    std::vector<Expr> exprs;
    for (const Case &c : group) exprs.push_back(hact::exact_bits::on_bits(fmt, {xs(i), yv(j)}, c.math));
    Halide::Func out("out");
    out(i, j, k) = Halide::mux(k, exprs);
    out.bound(k, 0, (int)group.size()).reorder(i, k, j).unroll(k).vectorize(i, 32);
    Halide::Buffer<uint16_t> got = out.realize({65536, (int)ys.size(), (int)group.size()});

    const uint16_t quiet = bf16 ? 0x40 : 0x200;
    auto same_float_bits = [](float a, float b) { return std::memcmp(&a, &b, 4) == 0; };
    for (size_t c = 0; c < group.size(); ++c) {
        int failures = 0;
        for (size_t yk = 0; yk < ys.size() && failures < 5; ++yk) {
            for (int xb = 0; xb < 65536 && failures < 5; ++xb) {
                const uint16_t yb = ys[yk];
                const float x = to_float((uint16_t)xb, bf16), y = to_float(yb, bf16);
                const uint16_t g = got(xb, (int)yk, (int)c);
                const float e = group[c].expected(x, y);
                bool same;
                if (std::isnan(e)) {
                    // A NaN input the math passes through or makes quiet (x * 0) comes back as
                    // those bits; a NaN the math makes (inf * 0) is any NaN. x86's NaN from
                    // nothing, 0xffc00000, is also a NaN input widened (0xffc0): any NaN where
                    // an input is infinite and e is that pattern.
                    std::optional<uint16_t> want;
                    const float made = -std::numeric_limits<float>::quiet_NaN();
                    const bool maybe_made = (std::isinf(x) || std::isinf(y)) && same_float_bits(e, made);
                    for (uint16_t in : {(uint16_t)xb, yb}) {
                        if (maybe_made) break;
                        if (!want && same_float_bits(e, to_float(in, bf16))) want = in;
                        if (!want && same_float_bits(e, to_float(in | quiet, bf16)) && is_nan_bits(in, bf16))
                            want = (uint16_t)(in | quiet);
                    }
                    same = want ? g == *want : is_nan_bits(g, bf16);
                } else {
                    same = g == from_exact(e, bf16);  // bit for bit: a wrong sign of zero fails
                }
                if (!same) {
                    ++failures;
                    ADD_FAILURE() << group[c].name << " x=" << std::hex << xb << " (" << x << ") y=" << yb << " ("
                                  << y << "): got bits " << g << " (" << to_float(g, bf16) << "), want " << e;
                }
            }
        }
    }
}

class ExactBits : public ::testing::TestWithParam<bool> {};

TEST_P(ExactBits, EveryFormMatchesTheFloatMath) {
    const bool bf16 = GetParam();
    std::vector<Case> x_only, with_y;
    for (const Case &c : cases()) (c.reads_y ? with_y : x_only).push_back(c);
    check(bf16, x_only, {from_exact(1.0, bf16)});
    check(bf16, with_y, y_sample(bf16));
}

INSTANTIATE_TEST_SUITE_P(Formats, ExactBits, ::testing::Values(true, false),
                         [](const auto &info) { return std::string(info.param ? "bf16" : "f16"); });

// Anything but comparisons, selects and products with zero stops the generator with a message.
TEST(ExactBitsDeathTest, OtherArithmeticStopsTheBuild) {
    Halide::Buffer<uint16_t> xs(1);
    Halide::Var i;
    EXPECT_EXIT(hact::exact_bits::on_bits(Format{true}, {xs(i)}, [](const std::vector<Expr> &v) { return v[0] + f32(1); }),
                ::testing::ExitedWithCode(1), "only comparisons, selects and products with a zero");
    EXPECT_EXIT(hact::exact_bits::on_bits(Format{false}, {xs(i)}, [](const std::vector<Expr> &v) {
                    return Halide::select(v[0] < f32(0.1f), f32(0), v[0]);
                }),
                ::testing::ExitedWithCode(1), "a constant the format does not hold");
}

}  // namespace

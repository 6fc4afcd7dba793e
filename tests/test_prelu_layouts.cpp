// 9b. PReLU's two layouts (runtime/prelu.c): the weight per row of inner elements, or expanded
// along rows of whole [channels, inner] blocks (short rows, inner = 1). For every dtype and CPU
// variant, with each layout forced and as chosen by shape, in whole calls and in blocks of 32
// elements (the chunking hook): y and dx equal the scalar op's bit for bit (hact_op_prelu with
// negative_slope = weight[c], row by row; that op is tested exhaustively on its own), and
// dweight is within the reduction tolerance of a long-double sum. Links hact_internal.
#include "hact_test.h"

#include <cstring>

extern "C" {
#include "internal.h"
}

namespace {
using namespace hact_test;

struct Dtype {
    hact_dtype dt;
    size_t size;
    const char* name;
};
const Dtype kDtypes[] = {{HACT_F32, 4, "f32"}, {HACT_BF16, 2, "bf16"}, {HACT_F16, 2, "f16"}, {HACT_F64, 8, "f64"}};

// The value of a finite element of storage type dt.
double decode(const unsigned char* p, hact_dtype dt) {
    uint16_t h = 0;
    switch (dt) {
    case HACT_F32: {
        float f;
        std::memcpy(&f, p, 4);
        return f;
    }
    case HACT_F64: {
        double d;
        std::memcpy(&d, p, 8);
        return d;
    }
    default:
        std::memcpy(&h, p, 2);
        return dt == HACT_BF16 ? bf16_to_float(h) : f16_to_float(h);
    }
}

// A random finite element of dt, of magnitude about 2^-6 .. 2^6 (or zero).
void random_element(std::mt19937_64& g, unsigned char* p, hact_dtype dt) {
    const uint64_t r = g();
    const bool zero = r % 17 == 0;
    switch (dt) {
    case HACT_F32: {
        const float f = zero ? 0.0f : uniform(g, -64, 64);
        std::memcpy(p, &f, 4);
        break;
    }
    case HACT_F64: {
        const double d = zero ? 0.0 : (double)uniform(g, -64, 64) + std::ldexp((double)(r >> 40), -60);
        std::memcpy(p, &d, 8);
        break;
    }
    case HACT_BF16: {
        const uint16_t h = zero ? 0 : (uint16_t)(bits(uniform(g, -64, 64)) >> 16);
        std::memcpy(p, &h, 2);
        break;
    }
    default: {  // f16: sign, exponent 9 .. 21 (2^-6 .. 2^6), any mantissa
        const uint16_t h = zero ? 0 : (uint16_t)((r >> 20 & 1) << 15 | (9 + r % 13) << 10 | (r >> 8 & 1023));
        std::memcpy(p, &h, 2);
        break;
    }
    }
}

// weight[c] = (c % 9 - 4) / 8: exact in every dtype.
void encode_weight(unsigned char* p, double w, hact_dtype dt) {
    switch (dt) {
    case HACT_F32: {
        const float f = (float)w;
        std::memcpy(p, &f, 4);
        break;
    }
    case HACT_F64: std::memcpy(p, &w, 8); break;
    case HACT_BF16: {
        const uint16_t h = (uint16_t)(bits((float)w) >> 16);
        std::memcpy(p, &h, 2);
        break;
    }
    default: {
        uint16_t h = 0;
        if (w != 0) {
            int e;
            const double m = std::frexp(std::fabs(w), &e);  // |w| = m 2^e, m in [0.5, 1)
            h = (uint16_t)((e + 14) << 10 | (int)((m * 2 - 1) * 1024));
            if (w < 0) h |= 0x8000;
        }
        std::memcpy(p, &h, 2);
        break;
    }
    }
}

struct LayoutScope {
    explicit LayoutScope(int layout, size_t chunk) {
        hacti_set_prelu_layout(layout);
        hacti_set_max_chunk(chunk);
    }
    ~LayoutScope() {
        hacti_set_prelu_layout(0);
        hacti_set_max_chunk(0);
    }
};

class PReluLayouts : public ::testing::TestWithParam<hact_isa> {};

TEST_P(PReluLayouts, MatchTheScalarOpInEveryDtype) {
    HACT_TEST_USE_ISA(GetParam());
    struct Shape {
        size_t outer, channels, inner;
    };
    for (const Dtype& d : kDtypes) {
        for (Shape s : {Shape{1, 1, 1}, Shape{3, 5, 1}, Shape{40, 3, 1}, Shape{37, 64, 1}, Shape{9, 7, 3},
                        Shape{20, 16, 31}, Shape{5, 4, 40}, Shape{3, 70000, 1}, Shape{515, 2, 64},
                        Shape{700, 3, 40}}) {
            const size_t n = s.outer * s.channels * s.inner, es = d.size;
            SCOPED_TRACE(std::string(d.name) + " " + std::to_string(s.outer) + "x" + std::to_string(s.channels) +
                         "x" + std::to_string(s.inner));
            auto g = rng(n * 31 + es);
            std::vector<unsigned char> x(n * es), dy(n * es), w(s.channels * es);
            for (size_t i = 0; i < n; ++i) random_element(g, &x[i * es], d.dt), random_element(g, &dy[i * es], d.dt);
            for (size_t c = 0; c < s.channels; ++c) encode_weight(&w[c * es], ((int)(c % 9) - 4) / 8.0, d.dt);
            // The scalar op, row by row; the weight gradient in long double.
            std::vector<unsigned char> y_ref(n * es), dx_ref(n * es);
            std::vector<ld> sum(s.channels, 0), sum_abs(s.channels, 0);
            std::vector<size_t> count(s.channels, 0);
            for (size_t row = 0; row < s.outer * s.channels; ++row) {
                const size_t c = row % s.channels, off = row * s.inner * es;
                hact_params p = hact_default_params(hact_op_prelu);
                p.negative_slope = (float)decode(&w[c * es], d.dt);
                ASSERT_EQ(hact_forward(hact_op_prelu, d.dt, &x[off], &y_ref[off], s.inner, &p), HACT_OK)
                    << hact_last_error();
                ASSERT_EQ(hact_backward(hact_op_prelu, d.dt, &x[off], &dy[off], &dx_ref[off], s.inner, &p), HACT_OK)
                    << hact_last_error();
                for (size_t i = 0; i < s.inner; ++i) {
                    const ld xv = decode(&x[off + i * es], d.dt), dyv = decode(&dy[off + i * es], d.dt);
                    if (xv > 0) continue;
                    sum[c] += dyv * xv;
                    sum_abs[c] += fabsl(dyv * xv);
                    ++count[c];
                }
            }
            for (int layout : {0, (int)HACTI_PRELU_ROWS, (int)HACTI_PRELU_COLUMNS}) {
                for (size_t chunk : {size_t{0}, size_t{32}}) {
                    SCOPED_TRACE("layout " + std::to_string(layout) + ", chunk " + std::to_string(chunk));
                    LayoutScope scope(layout, chunk);
                    std::vector<unsigned char> y(n * es), dx(n * es);
                    std::vector<float> dw(s.channels);
                    ASSERT_EQ(hact_prelu_forward(d.dt, x.data(), w.data(), y.data(), s.outer, s.channels, s.inner),
                              HACT_OK)
                        << hact_last_error();
                    ASSERT_EQ(hact_prelu_backward(d.dt, x.data(), w.data(), dy.data(), dx.data(), dw.data(), s.outer,
                                                  s.channels, s.inner),
                              HACT_OK)
                        << hact_last_error();
                    for (size_t i = 0; i < n; ++i) {
                        ASSERT_EQ(std::memcmp(&y[i * es], &y_ref[i * es], es), 0)
                            << "y[" << i << "] = " << decode(&y[i * es], d.dt) << ", the scalar op gives "
                            << decode(&y_ref[i * es], d.dt);
                        ASSERT_EQ(std::memcmp(&dx[i * es], &dx_ref[i * es], es), 0)
                            << "dx[" << i << "] = " << decode(&dx[i * es], d.dt) << ", the scalar op gives "
                            << decode(&dx_ref[i * es], d.dt);
                    }
                    for (size_t c = 0; c < s.channels; ++c)
                        ASSERT_LE(fabsl((ld)dw[c] - sum[c]), pgrad_tolerance(sum_abs[c], count[c]))
                            << "dweight[" << c << "] = " << dw[c] << ", expected " << describe_ld(sum[c]);
                }
            }
        }
    }
}

// The weight gradient sums float32 products first, which overflow where |x dy| > 3.4e38: a
// channel whose terms are +-2^200 (cancelling) and -1/2's must still come out as the -1/2's sum,
// in every layout, whole and in 32-element chunks, as the float64 products give it (the runtime
// sums a block again from those where its float32 sum is not finite). A channel with one
// uncancelled 2^200 term gives -inf either way. float16 products cannot overflow; float64's
// kernels have no float32 form.
TEST_P(PReluLayouts, OverflowingProductsAreSummedInFloat64) {
    HACT_TEST_USE_ISA(GetParam());
    const double big = std::ldexp(1.0, 100);
    for (const Dtype& d : {kDtypes[0], kDtypes[1]}) {
        for (size_t inner : {size_t{1}, size_t{40}}) {
            const size_t outer = 8, channels = 3, n = outer * channels * inner, es = d.size;
            SCOPED_TRACE(std::string(d.name) + ", inner " + std::to_string(inner));
            std::vector<unsigned char> x(n * es), dy(n * es), w(channels * es);
            std::vector<double> expect(channels, 0.0);
            for (size_t i = 0, k = 0; i < n; ++i) {
                const size_t c = i / inner % channels;
                double xv = -1.0, dyv = 0.5;  // term -1/2
                if (c == 0 || (c == 2 && i / inner / channels == 5 && i % inner == 0)) {
                    // channel 0: terms +-2^200 in turn (outer * inner of them: an even count);
                    // channel 2: a single -2^200 (x = -2^100, dy = 2^100)
                    xv = -big;
                    dyv = c == 2 || k++ % 2 ? big : -big;
                }
                encode_weight(&x[i * es], xv, d.dt);
                encode_weight(&dy[i * es], dyv, d.dt);
                if (xv == -1.0) expect[c] += -0.5;
            }
            for (size_t c = 0; c < channels; ++c) encode_weight(&w[c * es], 0.25, d.dt);
            for (int layout : {(int)HACTI_PRELU_ROWS, (int)HACTI_PRELU_COLUMNS}) {
                for (size_t chunk : {size_t{0}, size_t{32}}) {
                    SCOPED_TRACE("layout " + std::to_string(layout) + ", chunk " + std::to_string(chunk));
                    LayoutScope scope(layout, chunk);
                    std::vector<unsigned char> dx(n * es);
                    std::vector<float> dw(channels, 1.0f);
                    ASSERT_EQ(hact_prelu_backward(d.dt, x.data(), w.data(), dy.data(), dx.data(), dw.data(), outer,
                                                  channels, inner),
                              HACT_OK)
                        << hact_last_error();
                    EXPECT_EQ(dw[0], 0.0f) << "the +-2^200 terms cancel";
                    EXPECT_EQ(dw[1], (float)expect[1]);
                    EXPECT_EQ(dw[2], -INFINITY) << "one -2^200 term";
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(All, PReluLayouts, ::testing::ValuesIn(all_isas()),
                         [](const ::testing::TestParamInfo<hact_isa>& i) { return isa_label(i.param); });

}  // namespace

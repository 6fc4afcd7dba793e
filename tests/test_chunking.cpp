// 6. Chunking (the n >= 2^31 path, split into chunks Halide's int32 extents accept), exercised
// with small n by lowering the chunk size through the internal hook hacti_set_max_chunk(): every
// op x parameter set x ISA, forward/backward bit for bit and the parameter gradient within the
// reduction tolerance, against the default chunk. Links hact_internal (internal symbols visible).
#include "hact_test.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <random>
#include <tuple>

#ifdef HACT_TEST_CUDA
#include <cuda_runtime.h>
#endif

extern "C" {
#include "internal.h"
}

namespace {
using namespace hact_test;

// Restores the default chunk when the scope ends.
struct ChunkScope {
    explicit ChunkScope(size_t elements) { hacti_set_max_chunk(elements); }
    ~ChunkScope() { hacti_set_max_chunk(0); }
};

TEST(ChunkHook, RoundsDownToLaneMultiples) {
    const size_t dflt = hacti_max_chunk();
    EXPECT_GE(dflt, size_t{1} << 30) << "default chunk is unexpectedly small";
    EXPECT_LT(dflt, size_t{1} << 31) << "a chunk must fit Halide's int32 extent";
    EXPECT_EQ(dflt % 32, 0u);
    {
        ChunkScope s(1000);
        EXPECT_EQ(hacti_max_chunk(), 992u);  // 31 * 32
    }
    EXPECT_EQ(hacti_max_chunk(), dflt) << "hacti_set_max_chunk(0) restores the default";
    {
        ChunkScope s(5);
        EXPECT_GT(hacti_max_chunk(), 0u) << "a chunk below the lane count must not become 0";
        EXPECT_EQ(hacti_max_chunk() % 32, 0u);
    }
    EXPECT_EQ(hacti_max_chunk(), dflt);
}

class Chunking : public OpTest<> {};

TEST_P(Chunking, SmallChunksMatchDefault) {
    for (size_t n : {size_t{5000}, size_t{4097}}) {
        for (size_t chunk : {size_t{1000}, size_t{32}, size_t{4096}}) {
            SCOPED_TRACE("n=" + std::to_string(n) + " chunk=" + std::to_string(chunk));
            auto g = rng(0xC4 + n);
            const std::vector<float> x = uniform_floats(g, n, -30, 30);
            const std::vector<float> dy = random_dys(g, n);
            std::vector<float> y0(n), dx0(n), y1(n), dx1(n);
            hact_params g0, g1;
            ASSERT_EQ(run_forward(op.op, HACT_F32, x.data(), y0.data(), n, &hp), HACT_OK);
            ASSERT_EQ(run_backward(op.op, HACT_F32, x.data(), dy.data(), dx0.data(), n, &hp), HACT_OK);
            ASSERT_EQ(run_backward_params(op.op, HACT_F32, x.data(), dy.data(), n, &hp, &g0), HACT_OK);
            {
                ChunkScope s(chunk);
                ASSERT_LT(hacti_max_chunk(), n) << "the chunk must split the call";
                ASSERT_EQ(run_forward(op.op, HACT_F32, x.data(), y1.data(), n, &hp), HACT_OK)
                    << hact_last_error();
                ASSERT_EQ(run_backward(op.op, HACT_F32, x.data(), dy.data(), dx1.data(), n, &hp), HACT_OK)
                    << hact_last_error();
                ASSERT_EQ(run_backward_params(op.op, HACT_F32, x.data(), dy.data(), n, &hp, &g1), HACT_OK)
                    << hact_last_error();
            }
            for (size_t i = 0; i < n; ++i) {
                ASSERT_EQ(bits(y1[i]), bits(y0[i])) << "forward [" << i << "] x=" << describe(x[i]);
                ASSERT_EQ(bits(dx1[i]), bits(dx0[i])) << "backward [" << i << "] x=" << describe(x[i]);
            }
            for (int k = 0; k < hact_ref::kNumFields; ++k) {
                const float a = hact_ref::field(g0, k), b = hact_ref::field(g1, k);
                if (!(op.learnable >> k & 1u)) {
                    EXPECT_EQ(bits(a), 0u);
                    EXPECT_EQ(bits(b), 0u);
                    continue;
                }
                const PgradRef ref = pgrad_reference(op, k, p, x.data(), dy.data(), n);
                EXPECT_LE(fabsl((ld)b - (ld)a), ref.tolerance)
                    << "d" << hact_ref::field_name(k) << " chunked " << describe(b) << " vs default "
                    << describe(a);
                EXPECT_LE(fabsl((ld)b - ref.sum), ref.tolerance)
                    << "d" << hact_ref::field_name(k) << " chunked " << describe(b) << " vs reference "
                    << describe_ld(ref.sum);
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(All, Chunking, ::testing::ValuesIn(all_op_isa()), LabelName());

// The GLU kernels take rows: the runtime splits both the rows (their index span, rows x stride,
// must fit Halide's int32 offsets) and the row length. Every split gives the same bits.
TEST(GluChunking, RowsAndLengthsSplitExactly) {
    struct Shape {
        size_t outer, half, inner;
    };
    for (Shape s : {Shape{40, 50, 1}, Shape{3, 700, 2}, Shape{1, 5000, 1}, Shape{333, 3, 1}}) {
        const size_t row = s.half * s.inner, total = s.outer * row;
        auto g = rng(0x9D + total);
        const std::vector<float> x = uniform_floats(g, 2 * total, -9, 9), dy = random_dys(g, total);
        std::vector<float> y0(total), dx0(2 * total);
        ASSERT_EQ(hact_glu_split_forward(hact_glu_swiglu, HACT_F32, x.data(), y0.data(), s.outer, s.half, s.inner,
                                         HACT_GATE_FIRST, nullptr),
                  HACT_OK);
        ASSERT_EQ(hact_glu_split_backward(hact_glu_swiglu, HACT_F32, x.data(), dy.data(), dx0.data(), s.outer,
                                          s.half, s.inner, HACT_GATE_FIRST, nullptr),
                  HACT_OK);
        for (size_t chunk : {size_t{32}, size_t{1000}, size_t{4096}}) {
            SCOPED_TRACE("shape " + std::to_string(s.outer) + "x" + std::to_string(row) + " chunk " +
                         std::to_string(chunk));
            ChunkScope scope(chunk);
            std::vector<float> y1(total), dx1(2 * total);
            ASSERT_EQ(hact_glu_split_forward(hact_glu_swiglu, HACT_F32, x.data(), y1.data(), s.outer, s.half,
                                             s.inner, HACT_GATE_FIRST, nullptr),
                      HACT_OK);
            ASSERT_EQ(hact_glu_split_backward(hact_glu_swiglu, HACT_F32, x.data(), dy.data(), dx1.data(), s.outer,
                                              s.half, s.inner, HACT_GATE_FIRST, nullptr),
                      HACT_OK);
            for (size_t i = 0; i < total; ++i) ASSERT_TRUE(same_result(y0[i], y1[i])) << "y at " << i;
            for (size_t i = 0; i < 2 * total; ++i) ASSERT_TRUE(same_result(dx0[i], dx1[i])) << "dx at " << i;
        }
    }
}

// PReLU's per-channel calls go over blocks of rows too (and of row length when a row is longer
// than a chunk): the channel of each row and the weight gradient sums must not depend on it.
TEST(PReluChunking, BlocksGiveTheSameResults) {
    for (auto [outer, channels, inner] : {std::tuple<size_t, size_t, size_t>{30, 7, 50}, {2, 3, 3000}, {600, 5, 1}}) {
        const size_t n = outer * channels * inner;
        auto g = rng(0x7E + n);
        const std::vector<float> x = uniform_floats(g, n, -4, 4), dy = random_dys(g, n);
        std::vector<float> w(channels);
        for (float& v : w) v = uniform(g, -1, 1);
        std::vector<float> y0(n), dx0(n), dw0(channels);
        ASSERT_EQ(hact_prelu_forward(HACT_F32, x.data(), w.data(), y0.data(), outer, channels, inner), HACT_OK);
        ASSERT_EQ(hact_prelu_backward(HACT_F32, x.data(), w.data(), dy.data(), dx0.data(), dw0.data(), outer, channels,
                                      inner),
                  HACT_OK);
        for (size_t chunk : {size_t{32}, size_t{1000}}) {
            ChunkScope scope(chunk);
            std::vector<float> y1(n), dx1(n), dw1(channels);
            ASSERT_EQ(hact_prelu_forward(HACT_F32, x.data(), w.data(), y1.data(), outer, channels, inner), HACT_OK);
            ASSERT_EQ(hact_prelu_backward(HACT_F32, x.data(), w.data(), dy.data(), dx1.data(), dw1.data(), outer,
                                          channels, inner),
                      HACT_OK);
            for (size_t i = 0; i < n; ++i) ASSERT_TRUE(same_result(y0[i], y1[i]) && same_result(dx0[i], dx1[i])) << i;
            for (size_t c = 0; c < channels; ++c)
                EXPECT_NEAR(dw0[c], dw1[c], 1e-5 * std::fabs(dw0[c]) + 1e-6) << "channel " << c << " chunk " << chunk;
        }
    }
}

// The CUDA calls' split of a strided layout (rows.c, hacti_each_device_call), checked on the CPU
// (the split is host code; only its kernels need a GPU): every call has 1..HACT_DEVICE_DIMS
// dimensions, an element count, strides and per-operand offset spans within the chunk limit; the
// first call alone is flagged first (the parameter gradient's "start from zero"); and the calls'
// elements, as tuples of operand offsets, are exactly the layout's, each once. Random layouts:
// 1-6 dimensions, 1-3 operands, each with its own dimension order, gaps, negative and zero
// strides (broadcast inputs), under limits of 32, 96 and 1000 elements and the default.
struct DeviceCalls {
    int64_t limit;
    int n;
    std::vector<std::array<int64_t, 3>> elements;
    int calls = 0, firsts = 0;
    std::string error;
};
hact_status record_call(void* ctx, const hacti_device_call* call) {
    auto& r = *static_cast<DeviceCalls*>(ctx);
    auto fail = [&](const std::string& why) {
        if (r.error.empty()) r.error = "call " + std::to_string(r.calls) + ": " + why;
        return HACT_ERR_INTERNAL;
    };
    if (call->first != (r.calls == 0)) return fail("first flag " + std::to_string(call->first));
    r.firsts += call->first;
    ++r.calls;
    if (call->nd < 1 || call->nd > HACT_DEVICE_DIMS) return fail("nd " + std::to_string(call->nd));
    int64_t count = 1;
    for (int d = 0; d < call->nd; ++d) {
        if (call->extent[d] < 1) return fail("extent " + std::to_string(call->extent[d]));
        count *= call->extent[d];
    }
    if (count > r.limit) return fail("count " + std::to_string(count));
    for (int k = 0; k < r.n; ++k) {
        int64_t span = 0;
        for (int d = 0; d < call->nd; ++d) {
            if (std::llabs(call->stride[k][d]) > r.limit) return fail("stride " + std::to_string(call->stride[k][d]));
            span += std::llabs(call->stride[k][d]) * (call->extent[d] - 1);
        }
        if (span > r.limit) return fail("operand " + std::to_string(k) + " span " + std::to_string(span));
    }
    int32_t i[HACT_DEVICE_DIMS] = {0};
    for (int64_t e = 0; e < count; ++e) {
        std::array<int64_t, 3> t{0, 0, 0};
        for (int k = 0; k < r.n; ++k) {
            t[k] = call->offset[k];
            for (int d = 0; d < call->nd; ++d) t[k] += (int64_t)call->stride[k][d] * i[d];
        }
        r.elements.push_back(t);
        for (int d = 0; d < call->nd && ++i[d] == call->extent[d]; ++d) i[d] = 0;
    }
    return HACT_OK;
}

TEST(DeviceCalls, CoverTheLayoutOnceWithinLimits) {
    auto g = rng(0xD1CE);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(g); };
    int cases = 0, pieces = 0;
    for (size_t limit : {size_t{32}, size_t{96}, size_t{1000}, size_t{0}}) {
        ChunkScope scope(limit);
        for (int trial = 0; trial < 300; ++trial) {
            const int nd = pick(1, 6), n = pick(1, 3);
            int64_t shape[HACT_TENSOR_MAX_NDIM];
            int64_t total = 1;
            for (int d = 0; d < nd; ++d) total *= (shape[d] = total > 4000 ? 1 : pick(1, 9));
            int64_t strides[HACTI_DEVICE_OPERANDS][HACT_TENSOR_MAX_NDIM] = {};
            for (int k = 0; k < n; ++k) {
                std::vector<int> order(nd);
                for (int d = 0; d < nd; ++d) order[d] = d;
                std::shuffle(order.begin(), order.end(), g);
                int64_t step = pick(1, 3);
                for (int d : order) {
                    const int kind = pick(0, 9);
                    strides[k][d] = kind == 0 && k > 0 ? 0 : kind == 1 ? -step : step;  // broadcast inputs
                    step *= shape[d] + (pick(0, 3) == 0 ? pick(1, 40) : 0);             // gaps
                }
            }
            DeviceCalls r{(int64_t)hacti_max_chunk(), n, {}, 0, 0, {}};
            ASSERT_EQ(hacti_each_device_call(nd, shape, n, strides, record_call, &r), HACT_OK) << r.error;
            // the layout's own elements
            std::vector<std::array<int64_t, 3>> want;
            int64_t idx[HACT_TENSOR_MAX_NDIM] = {};
            for (int64_t e = 0; e < total; ++e) {
                std::array<int64_t, 3> t{0, 0, 0};
                for (int k = 0; k < n; ++k)
                    for (int d = 0; d < nd; ++d) t[k] += strides[k][d] * idx[d];
                want.push_back(t);
                for (int d = nd - 1; d >= 0 && ++idx[d] == shape[d]; --d) idx[d] = 0;
            }
            std::sort(want.begin(), want.end());
            std::sort(r.elements.begin(), r.elements.end());
            ASSERT_EQ(r.firsts, 1);
            ASSERT_EQ(r.elements, want) << "limit " << r.limit << ", " << nd << " dimensions, " << n << " operands";
            ++cases;
            pieces += r.calls > 1;
        }
    }
    // No elements, no call (and no endless walk over an extent of 0).
    const int64_t empty_shape[3] = {4, 0, 3};
    int64_t empty_strides[HACTI_DEVICE_OPERANDS][HACT_TENSOR_MAX_NDIM] = {{3, 3, 1}};
    DeviceCalls none{(int64_t)hacti_max_chunk(), 1, {}, 0, 0, {}};
    ASSERT_EQ(hacti_each_device_call(3, empty_shape, 1, empty_strides, record_call, &none), HACT_OK);
    EXPECT_EQ(none.calls, 0);
    std::printf("%d layouts, %d of them in more than one call\n", cases, pieces);
    EXPECT_GT(pieces, cases / 4) << "the limits should split many layouts";
}

// The CUDA calls split what does not fit one kernel call: a strided tensor's layout into calls of
// four dimensions or fewer and pieces of a long innermost dimension (cuda.c), per-channel PReLU's
// weight gradient into [inner, channel, outer] pieces, a split GLU tensor into blocks of rows.
// With chunks of 32 elements every one of them takes many calls; results as with the default
// chunk (forward, dx bit for bit; sums to 1e-5). On a GPU only (skipped with the reason here).
TEST(CudaChunking, PiecesGiveTheSameResults) {
    const std::string why = backend_unavailable(kCudaBackend);
    if (!why.empty()) GTEST_SKIP() << why;
#ifdef HACT_TEST_CUDA
    const int64_t N = 5 * 2400 + 8, Y = 18000;  // x's elements; y's: PReLU's 12000, then GLU's 6000
    auto g = rng(0xC0DA);
    const std::vector<float> host = uniform_floats(g, N, -6, 6);
    float *x = nullptr, *y = nullptr, *w = nullptr, *dw = nullptr;
    hact_params* grad = nullptr;
    ASSERT_EQ(cudaMalloc(&x, N * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&y, Y * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&w, 16 * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&dw, 16 * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&grad, sizeof(hact_params)), cudaSuccess);
    ASSERT_EQ(cudaMemcpy(x, host.data(), N * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
    ASSERT_EQ(cudaMemcpy(w, host.data(), 16 * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
    // [5, 7, 300] rows of 300 of every 310 elements, the planes 2400 apart: three dimensions
    const int64_t shape[3] = {5, 7, 300}, strides[3] = {2400, 310, 1}, n = 5 * 7 * 300;
    hact_tensor tx = hact_tensor_make(x + 3, HACT_F32, 3, shape, strides), ty = hact_tensor_make(y, HACT_F32, 3, shape, nullptr);
    tx.device.device_type = ty.device.device_type = HACT_DEVICE_CUDA;
    auto run = [&](std::vector<float>& out, hact_params& p, std::vector<float>& out2, std::vector<float>& dws) {
        out.assign(n, 0.0f);
        out2.assign(Y, 0.0f);
        dws.assign(16, 0.0f);
        ASSERT_EQ(hact_cuda_forward_tensor(hact_op_gelu, &tx, &ty, nullptr, nullptr), HACT_OK) << hact_last_error();
        ASSERT_EQ(cudaMemcpy(out.data(), y, n * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
        ASSERT_EQ(hact_cuda_backward_params_tensor(hact_op_swish, &tx, &tx, nullptr, grad, nullptr), HACT_OK)
            << hact_last_error();
        ASSERT_EQ(cudaMemcpy(&p, grad, sizeof p, cudaMemcpyDeviceToHost), cudaSuccess);
        // PReLU [3, 16, 250] (backward: dx into y, dweight) and a split GLU [40, 2 x 150]
        ASSERT_EQ(hact_cuda_prelu_backward(HACT_F32, x, w, x, y, dw, 3, 16, 250, nullptr), HACT_OK) << hact_last_error();
        ASSERT_EQ(cudaMemcpy(dws.data(), dw, 16 * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
        ASSERT_EQ(hact_cuda_glu_split_forward(hact_glu_swiglu, HACT_F32, x, y + 12000, 40, 150, 1, HACT_GATE_DEFAULT,
                                              nullptr, nullptr),
                  HACT_OK)
            << hact_last_error();
        ASSERT_EQ(cudaMemcpy(out2.data(), y, Y * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
    };
    std::vector<float> y0, y1, all0, all1, dw0, dw1;
    hact_params p0{}, p1{};
    run(y0, p0, all0, dw0);
    {
        ChunkScope scope(32);
        run(y1, p1, all1, dw1);
    }
    for (int64_t i = 0; i < n; ++i) ASSERT_TRUE(same_result(y0[i], y1[i])) << "gelu at " << i;
    for (int64_t i = 0; i < Y; ++i) ASSERT_TRUE(same_result(all0[i], all1[i])) << "prelu dx / swiglu at " << i;
    EXPECT_NEAR(p1.beta, p0.beta, 1e-5 * std::fabs(p0.beta) + 1e-6);
    EXPECT_NEAR(p1.scale, p0.scale, 1e-5 * std::fabs(p0.scale) + 1e-6);
    for (int c = 0; c < 16; ++c) EXPECT_NEAR(dw1[c], dw0[c], 1e-5 * std::fabs(dw0[c]) + 1e-6) << "dweight " << c;
    for (void* p : {(void*)x, (void*)y, (void*)w, (void*)dw, (void*)grad}) cudaFree(p);
#else
    GTEST_SKIP() << "the tests were built without the CUDA toolkit (needed to move test data)";
#endif
}

}  // namespace

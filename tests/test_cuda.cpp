// CUDA entry points beyond the shared op suites (which run on the "cuda" backend too): the
// no-device path CI sees, pointer and descriptor checks, strided tensors in device memory,
// stream behaviour and leaks on a GPU.
#include "hact_test.h"

#ifdef HACT_TEST_CUDA
#include <cuda_runtime.h>
#endif

namespace {
using namespace hact_test;

// A tensor descriptor on CUDA device `id` (the memory is never touched without a device).
hact_tensor on_cuda(void* data, int32_t ndim, const int64_t* shape, const int64_t* strides, int32_t id = 0) {
    hact_tensor t = hact_tensor_make(data, HACT_F32, ndim, shape, strides);
    t.device.device_type = HACT_DEVICE_CUDA;
    t.device.device_id = id;
    return t;
}

void expect_status(hact_status got, hact_status want, const char* fragment) {
    EXPECT_EQ(got, want) << hact_last_error();
    EXPECT_NE(std::string(hact_last_error()).find(fragment), std::string::npos) << hact_last_error();
}

// Without a driver or GPU (CI), every CUDA call reports it and nothing crashes.
TEST(CudaUnavailable, EveryCallReportsIt) {
    const hact_status avail = hact_cuda_available();
    if (avail == HACT_OK) GTEST_SKIP() << "a GPU is present: the no-device path is not reachable here";
    EXPECT_TRUE(avail == HACT_ERR_DEVICE_UNAVAILABLE || avail == HACT_ERR_UNSUPPORTED) << avail;
    const std::string why = hact_last_error();
    EXPECT_FALSE(why.empty());
    std::printf("hact_cuda_available: %s (%s)\n", hact_status_string(avail), why.c_str());
    float x[4] = {0, 1, 2, 3}, y[4];
    hact_params g;
    EXPECT_EQ(hact_cuda_forward(hact_op_silu, HACT_F32, x, y, 4, nullptr, nullptr), avail);
    EXPECT_NE(std::string(hact_last_error()).find("hact_cuda_forward"), std::string::npos) << hact_last_error();
    EXPECT_EQ(hact_cuda_backward(hact_op_silu, HACT_F32, x, x, y, 4, nullptr, nullptr), avail);
    EXPECT_EQ(hact_cuda_backward_params(hact_op_swish, HACT_F32, x, x, 4, nullptr, &g, nullptr), avail);
    char name[64];
    int cc = 0;
    EXPECT_EQ(hact_cuda_device_info(name, sizeof name, &cc), avail);
    // The GLU family: the same status, the message naming the entry point.
    const struct {
        hact_status got;
        const char* entry;
    } glu[] = {
        {hact_cuda_glu_forward(hact_glu_swiglu, HACT_F32, x, x, y, 4, nullptr, nullptr), "hact_cuda_glu_forward"},
        {hact_cuda_glu_backward(hact_glu_swiglu, HACT_F32, x, x, x, y, y + 2, 2, nullptr, nullptr),
         "hact_cuda_glu_backward"},
        {hact_cuda_glu_split_forward(hact_glu_glu, HACT_F32, x, y, 1, 2, 1, HACT_GATE_DEFAULT, nullptr, nullptr),
         "hact_cuda_glu_split_forward"},
        {hact_cuda_glu_split_backward(hact_glu_geglu, HACT_F32, x, x, y, 1, 2, 1, HACT_GATE_FIRST, nullptr,
                                      nullptr),
         "hact_cuda_glu_split_backward"},
    };
    for (const auto& g : glu) {
        EXPECT_EQ(g.got, avail) << g.entry;
    }
    EXPECT_EQ(hact_cuda_glu_forward(hact_glu_reglu, HACT_BF16, x, x, y, 4, nullptr, nullptr), avail);
    EXPECT_NE(std::string(hact_last_error()).find("hact_cuda_glu_forward(reglu)"), std::string::npos)
        << hact_last_error();
    // Strided tensors in device memory: well-formed descriptors, then the same status.
    float tx_data[8] = {0}, ty_data[4] = {0};
    const int64_t shape[2] = {2, 2}, half[2] = {4, 1};
    const hact_tensor tx = on_cuda(tx_data, 2, shape, half), ty = on_cuda(ty_data, 2, shape, nullptr);
    EXPECT_EQ(hact_cuda_forward_tensor(hact_op_silu, &tx, &ty, nullptr, nullptr), avail);
    EXPECT_NE(std::string(hact_last_error()).find("hact_cuda_forward_tensor(silu)"), std::string::npos)
        << hact_last_error();
    EXPECT_EQ(hact_cuda_backward_tensor(hact_op_gelu, &tx, &tx, &ty, nullptr, nullptr), avail);
    EXPECT_EQ(hact_cuda_backward_params_tensor(hact_op_swish, &tx, &tx, nullptr, &g, nullptr), avail);
    // Per-channel PReLU.
    float w[2] = {0.25f, 0.5f};
    EXPECT_EQ(hact_cuda_prelu_forward(HACT_F32, tx_data, w, ty_data, 1, 2, 2, nullptr), avail);
    EXPECT_NE(std::string(hact_last_error()).find("hact_cuda_prelu_forward(prelu)"), std::string::npos)
        << hact_last_error();
    float dw[2];
    EXPECT_EQ(hact_cuda_prelu_backward(HACT_F32, tx_data, w, tx_data, ty_data, dw, 1, 2, 2, nullptr), avail);
    // Nothing to compute still needs the device (as the flat calls with n = 0).
    const int64_t none[2] = {0, 3};
    const hact_tensor empty = on_cuda(x, 2, none, nullptr);
    EXPECT_EQ(hact_cuda_forward_tensor(hact_op_silu, &empty, &empty, nullptr, nullptr), avail);
}

// The strided CUDA calls check their descriptors as the CPU ones do, before the device is asked
// about anything; host tensors and CUDA tensors each go to their own calls.
TEST(CudaTensors, DescriptorsCheckedBeforeTheDevice) {
    float a[64] = {0}, b[64] = {0};
    const int64_t shape[2] = {4, 8}, other[2] = {4, 7};
    const hact_tensor x = on_cuda(a, 2, shape, nullptr), y = on_cuda(b, 2, shape, nullptr);
    const hact_tensor host = hact_tensor_make(a, HACT_F32, 2, shape, nullptr);
    expect_status(hact_cuda_forward_tensor(hact_op_silu, &host, &y, nullptr, nullptr), HACT_ERR_INVALID_ARGUMENT,
                  "host memory");
    expect_status(hact_forward_tensor(hact_op_silu, &x, &y, nullptr), HACT_ERR_UNSUPPORTED,
                  "hact_cuda_forward_tensor");
    const hact_tensor y7 = on_cuda(b, 2, other, nullptr);
    expect_status(hact_cuda_forward_tensor(hact_op_silu, &x, &y7, nullptr, nullptr), HACT_ERR_INVALID_ARGUMENT,
                  "shape mismatch in dimension 1");
    const hact_tensor y_on_1 = on_cuda(b, 2, shape, nullptr, 1);
    expect_status(hact_cuda_backward_tensor(hact_op_silu, &x, &x, &y_on_1, nullptr, nullptr),
                  HACT_ERR_INVALID_ARGUMENT, "one device per call");
    expect_status(hact_cuda_forward_tensor((hact_op)999, &x, &y, nullptr, nullptr), HACT_ERR_UNKNOWN_OP,
                  "hact_cuda_forward_tensor");
    hact_params bad = hact_default_params(hact_op_swish);
    bad.beta = NAN;
    EXPECT_EQ(hact_cuda_forward_tensor(hact_op_swish, &x, &y, &bad, nullptr), HACT_ERR_BAD_PARAMS);
    // Aliasing and grad too, in every build (one without CUDA kernels says so after them).
    const hact_status later = HACT_ERR_INVALID_ARGUMENT;
    const hact_tensor shifted = on_cuda(a + 1, 2, shape, nullptr);
    EXPECT_EQ(hact_cuda_forward_tensor(hact_op_silu, &x, &shifted, nullptr, nullptr), later) << hact_last_error();
    EXPECT_EQ(hact_cuda_backward_params_tensor(hact_op_swish, &x, &x, nullptr, nullptr, nullptr), later)
        << hact_last_error();
    const int64_t bcast[2] = {0, 1};
    const hact_tensor y_bcast = on_cuda(b, 2, shape, bcast);
    EXPECT_EQ(hact_cuda_forward_tensor(hact_op_silu, &x, &y_bcast, nullptr, nullptr), later) << hact_last_error();
}

// Argument errors are found before the device is touched, with or without one.
TEST(CudaArguments, CheckedBeforeTheDevice) {
    float y[4] = {0, 0, 0, 0};
    EXPECT_EQ(hact_cuda_forward((hact_op)9999, HACT_F32, y, y, 4, nullptr, nullptr), HACT_ERR_UNKNOWN_OP);
    EXPECT_NE(std::string(hact_last_error()).find("hact_cuda_forward"), std::string::npos) << hact_last_error();
    hact_params bad = hact_default_params(hact_op_swish);
    bad.beta = NAN;
    EXPECT_EQ(hact_cuda_forward(hact_op_swish, HACT_F32, y, y, 4, &bad, nullptr), HACT_ERR_BAD_PARAMS);
    // The flat calls' arrays, in every build (one without CUDA kernels says so after them).
    EXPECT_EQ(hact_cuda_forward(hact_op_silu, HACT_F32, nullptr, y, 4, nullptr, nullptr), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(hact_last_error()).find("x is NULL"), std::string::npos) << hact_last_error();
    EXPECT_EQ(hact_cuda_backward(hact_op_silu, HACT_F32, y, y, y + 1, 3, nullptr, nullptr), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(hact_last_error()).find("overlap"), std::string::npos) << hact_last_error();
    EXPECT_EQ(hact_cuda_backward_params(hact_op_swish, HACT_F32, y, y, 4, nullptr, nullptr, nullptr),
              HACT_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(hact_last_error()).find("grad is NULL"), std::string::npos) << hact_last_error();
    // grad is float32 for every dtype: aligned to 4 bytes, not to the dtype's 2 or 8.
    alignas(8) hact_params grads[2];
    EXPECT_EQ(hact_cuda_backward_params(hact_op_swish, HACT_F16, y, y, 4, nullptr,
                                        reinterpret_cast<hact_params*>(reinterpret_cast<char*>(grads) + 2), nullptr),
              HACT_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(hact_last_error()).find("grad = "), std::string::npos) << hact_last_error();
    alignas(8) double y64[4] = {0, 0, 0, 0};
    // (host arrays: refused further on, as no device or not device memory; not for grad's alignment)
    EXPECT_NE(hact_cuda_backward_params(hact_op_swish, HACT_F64, y64, y64, 4, nullptr,
                                        reinterpret_cast<hact_params*>(reinterpret_cast<char*>(grads) + 4), nullptr),
              HACT_OK);
    EXPECT_EQ(std::string(hact_last_error()).find("grad = "), std::string::npos) << hact_last_error();
    // The GLU family: kind, dtype, NULL arrays, the split shape and aliasing (host arrays here:
    // every one of these is refused before the device would be asked about them).
    auto expect = [](hact_status got, hact_status want, const char* fragment) {
        EXPECT_EQ(got, want) << hact_last_error();
        EXPECT_NE(std::string(hact_last_error()).find(fragment), std::string::npos) << hact_last_error();
    };
    float a[8] = {0}, o[8] = {0};
    expect(hact_cuda_glu_forward((hact_glu)77, HACT_F32, a, a, o, 8, nullptr, nullptr), HACT_ERR_UNKNOWN_OP,
           "hact_cuda_glu_forward");
    expect(hact_cuda_glu_forward(hact_glu_swiglu, (hact_dtype)9, a, a, o, 8, nullptr, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "dtype");
    expect(hact_cuda_glu_forward(hact_glu_swiglu, HACT_F32, nullptr, a, o, 8, nullptr, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "a is NULL");
    expect(hact_cuda_glu_forward(hact_glu_swiglu, HACT_F32, a, a, a + 1, 7, nullptr, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "overlap");
    expect(hact_cuda_glu_backward(hact_glu_swiglu, HACT_F32, a, a, a, o, o, 8, nullptr, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "da and db overlap");
    expect(hact_cuda_glu_split_forward(hact_glu_glu, HACT_F32, a, o, 2, 2, 1, 5, nullptr, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "gated_half");
    expect(hact_cuda_glu_split_backward(hact_glu_glu, HACT_F32, a, o, nullptr, 2, 2, 1, HACT_GATE_DEFAULT,
                                        nullptr, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "dx is NULL");
    // Per-channel PReLU: dtype, shape, NULL arrays, aliasing (the weights are device memory,
    // never read on the host: a non-finite weight is not an argument error here).
    float w[2] = {0.25f, NAN}, dw[2];
    expect(hact_cuda_prelu_forward((hact_dtype)9, a, w, o, 1, 2, 4, nullptr), HACT_ERR_INVALID_ARGUMENT, "dtype");
    expect(hact_cuda_prelu_forward(HACT_F32, a, w, o, SIZE_MAX / 2, 2, 4, nullptr), HACT_ERR_INVALID_ARGUMENT,
           "too large");
    expect(hact_cuda_prelu_forward(HACT_F32, nullptr, w, o, 1, 2, 4, nullptr), HACT_ERR_INVALID_ARGUMENT,
           "x is NULL");
    expect(hact_cuda_prelu_forward(HACT_F32, a, nullptr, o, 1, 2, 4, nullptr), HACT_ERR_INVALID_ARGUMENT,
           "weight is NULL");
    expect(hact_cuda_prelu_forward(HACT_F32, a, w, a + 1, 1, 2, 3, nullptr), HACT_ERR_INVALID_ARGUMENT, "overlap");
    expect(hact_cuda_prelu_backward(HACT_F32, a, w, a, o, o + 2, 1, 2, 4, nullptr), HACT_ERR_INVALID_ARGUMENT,
           "dweight overlaps dx");
    expect(hact_cuda_prelu_backward(HACT_F32, a, w, a, o, (char*)dw + 1, 1, 2, 4, nullptr),
           HACT_ERR_INVALID_ARGUMENT, "not aligned");
    EXPECT_EQ(hact_cuda_glu_forward(hact_glu_swiglu, HACT_F32, nullptr, nullptr, nullptr, 0, nullptr, nullptr),
              HACT_OK);
}

#ifdef HACT_TEST_CUDA
class CudaDevice : public ::testing::Test {
  protected:
    void SetUp() override {
        const std::string why = backend_unavailable(kCudaBackend);
        if (!why.empty()) GTEST_SKIP() << why;
        char name[256] = "";
        int cc = 0;
        ASSERT_EQ(hact_cuda_device_info(name, sizeof name, &cc), HACT_OK) << hact_last_error();
        static bool printed = false;
        if (!printed) std::printf("CUDA device: %s, compute capability %d.%d\n", name, cc / 10, cc % 10);
        printed = true;
    }
};

TEST_F(CudaDevice, HostPointersAreRejected) {
    std::vector<float> host(1024, 1.0f);
    float* dev = nullptr;
    ASSERT_EQ(cudaMalloc(&dev, 1024 * sizeof(float)), cudaSuccess);
    EXPECT_EQ(hact_cuda_forward(hact_op_silu, HACT_F32, host.data(), dev, 1024, nullptr, nullptr),
              HACT_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(hact_last_error()).find("not CUDA device memory"), std::string::npos) << hact_last_error();
    float* pinned = nullptr;
    ASSERT_EQ(cudaMallocHost(&pinned, 1024 * sizeof(float)), cudaSuccess);
    EXPECT_EQ(hact_cuda_forward(hact_op_silu, HACT_F32, dev, pinned, 1024, nullptr, nullptr),
              HACT_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(hact_last_error()).find("page-locked host memory"), std::string::npos) << hact_last_error();
    cudaFreeHost(pinned);
    cudaFree(dev);
}

// n larger than the allocation: refused, not an out-of-bounds write.
TEST_F(CudaDevice, ArraysMustFitTheirAllocation) {
    float *a = nullptr, *b = nullptr;
    ASSERT_EQ(cudaMalloc(&a, 1000 * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&b, 1000 * sizeof(float)), cudaSuccess);
    EXPECT_EQ(hact_cuda_forward(hact_op_silu, HACT_F32, a, b, 1001, nullptr, nullptr), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(hact_last_error()).find("end of its allocation"), std::string::npos) << hact_last_error();
    EXPECT_EQ(hact_cuda_forward(hact_op_silu, HACT_F32, a + 10, b, 991, nullptr, nullptr), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(hact_cuda_forward(hact_op_silu, HACT_F32, a + 10, b, 990, nullptr, nullptr), HACT_OK) << hact_last_error();
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    cudaFree(a);
    cudaFree(b);
}

// Calls are queued on the caller's stream: they return before the stream runs them (a
// blocking kernel holds the stream), and the results appear once it is released.
TEST_F(CudaDevice, CallsQueueOnTheCallersStream) {
    const size_t n = 1 << 20;
    float *x = nullptr, *y = nullptr;
    ASSERT_EQ(cudaMalloc(&x, n * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&y, n * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMemset(x, 0, n * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMemset(y, 0xFF, n * sizeof(float)), cudaSuccess);  // NaN
    cudaStream_t s;
    ASSERT_EQ(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), cudaSuccess);
    cudaEvent_t gate;
    ASSERT_EQ(cudaEventCreate(&gate), cudaSuccess);
    // The stream waits for an event recorded on a second stream that sleeps first.
    cudaStream_t sleeper;
    ASSERT_EQ(cudaStreamCreateWithFlags(&sleeper, cudaStreamNonBlocking), cudaSuccess);
    // A host function that sleeps 200 ms holds `sleeper`; `s` waits for it.
    ASSERT_EQ(cudaLaunchHostFunc(sleeper, [](void*) { usleep(200000); }, nullptr), cudaSuccess);
    ASSERT_EQ(cudaEventRecord(gate, sleeper), cudaSuccess);
    ASSERT_EQ(cudaStreamWaitEvent(s, gate, 0), cudaSuccess);
    ASSERT_EQ(hact_cuda_forward(hact_op_silu, HACT_F32, x, y, n, nullptr, s), HACT_OK) << hact_last_error();
    EXPECT_EQ(cudaStreamQuery(s), cudaErrorNotReady) << "the call waited for its stream";
    ASSERT_EQ(cudaStreamSynchronize(s), cudaSuccess);
    float first = 1;
    ASSERT_EQ(cudaMemcpy(&first, y, sizeof first, cudaMemcpyDeviceToHost), cudaSuccess);
    EXPECT_EQ(first, 0.0f);
    cudaStreamDestroy(sleeper);
    cudaStreamDestroy(s);
    cudaEventDestroy(gate);
    cudaFree(x);
    cudaFree(y);
}

// Strided views in device memory give what the flat calls give on contiguous copies of them, bit
// for bit (the same kernels, other indexing): a half of a [B, 2H] tensor (.chunk(2, 1)), its
// transpose, a reversed view, and a 6-D view whose dimensions do not merge (more than the four a
// kernel takes: the outer ones are calls of their own). Parameter gradients: the same sums in
// another order, to 1e-5 relative.
TEST_F(CudaDevice, StridedViewsMatchContiguousCalls) {
    const int64_t B = 48, H = 300, N = B * 2 * H;
    std::vector<float> storage(N);
    auto r = rng(0x5d);
    for (float& v : storage) v = std::uniform_real_distribution<float>(-8.0f, 8.0f)(r);
    float *dev = nullptr, *dense_x = nullptr, *dense_y = nullptr, *out = nullptr;
    ASSERT_EQ(cudaMalloc(&dev, N * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&dense_x, N * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&dense_y, N * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&out, N * sizeof(float)), cudaSuccess);
    hact_params* grads = nullptr;
    ASSERT_EQ(cudaMalloc(&grads, 2 * sizeof(hact_params)), cudaSuccess);
    ASSERT_EQ(cudaMemcpy(dev, storage.data(), N * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
    struct View {
        const char* name;
        int32_t ndim;
        std::vector<int64_t> shape, strides;
        int64_t offset;
    };
    const std::vector<View> views = {
        {"second half", 2, {B, H}, {2 * H, 1}, H},
        {"transposed half", 2, {H, B}, {1, 2 * H}, 0},
        {"reversed", 1, {N}, {-1}, N - 1},
        {"6-D", 6, {2, 3, 2, 2, 3, 5}, {9000, 2900, 1300, 600, 190, 37}, 11},
    };
    for (const View& v : views) {
        SCOPED_TRACE(v.name);
        int64_t n = 1;
        for (int64_t e : v.shape) n *= e;
        // The view gathered on the host, in row-major order: the contiguous copy.
        std::vector<float> gathered(n);
        std::vector<int64_t> idx(v.ndim, 0);
        for (int64_t e = 0; e < n; ++e) {
            int64_t off = v.offset;
            for (int d = 0; d < v.ndim; ++d) off += idx[d] * v.strides[d];
            ASSERT_TRUE(off >= 0 && off < N);
            gathered[e] = storage[off];
            for (int d = v.ndim - 1; d >= 0 && ++idx[d] == v.shape[d]; --d) idx[d] = 0;
        }
        ASSERT_EQ(cudaMemcpy(dense_x, gathered.data(), n * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
        const hact_tensor x = on_cuda(dev + v.offset, v.ndim, v.shape.data(), v.strides.data());
        const hact_tensor y = on_cuda(out, v.ndim, v.shape.data(), nullptr);
        std::vector<float> want(n), got(n);
        ASSERT_EQ(hact_cuda_forward(hact_op_gelu, HACT_F32, dense_x, dense_y, n, nullptr, nullptr), HACT_OK);
        ASSERT_EQ(hact_cuda_forward_tensor(hact_op_gelu, &x, &y, nullptr, nullptr), HACT_OK) << hact_last_error();
        ASSERT_EQ(cudaMemcpy(want.data(), dense_y, n * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
        ASSERT_EQ(cudaMemcpy(got.data(), out, n * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
        for (int64_t e = 0; e < n; ++e) ASSERT_TRUE(same_result(got[e], want[e])) << "forward at " << e;
        // dy = the view itself
        ASSERT_EQ(hact_cuda_backward(hact_op_silu, HACT_F32, dense_x, dense_x, dense_y, n, nullptr, nullptr), HACT_OK);
        ASSERT_EQ(hact_cuda_backward_tensor(hact_op_silu, &x, &x, &y, nullptr, nullptr), HACT_OK) << hact_last_error();
        ASSERT_EQ(cudaMemcpy(want.data(), dense_y, n * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
        ASSERT_EQ(cudaMemcpy(got.data(), out, n * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
        for (int64_t e = 0; e < n; ++e) ASSERT_TRUE(same_result(got[e], want[e])) << "backward at " << e;
        ASSERT_EQ(hact_cuda_backward_params(hact_op_swish, HACT_F32, dense_x, dense_x, n, nullptr, &grads[0], nullptr),
                  HACT_OK);
        ASSERT_EQ(hact_cuda_backward_params_tensor(hact_op_swish, &x, &x, nullptr, &grads[1], nullptr), HACT_OK)
            << hact_last_error();
        hact_params g[2];
        ASSERT_EQ(cudaMemcpy(g, grads, sizeof g, cudaMemcpyDeviceToHost), cudaSuccess);
        EXPECT_NEAR(g[1].beta, g[0].beta, 1e-5 * std::fabs(g[0].beta) + 1e-30);
        EXPECT_NEAR(g[1].scale, g[0].scale, 1e-5 * std::fabs(g[0].scale) + 1e-30);
    }
    // Device memory that does not hold the view is refused, not read past.
    const int64_t too_long[1] = {N + 1};
    const hact_tensor over = on_cuda(dev, 1, too_long, nullptr), over_y = on_cuda(out, 1, too_long, nullptr);
    expect_status(hact_cuda_forward_tensor(hact_op_silu, &over, &over_y, nullptr, nullptr), HACT_ERR_INVALID_ARGUMENT,
                  "end of its allocation");
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    for (void* p : {(void*)dev, (void*)dense_x, (void*)dense_y, (void*)out, (void*)grads}) cudaFree(p);
}

// Per-channel PReLU on the device gives the CPU's results: y and dx bit for bit (one product,
// rounded once, on both), dweight (double sums in another order) to 1e-6 relative; for
// conv-like, linear-like and single-channel shapes, and in place (dx over dy); float32 and
// float64 (x, weight, y, dx in the dtype; dweight float32 for both).
template <class T>
void expect_prelu_matches_cpu(hact_dtype dtype) {
    struct Shape {
        size_t outer, channels, inner;
    };
    for (Shape sh : {Shape{2, 3, 1000}, Shape{64, 16, 1}, Shape{3, 5, 7}, Shape{1, 1, 5000}, Shape{4, 40, 3000}}) {
        SCOPED_TRACE(::testing::Message() << (dtype == HACT_F64 ? "f64 " : "f32 ") << sh.outer << "x" << sh.channels << "x"
                                          << sh.inner);
        const size_t n = sh.outer * sh.channels * sh.inner;
        auto r = rng(n);
        const std::vector<float> xf = uniform_floats(r, n, -8, 8), dyf = random_dys(r, n);
        const std::vector<T> x(xf.begin(), xf.end()), dy(dyf.begin(), dyf.end());
        std::vector<T> w(sh.channels);
        for (T& v : w) v = std::uniform_real_distribution<float>(-1.0f, 1.0f)(r);
        std::vector<T> y(n), dx(n), gy(n), gdx(n);
        std::vector<float> dw(sh.channels), gdw(sh.channels);
        ASSERT_EQ(hact_prelu_forward(dtype, x.data(), w.data(), y.data(), sh.outer, sh.channels, sh.inner), HACT_OK);
        ASSERT_EQ(hact_prelu_backward(dtype, x.data(), w.data(), dy.data(), dx.data(), dw.data(), sh.outer,
                                      sh.channels, sh.inner),
                  HACT_OK);
        T *d_x = nullptr, *d_dy = nullptr, *d_y = nullptr, *d_w = nullptr;
        float* d_dw = nullptr;
        for (T** p : {&d_x, &d_dy, &d_y}) ASSERT_EQ(cudaMalloc(p, n * sizeof(T)), cudaSuccess);
        ASSERT_EQ(cudaMalloc(&d_w, sh.channels * sizeof(T)), cudaSuccess);
        ASSERT_EQ(cudaMalloc(&d_dw, sh.channels * sizeof(float)), cudaSuccess);
        ASSERT_EQ(cudaMemcpy(d_x, x.data(), n * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
        ASSERT_EQ(cudaMemcpy(d_dy, dy.data(), n * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
        ASSERT_EQ(cudaMemcpy(d_w, w.data(), sh.channels * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
        ASSERT_EQ(hact_cuda_prelu_forward(dtype, d_x, d_w, d_y, sh.outer, sh.channels, sh.inner, nullptr), HACT_OK)
            << hact_last_error();
        ASSERT_EQ(cudaMemcpy(gy.data(), d_y, n * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
        // In place: dx over dy.
        ASSERT_EQ(hact_cuda_prelu_backward(dtype, d_x, d_w, d_dy, d_dy, d_dw, sh.outer, sh.channels, sh.inner,
                                           nullptr),
                  HACT_OK)
            << hact_last_error();
        ASSERT_EQ(cudaMemcpy(gdx.data(), d_dy, n * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
        ASSERT_EQ(cudaMemcpy(gdw.data(), d_dw, sh.channels * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
        for (size_t i = 0; i < n; ++i) {
            ASSERT_TRUE(same_result(gy[i], y[i])) << "y at " << i;
            ASSERT_TRUE(same_result(gdx[i], dx[i])) << "dx at " << i;
        }
        for (size_t c = 0; c < sh.channels; ++c)
            EXPECT_NEAR(gdw[c], dw[c], 1e-6 * std::fabs(dw[c]) + 1e-30) << "dweight[" << c << "]";
        cudaFree(d_x), cudaFree(d_dy), cudaFree(d_y), cudaFree(d_w), cudaFree(d_dw);
    }
}
TEST_F(CudaDevice, PreluMatchesTheCpu) {
    expect_prelu_matches_cpu<float>(HACT_F32);
    expect_prelu_matches_cpu<double>(HACT_F64);
}

// Many calls leak no device memory (the pgrad scratch is stream-ordered and freed).
TEST_F(CudaDevice, ManyCallsLeakNothing) {
    const size_t n = 1 << 20;
    float *x = nullptr, *y = nullptr;
    hact_params* g = nullptr;
    ASSERT_EQ(cudaMalloc(&x, n * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&y, n * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&g, sizeof *g), cudaSuccess);
    ASSERT_EQ(cudaMemset(x, 0, n * sizeof(float)), cudaSuccess);
    auto round = [&] {
        for (int i = 0; i < 200; ++i) {
            ASSERT_EQ(hact_cuda_forward(hact_op_swish, HACT_F32, x, y, n, nullptr, nullptr), HACT_OK);
            ASSERT_EQ(hact_cuda_backward(hact_op_swish, HACT_F32, x, y, y, n, nullptr, nullptr), HACT_OK);
            ASSERT_EQ(hact_cuda_backward_params(hact_op_swish, HACT_F32, x, y, n, nullptr, g, nullptr), HACT_OK);
        }
        ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    };
    round();  // modules loaded, pools warm
    size_t free_before = 0, free_after = 0, total = 0;
    ASSERT_EQ(cudaMemGetInfo(&free_before, &total), cudaSuccess);
    for (int r = 0; r < 5; ++r) round();
    ASSERT_EQ(cudaMemGetInfo(&free_after, &total), cudaSuccess);
    std::printf("device memory free before/after 3000 calls: %zu / %zu bytes\n", free_before, free_after);
    EXPECT_GE(free_after + (2u << 20), free_before) << "device memory shrank over 3000 calls";
    cudaFree(x);
    cudaFree(y);
    cudaFree(g);
}
#endif

}  // namespace

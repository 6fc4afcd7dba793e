// CUDA entry points beyond the shared op suites (which run on the "cuda" backend too): the
// no-device path CI sees, pointer checks, stream behaviour and leaks on a GPU.
#include "hact_test.h"

#ifdef HACT_TEST_CUDA
#include <cuda_runtime.h>
#endif

namespace {
using namespace hact_test;

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
}

// Argument errors are found before the device is touched, with or without one.
TEST(CudaArguments, CheckedBeforeTheDevice) {
    float y[4] = {0, 0, 0, 0};
    EXPECT_EQ(hact_cuda_forward((hact_op)9999, HACT_F32, y, y, 4, nullptr, nullptr), HACT_ERR_UNKNOWN_OP);
    EXPECT_NE(std::string(hact_last_error()).find("hact_cuda_forward"), std::string::npos) << hact_last_error();
    hact_params bad = hact_default_params(hact_op_swish);
    bad.beta = NAN;
    EXPECT_EQ(hact_cuda_forward(hact_op_swish, HACT_F32, y, y, 4, &bad, nullptr), HACT_ERR_BAD_PARAMS);
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

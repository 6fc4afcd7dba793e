// hact_bench_cuda: hact's CUDA kernels against the device-to-device copy of the same bytes (the
// roofline) and cuDNN's activation forward where it has the op, timed with CUDA events on one
// stream (Google Benchmark manual time; median over repetitions with --benchmark_repetitions).
//   cuda/copy/<2stream|3stream>/n:<n>   cudaMemcpyAsync D2D of n floats (x 1 or x 2 for 3 streams)
//   cuda/hact/<op>/<fwd|bwd>/n:<n>      hact_cuda_forward / hact_cuda_backward
//   cuda/hact/swiglu/<glufwd|glubwd>/n:<n>  hact_cuda_glu_forward (a, b -> out: 3 streams) /
//                                       _backward (a, b, dy -> da, db: 5 streams; dy = a here)
//   cuda/hact/silu/fwd_half/n:<n>       hact_cuda_forward_tensor on the second half of [n/2048,
//                                       2048] (x.chunk(2, 1)[1]: strided rows), into a dense y
//   cuda/hact/prelu_channels/<fwd|bwd>/n:<n>  hact_cuda_prelu_* over [n/2^16, 64, 1024] (bwd:
//                                       dx and dweight, 3 streams)
//   cuda/cudnn/<op>/fwd/n:<n>           cudnnActivationForward (libcudnn loaded at run time)
// PyTorch's F.silu / F.gelu are timed by scripts/bench_torch_cuda.py at the same sizes.
// Without a GPU every benchmark is skipped with the reason.
#include <benchmark/benchmark.h>
#include <cuda_runtime.h>
#include <cudnn.h>
#include <dlfcn.h>

#include <cstdio>
#include <string>
#include <vector>

#include "hact/hact.h"

namespace {

constexpr size_t kSizes[] = {size_t{1} << 20, size_t{1} << 24, size_t{1} << 28};

struct Device {
    float *x = nullptr, *dy = nullptr, *out = nullptr, *out2 = nullptr;
    size_t n = 0;
    cudaStream_t stream = nullptr;
    cudaEvent_t start, stop;
    std::string why;  // non-empty: no GPU (the reason)
};

Device &device() {
    static Device d = [] {
        Device d;
        if (hact_cuda_available() != HACT_OK) {
            d.why = hact_last_error();
            return d;
        }
        d.n = kSizes[2];
        const size_t bytes = d.n * sizeof(float);
        if (cudaMalloc(&d.x, bytes) != cudaSuccess || cudaMalloc(&d.dy, bytes) != cudaSuccess ||
            cudaMalloc(&d.out, bytes) != cudaSuccess || cudaMalloc(&d.out2, bytes) != cudaSuccess) {
            d.why = "cudaMalloc of 4 x 1 GiB failed";
            return d;
        }
        std::vector<float> host(1 << 20);
        for (size_t i = 0; i < host.size(); ++i) host[i] = -10.0f + 20.0f * (float)i / (float)host.size();
        for (size_t off = 0; off < d.n; off += host.size()) {
            cudaMemcpy(d.x + off, host.data(), host.size() * sizeof(float), cudaMemcpyHostToDevice);
            cudaMemcpy(d.dy + off, host.data(), host.size() * sizeof(float), cudaMemcpyHostToDevice);
        }
        cudaStreamCreateWithFlags(&d.stream, cudaStreamNonBlocking);
        cudaEventCreate(&d.start);
        cudaEventCreate(&d.stop);
        return d;
    }();
    return d;
}

// Times body() between two events on the stream; false from body() stops with an error.
template <class Body>
void timed(benchmark::State &st, size_t n, int streams, Body body) {
    Device &d = device();
    if (!d.why.empty()) {
        st.SkipWithError(("no CUDA device: " + d.why).c_str());
        return;
    }
    if (!body()) {  // warm-up: module load and JIT
        st.SkipWithError(hact_last_error());
        return;
    }
    cudaStreamSynchronize(d.stream);
    for (auto _ : st) {
        cudaEventRecord(d.start, d.stream);
        if (!body()) {
            st.SkipWithError(hact_last_error());
            break;
        }
        cudaEventRecord(d.stop, d.stream);
        cudaEventSynchronize(d.stop);
        float ms = 0;
        cudaEventElapsedTime(&ms, d.start, d.stop);
        st.SetIterationTime(ms / 1e3);
    }
    st.SetItemsProcessed(st.iterations() * (int64_t)n);
    st.SetBytesProcessed(st.iterations() * (int64_t)(n * sizeof(float)) * streams);
}

// cuDNN, loaded at run time (the benchmark builds and runs where it is absent).
struct Cudnn {
    cudnnHandle_t h = nullptr;
    decltype(&cudnnCreate) create;
    decltype(&cudnnSetStream) set_stream;
    decltype(&cudnnCreateTensorDescriptor) create_td;
    decltype(&cudnnSetTensor4dDescriptor) set_td;
    decltype(&cudnnCreateActivationDescriptor) create_ad;
    decltype(&cudnnSetActivationDescriptor) set_ad;
    decltype(&cudnnSetActivationDescriptorSwishBeta) set_swish;
    decltype(&cudnnActivationForward) forward;
};
Cudnn *cudnn() {
    static Cudnn c;
    static bool tried = false, ok = false;
    if (tried) return ok ? &c : nullptr;
    tried = true;
    void *lib = dlopen("libcudnn.so.9", RTLD_NOW);
    if (!lib) lib = dlopen("libcudnn.so", RTLD_NOW);
    if (!lib || !device().why.empty()) return nullptr;
#define HACT_SYM(field, name) c.field = (decltype(c.field))dlsym(lib, #name)
    HACT_SYM(create, cudnnCreate);
    HACT_SYM(set_stream, cudnnSetStream);
    HACT_SYM(create_td, cudnnCreateTensorDescriptor);
    HACT_SYM(set_td, cudnnSetTensor4dDescriptor);
    HACT_SYM(create_ad, cudnnCreateActivationDescriptor);
    HACT_SYM(set_ad, cudnnSetActivationDescriptor);
    HACT_SYM(set_swish, cudnnSetActivationDescriptorSwishBeta);
    HACT_SYM(forward, cudnnActivationForward);
#undef HACT_SYM
    ok = c.create && c.forward && c.create(&c.h) == CUDNN_STATUS_SUCCESS;
    if (ok) c.set_stream(c.h, device().stream);
    return ok ? &c : nullptr;
}

void register_all() {
    for (size_t n : kSizes) {
        const std::string tail = "/n:" + std::to_string(n);
        benchmark::RegisterBenchmark(("cuda/copy/2stream" + tail).c_str(), [n](benchmark::State &st) {
            timed(st, n, 2, [n] {
                Device &d = device();
                return cudaMemcpyAsync(d.out, d.x, n * sizeof(float), cudaMemcpyDeviceToDevice, d.stream) == cudaSuccess;
            });
        })->UseManualTime();
        benchmark::RegisterBenchmark(("cuda/copy/3stream" + tail).c_str(), [n](benchmark::State &st) {
            timed(st, n, 3, [n] {  // 2 reads + 1 write worth of traffic: 1.5 copies
                Device &d = device();
                return cudaMemcpyAsync(d.out, d.x, n * sizeof(float), cudaMemcpyDeviceToDevice, d.stream) == cudaSuccess &&
                       cudaMemcpyAsync(d.out2, d.dy, n / 2 * sizeof(float), cudaMemcpyDeviceToDevice, d.stream) == cudaSuccess;
            });
        })->UseManualTime();
        for (const char *name : {"silu", "swish", "gelu", "gelu_tanh", "sigmoid", "tanh", "relu", "mish"}) {
            hact_op op;
            if (hact_op_from_name(name, &op) != HACT_OK) continue;
            benchmark::RegisterBenchmark(("cuda/hact/" + std::string(name) + "/fwd" + tail).c_str(), [n, op](benchmark::State &st) {
                timed(st, n, 2, [n, op] {
                    Device &d = device();
                    return hact_cuda_forward(op, HACT_F32, d.x, d.out, n, nullptr, d.stream) == HACT_OK;
                });
            })->UseManualTime();
            benchmark::RegisterBenchmark(("cuda/hact/" + std::string(name) + "/bwd" + tail).c_str(), [n, op](benchmark::State &st) {
                timed(st, n, 3, [n, op] {
                    Device &d = device();
                    return hact_cuda_backward(op, HACT_F32, d.x, d.dy, d.out, n, nullptr, d.stream) == HACT_OK;
                });
            })->UseManualTime();
        }
        benchmark::RegisterBenchmark(("cuda/hact/swiglu/glufwd" + tail).c_str(), [n](benchmark::State &st) {
            timed(st, n, 3, [n] {
                Device &d = device();
                return hact_cuda_glu_forward(hact_glu_swiglu, HACT_F32, d.x, d.dy, d.out, n, nullptr, d.stream) ==
                       HACT_OK;
            });
        })->UseManualTime();
        benchmark::RegisterBenchmark(("cuda/hact/swiglu/glubwd" + tail).c_str(), [n](benchmark::State &st) {
            timed(st, n, 5, [n] {
                Device &d = device();
                return hact_cuda_glu_backward(hact_glu_swiglu, HACT_F32, d.x, d.dy, d.x, d.out, d.out2, n, nullptr,
                                              d.stream) == HACT_OK;
            });
        })->UseManualTime();
        benchmark::RegisterBenchmark(("cuda/hact/silu/fwd_half" + tail).c_str(), [n](benchmark::State &st) {
            timed(st, n / 2, 2, [n] {  // n / 2 elements: the half of an [n / 2048, 2048] tensor
                Device &d = device();
                const int64_t shape[2] = {(int64_t)(n / 2048), 1024}, strides[2] = {2048, 1};
                hact_tensor x = hact_tensor_make(d.x + 1024, HACT_F32, 2, shape, strides);
                hact_tensor y = hact_tensor_make(d.out, HACT_F32, 2, shape, nullptr);
                x.device.device_type = y.device.device_type = HACT_DEVICE_CUDA;
                return hact_cuda_forward_tensor(hact_op_silu, &x, &y, nullptr, d.stream) == HACT_OK;
            });
        })->UseManualTime();
        const size_t outer = n >> 16;
        benchmark::RegisterBenchmark(("cuda/hact/prelu_channels/fwd" + tail).c_str(), [n, outer](benchmark::State &st) {
            timed(st, n, 2, [outer] {
                Device &d = device();  // the weights: the first 64 values of dy
                return hact_cuda_prelu_forward(HACT_F32, d.x, d.dy, d.out, outer, 64, 1024, d.stream) == HACT_OK;
            });
        })->UseManualTime();
        benchmark::RegisterBenchmark(("cuda/hact/prelu_channels/bwd" + tail).c_str(), [n, outer](benchmark::State &st) {
            timed(st, n, 3, [outer] {
                Device &d = device();
                return hact_cuda_prelu_backward(HACT_F32, d.x, d.dy, d.dy, d.out, d.out2, outer, 64, 1024, d.stream) ==
                       HACT_OK;
            });
        })->UseManualTime();
        struct Dnn {
            const char *name;
            cudnnActivationMode_t mode;
        };
        for (Dnn a : {Dnn{"relu", CUDNN_ACTIVATION_RELU}, Dnn{"sigmoid", CUDNN_ACTIVATION_SIGMOID},
                      Dnn{"tanh", CUDNN_ACTIVATION_TANH}, Dnn{"silu", CUDNN_ACTIVATION_SWISH}}) {
            benchmark::RegisterBenchmark(("cuda/cudnn/" + std::string(a.name) + "/fwd" + tail).c_str(), [n, a](benchmark::State &st) {
                Cudnn *c = cudnn();
                if (!c) {
                    st.SkipWithError("cuDNN (libcudnn.so.9) or the GPU is not available");
                    return;
                }
                cudnnTensorDescriptor_t td;
                cudnnActivationDescriptor_t ad;
                c->create_td(&td);
                c->set_td(td, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, 1, 1, (int)n);
                c->create_ad(&ad);
                c->set_ad(ad, a.mode, CUDNN_PROPAGATE_NAN, 0.0);
                if (a.mode == CUDNN_ACTIVATION_SWISH && c->set_swish) c->set_swish(ad, 1.0);
                timed(st, n, 2, [&] {
                    Device &d = device();
                    const float one = 1, zero = 0;
                    return c->forward(c->h, ad, &one, td, d.x, &zero, td, d.out) == CUDNN_STATUS_SUCCESS;
                });
            })->UseManualTime();
        }
    }
    char name[256] = "";
    int cc = 0;
    if (hact_cuda_device_info(name, sizeof name, &cc) == HACT_OK) {
        benchmark::AddCustomContext("gpu", std::string(name) + ", compute capability " + std::to_string(cc / 10) + "." +
                                              std::to_string(cc % 10));
    } else {
        benchmark::AddCustomContext("gpu", std::string("none: ") + hact_last_error());
    }
}

}  // namespace

int main(int argc, char **argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

// The test backends (backend.h). The CUDA part is compiled when the CUDA toolkit was found at
// configure time (HACT_TEST_CUDA); it uses the CUDA runtime only to move test data.
#include "backend.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

#ifdef HACT_TEST_CUDA
#include <cuda_runtime.h>
#endif

namespace hact_test {

namespace {
thread_local hact_isa backend = static_cast<hact_isa>(0);
}

void set_backend(hact_isa b) { backend = b; }
hact_isa current_backend() { return backend; }

#ifdef HACT_TEST_CUDA
namespace {

constexpr size_t kGuardBytes = 4096;
constexpr unsigned char kSentinelByte = 0xA5;

// Device copies of a call's host arrays: one per distinct host pointer (so x == y stays
// in place on the device), each inside kGuardBytes of sentinel bytes on both sides.
class DeviceCall {
  public:
    ~DeviceCall() {
        for (auto& [host, a] : arrays_) cudaFree(a.base);
        if (stream_) cudaStreamDestroy(stream_);
    }
    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    cudaStream_t stream() {
        if (!stream_ && cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking) != cudaSuccess)
            fail("cudaStreamCreate");
        return stream_;
    }
    // The device copy of host[0, bytes), uploaded.
    void* in(const void* host, size_t bytes) { return array(host, bytes, true); }
    // The device array for host[0, bytes), filled with sentinels unless it is also an input.
    void* out(void* host, size_t bytes) { return array(host, bytes, false); }
    // Waits for the stream, copies every output back and checks every guard.
    void finish(const std::vector<std::pair<void*, size_t>>& outputs) {
        if (!ok()) return;
        if (cudaStreamSynchronize(stream_) != cudaSuccess) return fail("cudaStreamSynchronize");
        for (auto& [host, a] : arrays_) {
            std::vector<unsigned char> all(a.bytes + 2 * kGuardBytes);
            if (cudaMemcpy(all.data(), a.base, all.size(), cudaMemcpyDeviceToHost) != cudaSuccess)
                return fail("cudaMemcpy D2H");
            for (size_t i = 0; i < kGuardBytes; ++i) {
                if (all[i] != kSentinelByte || all[kGuardBytes + a.bytes + i] != kSentinelByte)
                    return fail("a kernel wrote outside the array (device guard bytes changed)");
            }
            for (auto& [ptr, bytes] : outputs) {
                if (ptr == host) std::memcpy(ptr, all.data() + kGuardBytes, bytes);
            }
        }
    }

  private:
    struct Array {
        unsigned char* base = nullptr;
        size_t bytes = 0;
    };
    void fail(const char* what) {
        if (error_.empty()) error_ = std::string(what) + ": " + cudaGetErrorString(cudaGetLastError());
    }
    void* array(const void* host, size_t bytes, bool upload) {
        if (!ok()) return nullptr;
        auto it = arrays_.find(host);
        if (it == arrays_.end()) {
            Array a;
            a.bytes = bytes;
            if (cudaMalloc(&a.base, bytes + 2 * kGuardBytes) != cudaSuccess) {
                fail("cudaMalloc");
                return nullptr;
            }
            cudaMemset(a.base, kSentinelByte, bytes + 2 * kGuardBytes);
            it = arrays_.emplace(host, a).first;
        }
        unsigned char* data = it->second.base + kGuardBytes;
        if (upload && host && bytes && cudaMemcpy(data, host, bytes, cudaMemcpyHostToDevice) != cudaSuccess)
            fail("cudaMemcpy H2D");
        return data;
    }
    std::map<const void*, Array> arrays_;
    cudaStream_t stream_ = nullptr;
    std::string error_;
};

size_t elem_size(hact_dtype dtype) { return dtype == HACT_F64 ? 8 : dtype == HACT_F32 ? 4 : 2; }

hact_status finish_or_fail(DeviceCall& d, hact_status s,
                           const std::vector<std::pair<void*, size_t>>& outputs) {
    if (s != HACT_OK) return s;
    d.finish(outputs);
    if (!d.ok()) {
        std::fprintf(stderr, "hact test CUDA backend: %s\n", d.error().c_str());
        return HACT_ERR_INTERNAL;
    }
    return s;
}

}  // namespace
#endif

std::string backend_unavailable(hact_isa b) {
    if (b != kCudaBackend) {
        if (!hact_isa_available(b))
            return "CPU lacks " + std::string(hact_isa_name(b) ? hact_isa_name(b) : "?") +
                   " (or this build does not include that variant)";
        return "";
    }
    if (hact_cuda_available() != HACT_OK) return std::string("no CUDA device: ") + hact_last_error();
#ifndef HACT_TEST_CUDA
    return "the tests were built without the CUDA toolkit (needed to move test data)";
#else
    return "";
#endif
}

hact_status run_forward(hact_op op, hact_dtype dtype, const void* x, void* y, size_t n,
                        const hact_params* params) {
    if (backend != kCudaBackend) return hact_forward(op, dtype, x, y, n, params);
#ifdef HACT_TEST_CUDA
    DeviceCall d;
    const size_t bytes = n * elem_size(dtype);
    const void* dx = x ? d.in(x, bytes) : nullptr;
    void* dy = y ? d.out(y, bytes) : nullptr;
    return finish_or_fail(d, hact_cuda_forward(op, dtype, dx, dy, n, params, d.stream()), {{y, bytes}});
#else
    return HACT_ERR_UNSUPPORTED;
#endif
}

hact_status run_backward(hact_op op, hact_dtype dtype, const void* x, const void* dy, void* dx,
                         size_t n, const hact_params* params) {
    if (backend != kCudaBackend) return hact_backward(op, dtype, x, dy, dx, n, params);
#ifdef HACT_TEST_CUDA
    DeviceCall d;
    const size_t bytes = n * elem_size(dtype);
    const void* d_x = x ? d.in(x, bytes) : nullptr;
    const void* d_dy = dy ? d.in(dy, bytes) : nullptr;
    void* d_dx = dx ? d.out(dx, bytes) : nullptr;
    return finish_or_fail(d, hact_cuda_backward(op, dtype, d_x, d_dy, d_dx, n, params, d.stream()),
                          {{dx, bytes}});
#else
    return HACT_ERR_UNSUPPORTED;
#endif
}

hact_status run_backward_params(hact_op op, hact_dtype dtype, const void* x, const void* dy,
                                size_t n, const hact_params* params, hact_params* grad) {
    if (backend != kCudaBackend) return hact_backward_params(op, dtype, x, dy, n, params, grad);
#ifdef HACT_TEST_CUDA
    DeviceCall d;
    const size_t bytes = n * elem_size(dtype);
    const void* d_x = x ? d.in(x, bytes) : nullptr;
    const void* d_dy = dy ? d.in(dy, bytes) : nullptr;
    auto* d_grad = static_cast<hact_params*>(grad ? d.out(grad, sizeof *grad) : nullptr);
    return finish_or_fail(
        d, hact_cuda_backward_params(op, dtype, d_x, d_dy, n, params, d_grad, d.stream()),
        {{grad, sizeof *grad}});
#else
    return HACT_ERR_UNSUPPORTED;
#endif
}

hact_status run_glu_forward(hact_glu kind, hact_dtype dtype, const void* a, const void* b, void* out,
                            size_t n, const hact_params* params) {
    if (backend != kCudaBackend) return hact_glu_forward(kind, dtype, a, b, out, n, params);
#ifdef HACT_TEST_CUDA
    DeviceCall d;
    const size_t bytes = n * elem_size(dtype);
    const void* d_a = a ? d.in(a, bytes) : nullptr;
    const void* d_b = b ? d.in(b, bytes) : nullptr;
    void* d_out = out ? d.out(out, bytes) : nullptr;
    return finish_or_fail(d, hact_cuda_glu_forward(kind, dtype, d_a, d_b, d_out, n, params, d.stream()),
                          {{out, bytes}});
#else
    return HACT_ERR_UNSUPPORTED;
#endif
}

hact_status run_glu_backward(hact_glu kind, hact_dtype dtype, const void* a, const void* b,
                             const void* dy, void* da, void* db, size_t n, const hact_params* params) {
    if (backend != kCudaBackend) return hact_glu_backward(kind, dtype, a, b, dy, da, db, n, params);
#ifdef HACT_TEST_CUDA
    DeviceCall d;
    const size_t bytes = n * elem_size(dtype);
    const void* d_a = a ? d.in(a, bytes) : nullptr;
    const void* d_b = b ? d.in(b, bytes) : nullptr;
    const void* d_dy = dy ? d.in(dy, bytes) : nullptr;
    void* d_da = da ? d.out(da, bytes) : nullptr;
    void* d_db = db ? d.out(db, bytes) : nullptr;
    return finish_or_fail(
        d, hact_cuda_glu_backward(kind, dtype, d_a, d_b, d_dy, d_da, d_db, n, params, d.stream()),
        {{da, bytes}, {db, bytes}});
#else
    return HACT_ERR_UNSUPPORTED;
#endif
}

hact_status run_glu_split_forward(hact_glu kind, hact_dtype dtype, const void* x, void* y, size_t outer,
                                  size_t half, size_t inner, int gated_half, const hact_params* params) {
    if (backend != kCudaBackend)
        return hact_glu_split_forward(kind, dtype, x, y, outer, half, inner, gated_half, params);
#ifdef HACT_TEST_CUDA
    DeviceCall d;
    const size_t bytes = outer * half * inner * elem_size(dtype);
    const void* d_x = x ? d.in(x, 2 * bytes) : nullptr;
    void* d_y = y ? d.out(y, bytes) : nullptr;
    return finish_or_fail(d,
                          hact_cuda_glu_split_forward(kind, dtype, d_x, d_y, outer, half, inner, gated_half,
                                                      params, d.stream()),
                          {{y, bytes}});
#else
    return HACT_ERR_UNSUPPORTED;
#endif
}

hact_status run_glu_split_backward(hact_glu kind, hact_dtype dtype, const void* x, const void* dy,
                                   void* dx, size_t outer, size_t half, size_t inner, int gated_half,
                                   const hact_params* params) {
    if (backend != kCudaBackend)
        return hact_glu_split_backward(kind, dtype, x, dy, dx, outer, half, inner, gated_half, params);
#ifdef HACT_TEST_CUDA
    DeviceCall d;
    const size_t bytes = outer * half * inner * elem_size(dtype);
    const void* d_x = x ? d.in(x, 2 * bytes) : nullptr;
    const void* d_dy = dy ? d.in(dy, bytes) : nullptr;
    void* d_dx = dx ? d.out(dx, 2 * bytes) : nullptr;
    return finish_or_fail(d,
                          hact_cuda_glu_split_backward(kind, dtype, d_x, d_dy, d_dx, outer, half, inner,
                                                       gated_half, params, d.stream()),
                          {{dx, 2 * bytes}});
#else
    return HACT_ERR_UNSUPPORTED;
#endif
}

}  // namespace hact_test

// Where a test's hact calls run: a CPU ISA variant (hact_set_max_isa) or the CUDA device, named
// by a pseudo-ISA so the same suites, references and bounds cover both. The run_* functions have
// the signatures of hact_forward / hact_backward / hact_backward_params / hact_glu_* with host
// arrays; on the
// CUDA backend they copy the arrays to device memory (inside sentinel guards), call
// hact_cuda_* on a non-default stream, synchronize, copy the results back, and fail with
// HACT_ERR_INTERNAL if a kernel wrote outside its output.
#ifndef HACT_TEST_BACKEND_H
#define HACT_TEST_BACKEND_H

#include <string>

#include "hact/hact.h"

namespace hact_test {

constexpr hact_isa kCudaBackend = static_cast<hact_isa>(100);

// The backend run_* use on the calling thread (fixtures set it; CPU by default).
void set_backend(hact_isa backend);
hact_isa current_backend();
// Empty if the backend can run here, else the reason it cannot (for GTEST_SKIP).
std::string backend_unavailable(hact_isa backend);

hact_status run_forward(hact_op op, hact_dtype dtype, const void* x, void* y, size_t n,
                        const hact_params* params);
hact_status run_backward(hact_op op, hact_dtype dtype, const void* x, const void* dy, void* dx,
                         size_t n, const hact_params* params);
hact_status run_backward_params(hact_op op, hact_dtype dtype, const void* x, const void* dy,
                                size_t n, const hact_params* params, hact_params* grad);

// The GLU family: hact_glu_* or hact_cuda_glu_* (element counts as the flat calls take them;
// the split forms' x and dx hold 2 * outer * half * inner elements, y and dy half of that).
hact_status run_glu_forward(hact_glu kind, hact_dtype dtype, const void* a, const void* b, void* out,
                            size_t n, const hact_params* params);
hact_status run_glu_backward(hact_glu kind, hact_dtype dtype, const void* a, const void* b,
                             const void* dy, void* da, void* db, size_t n, const hact_params* params);
hact_status run_glu_split_forward(hact_glu kind, hact_dtype dtype, const void* x, void* y, size_t outer,
                                  size_t half, size_t inner, int gated_half, const hact_params* params);
hact_status run_glu_split_backward(hact_glu kind, hact_dtype dtype, const void* x, const void* dy,
                                   void* dx, size_t outer, size_t half, size_t inner, int gated_half,
                                   const hact_params* params);

}  // namespace hact_test

#endif

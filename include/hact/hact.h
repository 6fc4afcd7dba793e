/* hact: Halide-generated activation functions and their derivatives, behind a C ABI.
 *
 * One header, valid C99 and C++. Every function returns a hact_status (results go through
 * out-parameters) except the pure queries. No function aborts the caller: bad input gives a
 * status and a thread-local message (hact_last_error()), and nothing is written outside the
 * caller's output buffers.
 *
 * Semantics of every op: docs/activations.md (the project's spec); accuracy: docs/accuracy.md.
 */
#ifndef HACT_H_5A1C7E
#define HACT_H_5A1C7E

#include <stddef.h>
#include <stdint.h>

/* Version: the single source of truth; CMake parses these three lines. */
#define HACT_VERSION_MAJOR 0
#define HACT_VERSION_MINOR 1
#define HACT_VERSION_PATCH 0
#define HACT_VERSION_NUMBER (HACT_VERSION_MAJOR * 10000 + HACT_VERSION_MINOR * 100 + HACT_VERSION_PATCH)
#define HACT_VERSION_STRING_(a, b, c) #a "." #b "." #c
#define HACT_VERSION_STRING_X(a, b, c) HACT_VERSION_STRING_(a, b, c)
#define HACT_VERSION_STRING \
    HACT_VERSION_STRING_X(HACT_VERSION_MAJOR, HACT_VERSION_MINOR, HACT_VERSION_PATCH)

#if defined(_WIN32) && defined(HACT_DLL_EXPORT)
#define HACT_API __declspec(dllexport)
#elif defined(_WIN32) && defined(HACT_DLL_IMPORT)
#define HACT_API __declspec(dllimport)
#elif defined(__GNUC__)
#define HACT_API __attribute__((visibility("default")))
#else
#define HACT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Values are stable: new codes are appended, none is ever renumbered. */
typedef enum hact_status {
    HACT_OK = 0,
    HACT_ERR_INVALID_ARGUMENT = 1, /* NULL pointer with n > 0, bad enum value, bad name, ... */
    HACT_ERR_UNKNOWN_OP = 2,       /* op value or name not in the registry */
    HACT_ERR_UNSUPPORTED = 3,      /* valid request this build cannot serve (dtype, ISA, direction) */
    HACT_ERR_BAD_PARAMS = 4,       /* a parameter the op reads is NaN or infinite, or a value without
                                      a meaning (docs/reliability.md: hardtanh min_val > max_val,
                                      celu alpha = 0, softplus beta = 0, a PReLU weight not finite) */
    HACT_ERR_KERNEL = 5,           /* a generated kernel reported an error (message says which) */
    HACT_ERR_OUT_OF_MEMORY = 6,
    HACT_ERR_INTERNAL = 7,
    HACT_ERR_DEVICE_UNAVAILABLE = 8 /* no CUDA driver or GPU, or the device cannot be used */
} hact_status;

typedef enum hact_dtype { HACT_F32 = 0, HACT_F16, HACT_BF16, HACT_F64 } hact_dtype;

/* The ops, in registry order (include/hact/activations.def): hact_op_silu, hact_op_swish, ... */
typedef enum hact_op {
#define HACT_OP(name, learnable, reads, defaults) hact_op_##name,
#include "hact/activations.def"
#undef HACT_OP
    hact_op_count_ /* number of ops; not an op */
} hact_op;

/* Parameters of every op; field names follow PyTorch's argument names. Each op reads only the
 * fields its registry line names; hact_default_params() gives PyTorch's defaults. */
typedef struct hact_params {
    float negative_slope, alpha, beta, threshold, scale, min_val, max_val;
} hact_params;

/* Bit masks naming hact_params fields (hact_op_params / hact_op_learnable_params). */
#define HACT_P_NEGATIVE_SLOPE 0x01u
#define HACT_P_ALPHA 0x02u
#define HACT_P_BETA 0x04u
#define HACT_P_THRESHOLD 0x08u
#define HACT_P_SCALE 0x10u
#define HACT_P_MIN_VAL 0x20u
#define HACT_P_MAX_VAL 0x40u

/* ---- ops ---------------------------------------------------------------------------------- */
HACT_API int hact_op_count(void);
/* Names as in the spec: "silu", "swish", ... Unknown name: HACT_ERR_UNKNOWN_OP. */
HACT_API hact_status hact_op_from_name(const char *name, hact_op *op);
/* The op's name, or NULL for a value outside the registry. */
HACT_API const char *hact_op_name(hact_op op);
/* PyTorch's defaults for the op (all zero for an unknown op). */
HACT_API hact_params hact_default_params(hact_op op);
/* HACT_P_* masks: the fields the op reads, and those hact_backward_params() differentiates. */
HACT_API unsigned hact_op_params(hact_op op);
HACT_API unsigned hact_op_learnable_params(hact_op op);

/* ---- compute ------------------------------------------------------------------------------ */
/* y[i] = f(x[i]) for i < n. y may equal x (in place); other overlaps are not allowed.
 * params NULL means hact_default_params(op). Any n, any alignment the dtype allows. */
HACT_API hact_status hact_forward(hact_op op, hact_dtype dtype, const void *x, void *y, size_t n,
                                  const hact_params *params);
/* dx[i] = dy[i] * f'(x[i]). dx may equal dy or x. */
HACT_API hact_status hact_backward(hact_op op, hact_dtype dtype, const void *x, const void *dy,
                                   void *dx, size_t n, const hact_params *params);
/* Gradients of the learnable parameters, reduced over all n elements:
 * grad->p = sum_i dy[i] * df(x[i])/dp for every learnable field p; other fields are set to 0.
 * Summed in double and rounded once per field. An op without learnable parameters returns all
 * zeros and HACT_OK. */
HACT_API hact_status hact_backward_params(hact_op op, hact_dtype dtype, const void *x,
                                          const void *dy, size_t n, const hact_params *params,
                                          hact_params *grad);

/* ---- the GLU family ------------------------------------------------------------------------ */
/* out = g(a) * b for a gate activation g (include/hact/glu.def): glu (g = sigmoid, PyTorch's
 * F.glu), swiglu (silu), reglu (relu), ... The gate's parameters (hact_params, NULL = its
 * defaults) apply. The backward computes both gradients in one pass:
 *   da = dy * b * g'(a),  db = dy * g(a). */
typedef enum hact_glu {
#define HACT_GLU(name, gate) hact_glu_##name,
#include "hact/glu.def"
#undef HACT_GLU
    hact_glu_count_ /* number of kinds; not a kind */
} hact_glu;

HACT_API int hact_glu_count(void);
HACT_API const char *hact_glu_name(hact_glu kind); /* NULL for a value outside glu.def */
HACT_API hact_status hact_glu_from_name(const char *name, hact_glu *kind);
HACT_API hact_op hact_glu_gate(hact_glu kind); /* the gate op; hact_op_count_ if unknown */

/* Two arrays of n elements. out may equal a or b; da may equal a or dy, db may equal b or dy
 * (da and db must differ). */
HACT_API hact_status hact_glu_forward(hact_glu kind, hact_dtype dtype, const void *a, const void *b,
                                      void *out, size_t n, const hact_params *params);
HACT_API hact_status hact_glu_backward(hact_glu kind, hact_dtype dtype, const void *a, const void *b,
                                       const void *dy, void *da, void *db, size_t n,
                                       const hact_params *params);

/* One contiguous tensor split in halves along a dimension: x has shape [outer, 2 * half, inner]
 * (for a split along dimension d of shape s: outer = s[0] * ... * s[d-1], half = s[d] / 2,
 * inner = s[d+1] * ... ), y and dy have shape [outer, half, inner], dx the shape of x.
 * gated_half names the half the gate is applied to: HACT_GATE_SECOND (PyTorch's F.glu:
 * first * g(second)), HACT_GATE_FIRST (vLLM's silu_and_mul: g(first) * second), or
 * HACT_GATE_DEFAULT (= HACT_GATE_SECOND, for every kind). */
#define HACT_GATE_DEFAULT (-1)
#define HACT_GATE_FIRST 0
#define HACT_GATE_SECOND 1
HACT_API hact_status hact_glu_split_forward(hact_glu kind, hact_dtype dtype, const void *x, void *y,
                                            size_t outer, size_t half, size_t inner, int gated_half,
                                            const hact_params *params);
HACT_API hact_status hact_glu_split_backward(hact_glu kind, hact_dtype dtype, const void *x,
                                             const void *dy, void *dx, size_t outer, size_t half,
                                             size_t inner, int gated_half, const hact_params *params);

/* ---- PReLU with a weight per channel -------------------------------------------------------- */
/* x, y, dy, dx of shape [outer, channels, inner], contiguous (PyTorch's layout: dim 1 is the
 * channel; outer = N, inner = the product of the dimensions after it; a 1-D input is
 * [1, 1, n] with one weight), weight[channels] finite. y = x if x > 0 else weight[c] * x.
 * The scalar-weight form is the op hact_op_prelu (hact_params.negative_slope is the weight).
 * dweight (may be NULL; float32 for every dtype) gets dL/dweight[c] = sum over x <= 0 of
 * dy * x, summed in double.
 * y may equal x; dx may equal x or dy. */
HACT_API hact_status hact_prelu_forward(hact_dtype dtype, const void *x, const void *weight, void *y,
                                        size_t outer, size_t channels, size_t inner);
HACT_API hact_status hact_prelu_backward(hact_dtype dtype, const void *x, const void *weight,
                                         const void *dy, void *dx, void *dweight, size_t outer,
                                         size_t channels, size_t inner);

/* ---- errors ------------------------------------------------------------------------------- */
/* Message of the last failure on the calling thread ("" if none yet). Valid until the next hact
 * call on the same thread. */
HACT_API const char *hact_last_error(void);
HACT_API const char *hact_status_string(hact_status s);

/* ---- CPU variants ------------------------------------------------------------------------- */
/* Instruction-set variants, ordered by capability within a family (a build has the variants of
 * one family: x86-64 or AArch64). */
typedef enum hact_isa {
    HACT_ISA_X86_64 = 1,   /* baseline x86-64 (SSE2) */
    HACT_ISA_AVX2 = 2,     /* AVX2 + FMA + F16C */
    HACT_ISA_AVX512 = 3,   /* AVX-512 F/CD/BW/DQ/VL (Skylake-X and later, Zen 4 and later) */
    HACT_ISA_NEON = 4,     /* AArch64 baseline: ARMv8.0-A Advanced SIMD (NEON) */
    HACT_ISA_NEON_FP16 = 5 /* ARMv8.2-A: NEON with FP16 arithmetic and dot product (Cortex-A55/A76
                            * and later, Neoverse N1+, Apple M1+) */
} hact_isa;
/* The highest hact_isa value: hact_set_max_isa(HACT_ISA_LAST) removes any cap. */
#define HACT_ISA_LAST HACT_ISA_NEON_FP16

/* The variant calls run on now: the best one that is compiled in, supported by this CPU and
 * operating system, and not above the cap. */
HACT_API hact_isa hact_get_isa(void);
/* Names: "x86_64", "avx2", "avx512", "neon", "neon_fp16". */
HACT_API const char *hact_isa_name(hact_isa isa);
HACT_API hact_status hact_isa_from_name(const char *name, hact_isa *isa);
/* 1 if the variant is compiled in and this CPU runs it, else 0. */
HACT_API int hact_isa_available(hact_isa isa);
/* Cap the variant (process-wide). The environment variable HACT_MAX_ISA=<name> sets the initial
 * cap. A cap below every available variant is HACT_ERR_UNSUPPORTED and changes nothing. */
HACT_API hact_status hact_set_max_isa(hact_isa isa);

/* ---- threads ------------------------------------------------------------------------------ */
/* Threads used by large calls (hact's thread pool, process-wide; the environment variable
 * HACT_POOL=halide makes the kernels use Halide's own pool instead). 0 = one per core. At most
 * 256 threads run a call (either pool); a larger count is kept and reported but runs as 256.
 * Changing the count restarts the pool: do not call it while hact calls run on other threads. */
HACT_API hact_status hact_set_num_threads(int n);
HACT_API int hact_get_num_threads(void);

/* ---- CUDA --------------------------------------------------------------------------------- */
/* The same computations on an NVIDIA GPU: every pointer is device memory (cudaMalloc, or managed
 * memory) of the calling thread's current CUDA context (the primary context of device 0 if the
 * thread has none, as the CUDA runtime API would pick). Work is queued on `stream` (a CUstream or
 * cudaStream_t; NULL = the legacy default stream) and the call returns without waiting for it:
 * synchronize the stream before reading results on the host. Nothing is copied through the
 * host. Chunking, argument checks and the in-place rules are those of the CPU calls above.
 * Every dtype, float64 included (its math calls libdevice there: docs/accuracy.md has its bound).
 * A pointer CUDA does not know as device memory (e.g. a host pointer), or memory of another GPU
 * than the context's (not managed; peer access is not used), is HACT_ERR_INVALID_ARGUMENT.
 * Without an NVIDIA driver or GPU every call returns HACT_ERR_DEVICE_UNAVAILABLE, as it does in a
 * library built without CUDA kernels (HACT_CUDA=OFF); the arguments are checked first either way. */
HACT_API hact_status hact_cuda_forward(hact_op op, hact_dtype dtype, const void *x, void *y, size_t n,
                                       const hact_params *params, void *stream);
HACT_API hact_status hact_cuda_backward(hact_op op, hact_dtype dtype, const void *x, const void *dy,
                                        void *dx, size_t n, const hact_params *params, void *stream);
/* grad is device memory holding one hact_params (7 floats): learnable fields get their gradient,
 * the others 0. The reduction runs on the GPU (partial sums in double). */
HACT_API hact_status hact_cuda_backward_params(hact_op op, hact_dtype dtype, const void *x,
                                               const void *dy, size_t n, const hact_params *params,
                                               hact_params *grad, void *stream);
/* The GLU family on the GPU: hact_glu_forward / _backward / _split_forward / _split_backward
 * with the same arguments, shapes, aliasing rules and results, on device memory and the stream. */
HACT_API hact_status hact_cuda_glu_forward(hact_glu kind, hact_dtype dtype, const void *a, const void *b,
                                           void *out, size_t n, const hact_params *params, void *stream);
HACT_API hact_status hact_cuda_glu_backward(hact_glu kind, hact_dtype dtype, const void *a, const void *b,
                                            const void *dy, void *da, void *db, size_t n,
                                            const hact_params *params, void *stream);
HACT_API hact_status hact_cuda_glu_split_forward(hact_glu kind, hact_dtype dtype, const void *x, void *y,
                                                 size_t outer, size_t half, size_t inner, int gated_half,
                                                 const hact_params *params, void *stream);
HACT_API hact_status hact_cuda_glu_split_backward(hact_glu kind, hact_dtype dtype, const void *x,
                                                  const void *dy, void *dx, size_t outer, size_t half,
                                                  size_t inner, int gated_half, const hact_params *params,
                                                  void *stream);
/* Per-channel PReLU on the GPU: hact_prelu_forward / _backward's shapes and rules, every array
 * (weight, and dweight when not NULL) device memory, work on the stream. The weights are not
 * read on the host, so a non-finite weight is not refused there (its channel's results are
 * non-finite); dweight is reduced on the device. */
HACT_API hact_status hact_cuda_prelu_forward(hact_dtype dtype, const void *x, const void *weight, void *y,
                                             size_t outer, size_t channels, size_t inner, void *stream);
HACT_API hact_status hact_cuda_prelu_backward(hact_dtype dtype, const void *x, const void *weight,
                                              const void *dy, void *dx, void *dweight, size_t outer,
                                              size_t channels, size_t inner, void *stream);
/* HACT_OK if CUDA calls can run (driver loaded, at least one GPU, context available), else
 * HACT_ERR_DEVICE_UNAVAILABLE with the reason in hact_last_error() (no driver, no GPU, or a build
 * without CUDA kernels). */
HACT_API hact_status hact_cuda_available(void);
/* Name and compute capability (major * 10 + minor) of the device the calling thread's calls
 * would run on. */
HACT_API hact_status hact_cuda_device_info(char *name, size_t name_size, int *capability);
/* ---- strided tensors ---------------------------------------------------------------------- */
/* A tensor descriptor with the memory layout of DLPack's DLTensor (https://dmlc.github.io/dlpack),
 * field for field, so the DLTensor of any DLPack producer (PyTorch, NumPy, JAX, CuPy, ...) can be
 * passed after a pointer cast: (const hact_tensor *)&managed->dl_tensor. When <dlpack/dlpack.h>
 * is included before this header, the layouts are compared at compile time and
 * hact_tensor_from_dlpack() does the cast.
 *
 *   data + byte_offset  the address of element (0, ..., 0), aligned to the element size. The
 *                       element at index (i_0, ..., i_{ndim-1}) is at that address plus
 *                       (i_0 * strides[0] + ... + i_{ndim-1} * strides[ndim-1]) elements.
 *   device              {HACT_DEVICE_CPU, 0}. Host memory of other DLPack devices (CUDA or ROCm
 *                       pinned host memory) is accepted too; device_id is ignored for host
 *                       memory. CUDA and CUDA managed memory go to hact_cuda_*_tensor (below;
 *                       HACT_ERR_UNSUPPORTED here); ROCm memory or an unknown device type:
 *                       HACT_ERR_UNSUPPORTED.
 *   ndim                0 (a scalar: one element) to HACT_TENSOR_MAX_NDIM.
 *   dtype               DLPack's {code, bits, lanes}: float32 {HACT_DL_FLOAT, 32, 1}, float16
 *                       {HACT_DL_FLOAT, 16, 1}, bfloat16 {HACT_DL_BFLOAT, 16, 1} and float64
 *                       {HACT_DL_FLOAT, 64, 1}, computed as the flat calls compute them; integer,
 *                       complex, float8 and vector (lanes > 1) types are HACT_ERR_UNSUPPORTED;
 *                       bits or lanes 0 is HACT_ERR_INVALID_ARGUMENT.
 *   shape[ndim]         extents >= 0 (NULL only when ndim is 0).
 *   strides[ndim]       in elements, not bytes (as DLPack); any sign; 0 repeats an element
 *                       (broadcast: inputs only). NULL means compact row-major. The stride of
 *                       an extent-1 dimension is never used.
 *   byte_offset         added to data.
 *
 * Rules of the _tensor entry points:
 * - Every tensor of a call has the same ndim, shape, dtype and device: no implicit broadcasting
 *   (broadcast an input by giving it stride 0). A mismatch is HACT_ERR_INVALID_ARGUMENT and the
 *   message names the dimension.
 * - No two elements of an output may share memory (stride 0, or strides that make elements
 *   coincide); an output may be exactly the same view as an input (same address of element 0 and
 *   same strides: in place, y = x, dx = x and/or dx = dy) but must not overlap an input in any
 *   other way. Both are decided exactly (a bounded search for a shared element, as NumPy's
 *   may_share_memory does); the rare layout the search cannot decide within its work limit is
 *   refused as overlapping. HACT_ERR_INVALID_ARGUMENT.
 * - The element count and the memory span of every tensor are below 2^60 elements.
 * - A tensor with no elements (an extent 0) is never read or written; data may then be NULL.
 * - Forward and backward results are bit for bit those of the flat call on contiguous copies,
 *   for every layout. hact_backward_params_tensor sums in double and rounds once like the flat
 *   call; the order of the terms follows the memory layout, so the float result can differ from
 *   the flat call on a contiguous copy by the rounding of the double sum (identical when the
 *   tensors are contiguous in the same order).
 * - Views that are contiguous once their dimensions are reordered and merged (a transpose of a
 *   contiguous tensor, all strides negated, extent-1 dimensions anywhere) take the flat path: one
 *   kernel call. Other layouts run the kernel per contiguous row, or gather blocks or tiles of
 *   elements into stack buffers, compute and scatter them (no heap allocation), in parallel tasks
 *   when large. docs/design.md ("Strided tensors") has the details. */
#define HACT_TENSOR_MAX_NDIM 64

/* DLPack device types (DLDeviceType values). */
#define HACT_DEVICE_CPU 1
#define HACT_DEVICE_CUDA 2
#define HACT_DEVICE_CUDA_HOST 3
#define HACT_DEVICE_ROCM 10
#define HACT_DEVICE_ROCM_HOST 11
#define HACT_DEVICE_CUDA_MANAGED 13

/* DLPack type codes (DLDataTypeCode values). */
#define HACT_DL_INT 0
#define HACT_DL_UINT 1
#define HACT_DL_FLOAT 2
#define HACT_DL_BFLOAT 4

typedef struct hact_device {
    int32_t device_type; /* HACT_DEVICE_*; DLDevice.device_type */
    int32_t device_id;
} hact_device;

typedef struct hact_dltype {
    uint8_t code; /* HACT_DL_* */
    uint8_t bits;
    uint16_t lanes;
} hact_dltype;

typedef struct hact_tensor {
    void *data;
    hact_device device;
    int32_t ndim;
    hact_dltype dtype;
    const int64_t *shape;
    const int64_t *strides;
    uint64_t byte_offset;
} hact_tensor;

/* y = f(x) elementwise. y may be exactly x's view (in place). params NULL: the op's defaults. */
HACT_API hact_status hact_forward_tensor(hact_op op, const hact_tensor *x, const hact_tensor *y,
                                         const hact_params *params);
/* dx = dy * f'(x) elementwise. dx may be exactly x's view and/or dy's. */
HACT_API hact_status hact_backward_tensor(hact_op op, const hact_tensor *x, const hact_tensor *dy,
                                          const hact_tensor *dx, const hact_params *params);
/* grad->p = sum over all elements of dy * df(x)/dp for every learnable field p, other fields 0
 * (as hact_backward_params). x and dy may overlap in any way (both are read only). */
HACT_API hact_status hact_backward_params_tensor(hact_op op, const hact_tensor *x,
                                                 const hact_tensor *dy, const hact_params *params,
                                                 hact_params *grad);

/* The same on the GPU: tensors in CUDA device memory (device HACT_DEVICE_CUDA or
 * HACT_DEVICE_CUDA_MANAGED, one device_id per call; the kernels run on the calling thread's
 * current context, as hact_cuda_forward's), any strides, the rules above; work queued on `stream`
 * (NULL: the legacy default stream), nothing synchronized. grad is device memory holding one
 * hact_params, as in hact_cuda_backward_params. Host tensors are HACT_ERR_INVALID_ARGUMENT here
 * (and CUDA tensors HACT_ERR_UNSUPPORTED in the calls above). */
HACT_API hact_status hact_cuda_forward_tensor(hact_op op, const hact_tensor *x, const hact_tensor *y,
                                              const hact_params *params, void *stream);
HACT_API hact_status hact_cuda_backward_tensor(hact_op op, const hact_tensor *x, const hact_tensor *dy,
                                               const hact_tensor *dx, const hact_params *params,
                                               void *stream);
HACT_API hact_status hact_cuda_backward_params_tensor(hact_op op, const hact_tensor *x,
                                                      const hact_tensor *dy, const hact_params *params,
                                                      hact_params *grad, void *stream);

/* A CPU tensor of a hact_dtype (strides NULL: compact row-major). shape and strides are
 * referenced, not copied. */
static inline hact_tensor hact_tensor_make(void *data, hact_dtype dtype, int32_t ndim,
                                           const int64_t *shape, const int64_t *strides) {
    static const hact_dltype types[4] = {{HACT_DL_FLOAT, 32, 1}, {HACT_DL_FLOAT, 16, 1},
                                         {HACT_DL_BFLOAT, 16, 1}, {HACT_DL_FLOAT, 64, 1}};
    hact_tensor t;
    t.data = data;
    t.device.device_type = HACT_DEVICE_CPU;
    t.device.device_id = 0;
    t.ndim = ndim;
    if ((int)dtype >= 0 && (int)dtype < 4) {
        t.dtype = types[dtype];
    } else {
        t.dtype.code = 0; /* not a hact_dtype: the calls report it */
        t.dtype.bits = 0;
        t.dtype.lanes = 0;
    }
    t.shape = shape;
    t.strides = strides;
    t.byte_offset = 0;
    return t;
}

#ifdef DLPACK_DLPACK_H_
/* dlpack.h was included first: check that hact_tensor is DLTensor's layout (a negative array
 * size fails the build), and cast. */
typedef char hact_dltensor_layout_check_[(sizeof(DLTensor) == sizeof(hact_tensor) &&
                                          offsetof(DLTensor, ndim) == offsetof(hact_tensor, ndim) &&
                                          offsetof(DLTensor, dtype) == offsetof(hact_tensor, dtype) &&
                                          offsetof(DLTensor, shape) == offsetof(hact_tensor, shape) &&
                                          offsetof(DLTensor, strides) == offsetof(hact_tensor, strides) &&
                                          offsetof(DLTensor, byte_offset) ==
                                              offsetof(hact_tensor, byte_offset) &&
                                          sizeof(DLDataType) == sizeof(hact_dltype))
                                             ? 1
                                             : -1];
static inline const hact_tensor *hact_tensor_from_dlpack(const DLTensor *t) {
    return (const hact_tensor *)(const void *)t;
}
#endif

/* ---- version ------------------------------------------------------------------------------ */
/* The linked library's version (compare with HACT_VERSION_NUMBER to catch a header mismatch). */
HACT_API unsigned hact_version_number(void);
HACT_API const char *hact_version_string(void);

#ifdef __cplusplus
}
#endif
#endif /* HACT_H_5A1C7E */

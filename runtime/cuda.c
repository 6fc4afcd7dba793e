/* The CUDA entry points: device pointers in and out, on the caller's context and stream.
 *
 * The driver is loaded with dlopen when the first CUDA call runs, so programs linked with hact
 * start (and run their CPU calls) on machines without one. Loading it RTLD_GLOBAL also makes its
 * symbols visible to Halide's CUDA runtime, which looks them up in the process before trying to
 * open "libcuda.so" itself (only libcuda.so.1 is guaranteed to exist where a driver is installed).
 *
 * Halide's runtime asks for a context and a stream through hooks (halide_set_cuda_*); the
 * kernels are generated with user_context, and every call passes a hacti_cuda_uc naming the
 * caller's current context and stream, so Halide creates no context and never synchronizes.
 * Kernel modules (PTX JIT-compiled by the driver) are cached by Halide per context. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "HalideRuntime.h"
#include "HalideRuntimeCuda.h"
#include "internal.h"

#if !defined(HACT_WITH_CUDA)
/* A build without CUDA kernels (HACT_CUDA=OFF: the default off x86-64, e.g. AArch64): the entry
 * points exist, so that one program links against every build; they check every argument as the
 * real ones do, then the runners below report HACT_ERR_DEVICE_UNAVAILABLE. */
static hact_status no_cuda(const char *api) {
    hacti_init();
    return hacti_fail(HACT_ERR_DEVICE_UNAVAILABLE,
                      "%s: this build of hact has no CUDA kernels (configured with HACT_CUDA=OFF)", api);
}
hact_status hact_cuda_available(void) { return no_cuda("hact_cuda_available"); }
hact_status hact_cuda_device_info(char *name, size_t name_size, int *capability) {
    (void)name, (void)name_size, (void)capability;
    return no_cuda("hact_cuda_device_info");
}
/* The runners of every entry point (the flat ones below, glu.c, prelu.c, tensor.c): called once
 * the arguments are checked, they say that there is nothing to run them on. */
static hact_status no_cuda_call(const hacti_call *c) {
    return hacti_fail(HACT_ERR_DEVICE_UNAVAILABLE,
                      "%s(%s): this build of hact has no CUDA kernels (configured with HACT_CUDA=OFF)", c->entry,
                      c->name);
}
hact_status hacti_cuda_run_glu(const hacti_call *c, size_t rows, size_t len, const hacti_plane *planes,
                               int nplanes, void *stream) {
    (void)rows, (void)len, (void)planes, (void)nplanes, (void)stream;
    return no_cuda_call(c);
}
hact_status hacti_cuda_run_layout(const hacti_call *c, int nd, const int64_t *shape, int n,
                                  const int64_t (*strides)[HACT_TENSOR_MAX_NDIM], char *const *base,
                                  const char *const *names, hact_params *grad, void *stream) {
    (void)nd, (void)shape, (void)n, (void)strides, (void)base, (void)names, (void)grad, (void)stream;
    return no_cuda_call(c);
}
hact_status hacti_cuda_zero_grad(const hacti_call *c, hact_params *grad, void *stream) {
    (void)grad, (void)stream;
    return no_cuda_call(c);
}
hact_status hacti_cuda_ready(const hacti_call *c, void *stream) {
    (void)stream;
    return no_cuda_call(c);
}
hact_status hacti_cuda_run_prelu(const hacti_call *c, const void *x, const void *weight, const void *dy, void *out,
                                 void *dweight, size_t outer, size_t channels, size_t inner, void *stream) {
    (void)x, (void)weight, (void)dy, (void)out, (void)dweight, (void)outer, (void)channels, (void)inner, (void)stream;
    return no_cuda_call(c);
}
#else

/* The few driver API types and values used here (cuda.h is not needed to build hact). */
typedef int cu_result;
typedef int cu_device;
typedef void *cu_context;
typedef void *cu_stream;
typedef unsigned long long cu_ptr;
enum {
    CU_POINTER_ATTRIBUTE_MEMORY_TYPE = 2,
    CU_POINTER_ATTRIBUTE_IS_MANAGED = 8,
    CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL = 9,
    CU_POINTER_ATTRIBUTE_RANGE_START_ADDR = 11,
    CU_POINTER_ATTRIBUTE_RANGE_SIZE = 12,
    CU_MEMORYTYPE_HOST = 1,
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
};

static struct driver {
    cu_result (*cuInit)(unsigned);
    cu_result (*cuDeviceGetCount)(int *);
    cu_result (*cuDeviceGet)(cu_device *, int);
    cu_result (*cuDeviceGetName)(char *, int, cu_device);
    cu_result (*cuDeviceGetAttribute)(int *, int, cu_device);
    cu_result (*cuDevicePrimaryCtxRetain)(cu_context *, cu_device);
    cu_result (*cuCtxGetCurrent)(cu_context *);
    cu_result (*cuCtxGetDevice)(cu_device *);
    cu_result (*cuCtxPushCurrent)(cu_context);
    cu_result (*cuCtxPopCurrent)(cu_context *);
    cu_result (*cuPointerGetAttributes)(unsigned, int *, void **, cu_ptr);
    cu_result (*cuMemAllocAsync)(cu_ptr *, size_t, cu_stream);
    cu_result (*cuMemFreeAsync)(cu_ptr, cu_stream);
    cu_result (*cuMemsetD32Async)(cu_ptr, unsigned, size_t, cu_stream);
    cu_result (*cuGetErrorName)(cu_result, const char **);
} cu;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static hact_status load_status = HACT_OK;
static char load_message[256];
static cu_context primary_context; /* device 0's, for threads without a current context */

static const char *error_name(cu_result r) {
    const char *name = NULL;
    if (cu.cuGetErrorName) cu.cuGetErrorName(r, &name);
    return name ? name : "unknown CUDA error";
}

static void load_failed(hact_status s, const char *what, cu_result r) {
    load_status = s;
    if (r)
        snprintf(load_message, sizeof load_message, "%s (%s, %d)", what, error_name(r), r);
    else
        snprintf(load_message, sizeof load_message, "%s", what);
}

/* Halide's hooks: the context and stream of the call in flight (user_context). */
typedef struct hacti_cuda_uc {
    cu_context ctx;
    cu_stream stream;
} hacti_cuda_uc;

static int acquire_context(void *uc, void **ctx, bool create) {
    (void)create;
    *ctx = ((hacti_cuda_uc *)uc)->ctx;
    return 0;
}
static int release_context(void *uc) {
    (void)uc;
    return 0;
}
static int get_stream(void *uc, void *ctx, void **stream) {
    (void)ctx;
    *stream = ((hacti_cuda_uc *)uc)->stream;
    return 0;
}

static void load(void) {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        load_failed(HACT_ERR_DEVICE_UNAVAILABLE, "no NVIDIA driver: libcuda.so.1 cannot be loaded", 0);
        return;
    }
#define HACTI_LOAD(fn)                                                                    \
    if (!(*(void **)&cu.fn = dlsym(lib, #fn))) {                                         \
        load_failed(HACT_ERR_DEVICE_UNAVAILABLE,                                          \
                    "the NVIDIA driver is too old (no " #fn "; CUDA 11.2 or later needed)", 0); \
        return;                                                                           \
    }
    HACTI_LOAD(cuGetErrorName)
    HACTI_LOAD(cuInit)
    HACTI_LOAD(cuDeviceGetCount)
    HACTI_LOAD(cuDeviceGet)
    HACTI_LOAD(cuDeviceGetName)
    HACTI_LOAD(cuDeviceGetAttribute)
    HACTI_LOAD(cuDevicePrimaryCtxRetain)
    HACTI_LOAD(cuCtxGetCurrent)
    HACTI_LOAD(cuCtxGetDevice)
    HACTI_LOAD(cuCtxPushCurrent)
    HACTI_LOAD(cuCtxPopCurrent)
    HACTI_LOAD(cuPointerGetAttributes)
    HACTI_LOAD(cuMemAllocAsync)
    HACTI_LOAD(cuMemFreeAsync)
    HACTI_LOAD(cuMemsetD32Async)
#undef HACTI_LOAD
    cu_result r = cu.cuInit(0);
    if (r) return load_failed(HACT_ERR_DEVICE_UNAVAILABLE, "cuInit failed", r);
    int count = 0;
    r = cu.cuDeviceGetCount(&count);
    if (r) return load_failed(HACT_ERR_DEVICE_UNAVAILABLE, "cuDeviceGetCount failed", r);
    if (count == 0) return load_failed(HACT_ERR_DEVICE_UNAVAILABLE, "the NVIDIA driver sees no GPU", 0);
    cu_device dev;
    r = cu.cuDeviceGet(&dev, 0);
    if (!r) r = cu.cuDevicePrimaryCtxRetain(&primary_context, dev);
    if (r) return load_failed(HACT_ERR_DEVICE_UNAVAILABLE, "cannot retain device 0's primary context", r);
    halide_set_cuda_acquire_context(acquire_context);
    halide_set_cuda_release_context(release_context);
    halide_set_cuda_get_stream(get_stream);
}

/* Loads the driver once; then makes the caller's context (or device 0's primary context)
 * current for the call. Pair with leave(). */
static hact_status enter(const char *api, hacti_cuda_uc *uc, void *stream) {
    hacti_init();
    pthread_once(&load_once, load);
    if (load_status != HACT_OK) return hacti_fail(load_status, "%s: %s", api, load_message);
    cu_context ctx = NULL;
    cu_result r = cu.cuCtxGetCurrent(&ctx);
    if (r) return hacti_fail(HACT_ERR_DEVICE_UNAVAILABLE, "%s: cuCtxGetCurrent failed (%s)", api, error_name(r));
    uc->ctx = ctx ? ctx : primary_context;
    uc->stream = stream;
    r = cu.cuCtxPushCurrent(uc->ctx);
    if (r) return hacti_fail(HACT_ERR_DEVICE_UNAVAILABLE, "%s: cuCtxPushCurrent failed (%s)", api, error_name(r));
    return HACT_OK;
}

/* enter() for a call whose arguments are checked: messages name it as "<entry>(<op or kind>)". */
static hact_status enter_call(const hacti_call *c, hacti_cuda_uc *uc, void *stream) {
    char label[80];
    snprintf(label, sizeof label, "%s(%s)", c->entry, c->name);
    return enter(label, uc, stream);
}

static hact_status leave(hact_status s) {
    cu_context popped;
    cu.cuCtxPopCurrent(&popped);
    return s;
}

hact_status hact_cuda_available(void) {
    hacti_cuda_uc uc;
    HACTI_TRY(enter("hact_cuda_available", &uc, NULL));
    return leave(HACT_OK);
}

hact_status hact_cuda_device_info(char *name, size_t name_size, int *capability) {
    hacti_cuda_uc uc;
    HACTI_TRY(enter("hact_cuda_device_info", &uc, NULL));
    cu_device dev;
    cu_result r = cu.cuCtxGetDevice(&dev);
    int major = 0, minor = 0;
    if (!r && name && name_size > 0) r = cu.cuDeviceGetName(name, (int)(name_size > 1024 ? 1024 : name_size), dev);
    if (!r) r = cu.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
    if (!r) r = cu.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
    if (r)
        return leave(hacti_fail(HACT_ERR_DEVICE_UNAVAILABLE, "hact_cuda_device_info: %s", error_name(r)));
    if (capability) *capability = major * 10 + minor;
    return leave(HACT_OK);
}

/* Device memory of `bytes` bytes at ptr, aligned to its elements of element_bytes: known to CUDA
 * as device (or managed) memory, and inside one allocation, so no kernel reads or writes past its
 * end. */
static hact_status check_device_bytes(const hacti_call *c, const void *ptr, const char *arg, size_t bytes_needed,
                                      size_t element_bytes) {
    HACTI_TRY(hacti_check_aligned(c, ptr, arg, element_bytes));
    unsigned memory_type = 0, managed = 0;
    int ordinal = -1;
    cu_ptr start = 0;
    size_t size = 0;
    int attrs[5] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE, CU_POINTER_ATTRIBUTE_RANGE_START_ADDR,
                    CU_POINTER_ATTRIBUTE_RANGE_SIZE, CU_POINTER_ATTRIBUTE_IS_MANAGED,
                    CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL};
    void *data[5] = {&memory_type, &start, &size, &managed, &ordinal};
    cu_result r = cu.cuPointerGetAttributes(5, attrs, data, (cu_ptr)(uintptr_t)ptr);
    if (r || memory_type == 0)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(%s): %s = %p is not CUDA device memory (a host pointer?)",
                          c->entry, c->name, arg, ptr);
    if (memory_type == CU_MEMORYTYPE_HOST)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT,
                          "%s(%s): %s = %p is page-locked host memory, not device memory", c->entry,
                          c->name, arg, ptr);
    /* Another GPU's memory (a PyTorch tensor on cuda:1 while device 0 is current) would fault in
     * the kernel, a sticky error that ends the process's CUDA context: refused. Managed memory
     * is reachable from every device. */
    cu_device current = -1;
    if (!managed && ordinal >= 0 && cu.cuCtxGetDevice(&current) == 0 && current != ordinal)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT,
                          "%s(%s): %s = %p is memory of CUDA device %d, but the call runs on device %d "
                          "(make device %d current first: cudaSetDevice(%d), torch.cuda.device(%d))",
                          c->entry, c->name, arg, ptr, ordinal, (int)current, ordinal, ordinal, ordinal);
    const cu_ptr p = (cu_ptr)(uintptr_t)ptr, bytes = (cu_ptr)bytes_needed;
    if (start != 0 && size != 0 && (p < start || p - start + bytes > size))
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT,
                          "%s(%s): %s = %p holds %llu bytes to the end of its allocation, %llu needed",
                          c->entry, c->name, arg, ptr, (unsigned long long)(start + size - p),
                          (unsigned long long)bytes);
    return HACT_OK;
}

/* A device array of n elements of the call's dtype. */
static hact_status check_device_array(const hacti_call *c, const void *ptr, const char *arg, size_t n) {
    return check_device_bytes(c, ptr, arg, n * hacti_dtype_size(c->dtype), hacti_dtype_size(c->dtype));
}

/* ---- the flat kernels over a layout ---------------------------------------------------------
 * The forward, backward and parameter-gradient kernels take 4-D device buffers with free strides
 * (generators/activation_generator.cpp, flat_dims): a dense array is one dimension, a strided
 * tensor (tensor.c) the dimensions its layout reduces to. rows.c (hacti_each_device_call, host
 * code, tested on the CPU) splits the layout: a call takes the innermost dimensions that fit
 * Halide's int32 extents and offsets whole (at most four), the outer ones are a loop of calls
 * (queued on the stream: nothing waits), an innermost dimension too long for one call is taken
 * in pieces. */
#define KERNEL_DIMS HACT_DEVICE_DIMS
#define MAX_OPERANDS HACTI_DEVICE_OPERANDS

typedef int (*cuda_fwd_fn)(void *, halide_buffer_t *, HACTI_P, halide_buffer_t *);
typedef int (*cuda_bwd_fn)(void *, halide_buffer_t *, halide_buffer_t *, HACTI_P, halide_buffer_t *);
typedef int (*cuda_pgrad_fn)(void *, halide_buffer_t *, halide_buffer_t *, HACTI_P, halide_buffer_t *,
                             int32_t, halide_buffer_t *, halide_buffer_t *);

static const struct halide_type_t f32_type = {halide_type_float, 32, 1};

/* Operand k of call v (rows.c's hacti_device_call) at a device address, as a 4-D buffer (the
 * dimensions past v->nd of extent 1). The kernels are generated without asserts, so the
 * buffer's type is not checked: f32 names every dtype. */
static void wrap(hacti_cuda_uc *uc, halide_buffer_t *b, halide_dimension_t *dims, const hacti_device_call *v, int k,
                 uint64_t address) {
    for (int d = 0; d < KERNEL_DIMS; ++d)
        dims[d] = d < v->nd ? (halide_dimension_t){0, v->extent[d], v->stride[k][d], 0}
                            : (halide_dimension_t){0, 1, 0, 0};
    memset(b, 0, sizeof *b);
    b->type = f32_type;
    b->dimensions = KERNEL_DIMS;
    b->dim = dims;
    halide_cuda_wrap_device_ptr(uc, b, address);
}

/* A 1-D device buffer of n elements of type at address (grad, the partial sums). */
static void wrap_vector(hacti_cuda_uc *uc, halide_buffer_t *b, halide_dimension_t *dim, struct halide_type_t type,
                        uint64_t address, int32_t n) {
    *dim = (halide_dimension_t){0, n, 1, 0};
    memset(b, 0, sizeof *b);
    b->type = type;
    b->dimensions = 1;
    b->dim = dim;
    halide_cuda_wrap_device_ptr(uc, b, address);
}

/* The blocks of a device reduction over rows of e0 elements (ParamGradTotal's and
 * ChannelWeightGradTotal's partial sums, generators/activation_generator.cpp): a chunk of
 * HACT_DEVICE_REDUCE_BLOCK elements of a long row, or max(1, B / e0) whole short rows. */
static int64_t reduction_blocks(int64_t e0, int64_t rows) {
    const int64_t B = HACT_DEVICE_REDUCE_BLOCK, rpb = B / e0 > 1 ? B / e0 : 1;
    return (e0 + B - 1) / B * ((rows + rpb - 1) / rpb);
}

/* One parameter-gradient kernel over v (x, dy): its block partial sums (up to
 * HACT_DEVICE_REDUCE_BLOCK elements each: a chunk of a long row, or whole short rows; the
 * generator's ParamGradTotal counts them the same way) live in stream-ordered scratch, freed in
 * stream order once queued; grad = (accumulate ? grad : 0) + the call's sums. */
static hact_status pgrad_call(const hacti_call *c, hacti_cuda_uc *uc, halide_buffer_t *bx, halide_buffer_t *bdy,
                              const hacti_device_call *v, int accumulate, hact_params *grad) {
    int64_t rows = 1;
    for (int d = 1; d < v->nd; ++d) rows *= v->extent[d];
    const int64_t blocks = reduction_blocks(v->extent[0], rows);
    cu_ptr scratch = 0;
    cu_result r = cu.cuMemAllocAsync(&scratch, (size_t)blocks * HACT_NUM_PARAMS * sizeof(double), uc->stream);
    if (r)
        return hacti_fail(r == 2 ? HACT_ERR_OUT_OF_MEMORY : HACT_ERR_KERNEL,
                          "%s(%s): scratch for %lld partial sums: %s", c->entry, c->name, (long long)blocks,
                          error_name(r));
    halide_dimension_t dp, dg, ds[2] = {{0, HACT_NUM_PARAMS, 1, 0}, {0, (int32_t)blocks, HACT_NUM_PARAMS, 0}};
    halide_buffer_t bprior, bgrad, bs;
    wrap_vector(uc, &bprior, &dp, f32_type, (uint64_t)(uintptr_t)grad, HACT_NUM_PARAMS);
    wrap_vector(uc, &bgrad, &dg, f32_type, (uint64_t)(uintptr_t)grad, HACT_NUM_PARAMS);
    memset(&bs, 0, sizeof bs);
    bs.type = (struct halide_type_t){halide_type_float, 64, 1};
    bs.dimensions = 2;
    bs.dim = ds;
    halide_cuda_wrap_device_ptr(uc, &bs, scratch);
    const int rc = ((cuda_pgrad_fn)c->kernel)(uc, bx, bdy, HACTI_ARGS(*c), &bprior, accumulate, &bs, &bgrad);
    halide_buffer_t *all[] = {&bprior, &bgrad, &bs};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i) halide_cuda_detach_device_ptr(uc, all[i]);
    cu.cuMemFreeAsync(scratch, uc->stream);
    return rc != 0 ? hacti_kernel_failed(c, rc) : HACT_OK;
}

/* One kernel call over v, its operands at address[]. Operands as tensor.c orders them: forward
 * (y, x), backward (dx, x, dy), parameter gradients (x, dy). */
static hact_status launch(const hacti_call *c, hacti_cuda_uc *uc, const hacti_device_call *v, const uint64_t *address,
                          int n, int accumulate, hact_params *grad) {
    halide_dimension_t dims[MAX_OPERANDS][KERNEL_DIMS];
    halide_buffer_t b[MAX_OPERANDS];
    for (int k = 0; k < n; ++k) wrap(uc, &b[k], dims[k], v, k, address[k]);
    int rc = 0;
    hact_status s = HACT_OK;
    switch (c->dir) {
    case HACTI_FWD: rc = ((cuda_fwd_fn)c->kernel)(uc, &b[1], HACTI_ARGS(*c), &b[0]); break;
    case HACTI_BWD: rc = ((cuda_bwd_fn)c->kernel)(uc, &b[1], &b[2], HACTI_ARGS(*c), &b[0]); break;
    default: s = pgrad_call(c, uc, &b[0], &b[1], v, accumulate, grad); break;
    }
    if (rc != 0) s = hacti_kernel_failed(c, rc);
    for (int k = 0; k < n; ++k) halide_cuda_detach_device_ptr(uc, &b[k]);
    return s;
}

/* A layout's calls (rows.c, hacti_each_device_call) launched at their device addresses. */
typedef struct layout_run {
    const hacti_call *c;
    hacti_cuda_uc *uc;
    char *const *base;
    int n;
    hact_params *grad;
} layout_run;

static hact_status launch_call(void *ctx, const hacti_device_call *call) {
    const layout_run *r = ctx;
    const int64_t es = (int64_t)hacti_dtype_size(r->c->dtype);
    uint64_t address[MAX_OPERANDS];
    for (int k = 0; k < r->n; ++k) address[k] = (uint64_t)(uintptr_t)(r->base[k] + call->offset[k] * es);
    return launch(r->c, r->uc, call, address, r->n, !call->first, r->grad);
}

hact_status hacti_cuda_run_layout(const hacti_call *c, int nd, const int64_t *shape, int n,
                                  const int64_t (*strides)[HACT_TENSOR_MAX_NDIM], char *const *base,
                                  const char *const *names, hact_params *grad, void *stream) {
    hacti_cuda_uc uc;
    HACTI_TRY(enter_call(c, &uc, stream));
    const size_t es = hacti_dtype_size(c->dtype);
    if (grad) {
        const hact_status s = check_device_bytes(c, grad, "grad", sizeof(hact_params), sizeof(float));
        if (s != HACT_OK) return leave(s);
    }
    /* Every operand inside one device allocation, from its lowest element to its highest. */
    for (int k = 0; k < n; ++k) {
        int64_t lo = 0, hi = 0;
        for (int d = 0; d < nd; ++d) {
            const int64_t reach = strides[k][d] * (shape[d] - 1);
            if (reach < 0) lo += reach;
            else hi += reach;
        }
        const hact_status s = check_device_array(c, base[k] + lo * (int64_t)es, names[k], (size_t)(hi - lo + 1));
        if (s != HACT_OK) return leave(s);
    }
    layout_run run = {c, &uc, base, n, grad};
    return leave(hacti_each_device_call(nd, shape, n, strides, launch_call, &run));
}

hact_status hacti_cuda_zero_grad(const hacti_call *c, hact_params *grad, void *stream) {
    hacti_cuda_uc uc;
    HACTI_TRY(enter_call(c, &uc, stream));
    hact_status s = check_device_bytes(c, grad, "grad", sizeof(hact_params), sizeof(float));
    if (s != HACT_OK) return leave(s);
    /* Zero gradients, queued on the stream like every other result. */
    const cu_result r = cu.cuMemsetD32Async((cu_ptr)(uintptr_t)grad, 0, HACT_NUM_PARAMS, uc.stream);
    if (r) s = hacti_fail(HACT_ERR_KERNEL, "%s(%s): cuMemsetD32Async: %s", c->entry, c->name, error_name(r));
    return leave(s);
}

hact_status hacti_cuda_ready(const hacti_call *c, void *stream) {
    hacti_cuda_uc uc;
    HACTI_TRY(enter_call(c, &uc, stream));
    return leave(HACT_OK);
}

/* ---- per-channel PReLU (prelu.c checks the arguments) ----------------------------------------
 * dx or y: the row layout's kernels, rows of inner elements, row r of a call with channel
 * (first_row + r) % channels, over the blocks that fit one call (rows.c); dweight: zeroed, then
 * the device weight gradient added over pieces [inner piece, channel piece, outer piece] of the
 * tensor, each within int32 extents and offsets, queued before dx is written. */
typedef int (*cuda_chfwd_fn)(void *, halide_buffer_t *, halide_buffer_t *, int, int, halide_buffer_t *);
typedef int (*cuda_chbwd_fn)(void *, halide_buffer_t *, halide_buffer_t *, halide_buffer_t *, int, int,
                             halide_buffer_t *);
typedef int (*cuda_chwgrad_fn)(void *, halide_buffer_t *, halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                               int32_t, halide_buffer_t *, halide_buffer_t *);

typedef struct prelu_device_run {
    const hacti_call *c;
    hacti_cuda_uc *uc;
    const void *x, *dy, *weight;
    void *out;
    size_t channels, inner;
} prelu_device_run;

/* A device buffer of the CPU's block layout (hacti_block_buffer) at a device address. */
static void device_block(hacti_cuda_uc *uc, halide_buffer_t *b, halide_dimension_t *dims, const void *base,
                         size_t stride, size_t r0, size_t rc, size_t l0, size_t lc, hact_dtype dtype) {
    hacti_block_buffer(b, dims, base, stride, r0, rc, l0, lc, dtype);
    const uint64_t address = (uint64_t)(uintptr_t)b->host;
    b->host = NULL;
    halide_cuda_wrap_device_ptr(uc, b, address);
}

static hact_status prelu_block_on_device(void *ctx, size_t r0, size_t rc, size_t l0, size_t lc) {
    const prelu_device_run *p = ctx;
    const hacti_call *c = p->c;
    halide_dimension_t dx[2], ddy[2], dout[2], dw;
    halide_buffer_t bx, bdy, bout, bw;
    device_block(p->uc, &bx, dx, p->x, p->inner, r0, rc, l0, lc, c->dtype);
    device_block(p->uc, &bout, dout, p->out, p->inner, r0, rc, l0, lc, c->dtype);
    wrap_vector(p->uc, &bw, &dw, hacti_halide_type(c->dtype), (uint64_t)(uintptr_t)p->weight, (int32_t)p->channels);
    const int channels = (int)p->channels, first_row = (int)(r0 % p->channels);
    int rc_k;
    if (p->dy) {
        device_block(p->uc, &bdy, ddy, p->dy, p->inner, r0, rc, l0, lc, c->dtype);
        rc_k = ((cuda_chbwd_fn)c->kernel)(p->uc, &bx, &bdy, &bw, channels, first_row, &bout);
        halide_cuda_detach_device_ptr(p->uc, &bdy);
    } else {
        rc_k = ((cuda_chfwd_fn)c->kernel)(p->uc, &bx, &bw, channels, first_row, &bout);
    }
    halide_buffer_t *all[] = {&bx, &bout, &bw};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i) halide_cuda_detach_device_ptr(p->uc, all[i]);
    return rc_k != 0 ? hacti_kernel_failed(c, rc_k) : HACT_OK;
}

/* One weight-gradient call over the piece [ic, cc, oc] at element (i0, c0, o0): dweight[c0 ..
 * c0 + cc) += its sums. */
static hact_status prelu_wgrad_piece(const prelu_device_run *p, void *kernel, float *dweight, size_t i0, size_t ic,
                                     size_t c0, size_t cc, size_t o0, size_t oc) {
    const hacti_call *c = p->c;
    const size_t es = hacti_dtype_size(c->dtype);
    const int64_t blocks = reduction_blocks((int64_t)ic, (int64_t)oc);
    cu_ptr scratch = 0;
    cu_result r = cu.cuMemAllocAsync(&scratch, (size_t)blocks * cc * sizeof(double), p->uc->stream);
    if (r)
        return hacti_fail(r == 2 ? HACT_ERR_OUT_OF_MEMORY : HACT_ERR_KERNEL, "%s(prelu): scratch for %lld x %zu sums: %s",
                          c->entry, (long long)blocks, cc, error_name(r));
    /* x and dy: [inner piece, channel piece, outer piece], strides 1, inner, channels x inner */
    hacti_device_call v = {.nd = 3, .extent = {(int32_t)ic, (int32_t)cc, (int32_t)oc}};
    uint64_t address[2];
    const size_t first = i0 + p->inner * (c0 + p->channels * o0);
    for (int k = 0; k < 2; ++k) {
        v.stride[k][0] = 1;
        v.stride[k][1] = (int32_t)p->inner;
        v.stride[k][2] = (int32_t)(p->channels * p->inner);
        address[k] = (uint64_t)(uintptr_t)((const char *)(k ? p->dy : p->x) + first * es);
    }
    halide_dimension_t dims[2][KERNEL_DIMS], dw, dp, dg, ds[2] = {{0, (int32_t)cc, 1, 0}, {0, (int32_t)blocks, (int32_t)cc, 0}};
    halide_buffer_t bx, bdy, bw, bprior, bgrad, bs;
    wrap(p->uc, &bx, dims[0], &v, 0, address[0]);
    wrap(p->uc, &bdy, dims[1], &v, 1, address[1]);
    bx.dimensions = bdy.dimensions = 3;
    wrap_vector(p->uc, &bw, &dw, hacti_halide_type(c->dtype), (uint64_t)(uintptr_t)((const char *)p->weight + c0 * es),
                (int32_t)cc);
    wrap_vector(p->uc, &bprior, &dp, f32_type, (uint64_t)(uintptr_t)(dweight + c0), (int32_t)cc);
    wrap_vector(p->uc, &bgrad, &dg, f32_type, (uint64_t)(uintptr_t)(dweight + c0), (int32_t)cc);
    memset(&bs, 0, sizeof bs);
    bs.type = (struct halide_type_t){halide_type_float, 64, 1};
    bs.dimensions = 2;
    bs.dim = ds;
    halide_cuda_wrap_device_ptr(p->uc, &bs, scratch);
    const int rc = ((cuda_chwgrad_fn)kernel)(p->uc, &bx, &bdy, &bw, &bprior, 1, &bs, &bgrad);
    halide_buffer_t *all[] = {&bx, &bdy, &bw, &bprior, &bgrad, &bs};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i) halide_cuda_detach_device_ptr(p->uc, all[i]);
    cu.cuMemFreeAsync(scratch, p->uc->stream);
    return rc != 0 ? hacti_kernel_failed(c, rc) : HACT_OK;
}

hact_status hacti_cuda_run_prelu(const hacti_call *c, const void *x, const void *weight, const void *dy, void *out,
                                 void *dweight, size_t outer, size_t channels, size_t inner, void *stream) {
    hacti_cuda_uc uc;
    HACTI_TRY(enter_call(c, &uc, stream));
    const size_t n = outer * channels * inner;
    hact_status s = HACT_OK;
    if (dweight) {
        s = check_device_bytes(c, dweight, "dweight", channels * sizeof(float), sizeof(float)); /* float32, every dtype */
        if (s == HACT_OK) {
            const cu_result r = cu.cuMemsetD32Async((cu_ptr)(uintptr_t)dweight, 0, channels, uc.stream);
            if (r) s = hacti_fail(HACT_ERR_KERNEL, "%s(%s): cuMemsetD32Async: %s", c->entry, c->name, error_name(r));
        }
    }
    if (s != HACT_OK || !x) return leave(s);
    const struct {
        const void *ptr;
        const char *name;
        size_t count;
    } arrays[] = {{x, "x", n}, {weight, "weight", channels}, {dy, "dy", n}, {out, dy ? "dx" : "y", n}};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0] && s == HACT_OK; ++k)
        if (arrays[k].ptr) s = check_device_array(c, arrays[k].ptr, arrays[k].name, arrays[k].count);
    if (s != HACT_OK) return leave(s);
    prelu_device_run p = {c, &uc, x, dy, weight, out, channels, inner};
    if (dweight) {
        void *kernel = hacti_find_channel_kernel(hact_op_prelu, c->dtype, HACTI_CH_WGRAD_TOTAL, HACTI_ON_CUDA);
        if (!kernel)
            return leave(hacti_fail(HACT_ERR_UNSUPPORTED, "%s(%s): no CUDA weight-gradient kernel for %s", c->entry,
                                    c->name, hacti_dtype_name(c->dtype)));
        const size_t limit = hacti_max_chunk();
        const size_t ic = inner < limit ? inner : limit, per = limit / ic;
        const size_t cc = channels < per ? channels : per, per_c = limit / (ic * cc);
        const size_t oc = outer < per_c ? outer : per_c;
        for (size_t c0 = 0; c0 < channels && s == HACT_OK; c0 += cc)
            for (size_t o0 = 0; o0 < outer && s == HACT_OK; o0 += oc)
                for (size_t i0 = 0; i0 < inner && s == HACT_OK; i0 += ic)
                    s = prelu_wgrad_piece(&p, kernel, dweight, i0, inner - i0 < ic ? inner - i0 : ic, c0,
                                          channels - c0 < cc ? channels - c0 : cc, o0, outer - o0 < oc ? outer - o0 : oc);
    }
    if (s == HACT_OK) s = hacti_each_block(outer * channels, inner, inner, SIZE_MAX, prelu_block_on_device, &p);
    return leave(s);
}

/* ---- the GLU family (glu.c checks the arguments and lays out the rows) ---------------------- */
typedef int (*cuda_glufwd_fn)(void *, halide_buffer_t *, halide_buffer_t *, HACTI_P, halide_buffer_t *);
typedef int (*cuda_glubwd_fn)(void *, halide_buffer_t *, halide_buffer_t *, halide_buffer_t *, HACTI_P,
                              halide_buffer_t *, halide_buffer_t *);

typedef struct glu_device_run {
    const hacti_call *c;
    hacti_cuda_uc *uc;
    const hacti_plane *planes;
    int nplanes;
} glu_device_run;

/* One kernel call over block [r0, r0 + rc) x [l0, l0 + lc): the CPU's 2-D block buffers
 * (hacti_block_buffer), their addresses handed to Halide as device pointers. */
static hact_status glu_block_on_device(void *ctx, size_t r0, size_t rc, size_t l0, size_t lc) {
    const glu_device_run *g = ctx;
    const hacti_call *c = g->c;
    halide_dimension_t dims[5][2];
    halide_buffer_t b[5];
    for (int k = 0; k < g->nplanes; ++k)
        device_block(g->uc, &b[k], dims[k], g->planes[k].base, g->planes[k].stride, r0, rc, l0, lc, c->dtype);
    const int rc_k = c->dir == HACTI_FWD
                         ? ((cuda_glufwd_fn)c->kernel)(g->uc, &b[0], &b[1], HACTI_ARGS(*c), &b[2])
                         : ((cuda_glubwd_fn)c->kernel)(g->uc, &b[0], &b[1], &b[2], HACTI_ARGS(*c), &b[3], &b[4]);
    for (int k = 0; k < g->nplanes; ++k) halide_cuda_detach_device_ptr(g->uc, &b[k]);
    return rc_k != 0 ? hacti_kernel_failed(c, rc_k) : HACT_OK;
}

hact_status hacti_cuda_run_glu(const hacti_call *c, size_t rows, size_t len, const hacti_plane *planes,
                               int nplanes, void *stream) {
    hacti_cuda_uc uc;
    HACTI_TRY(enter_call(c, &uc, stream));
    size_t max_stride = 0;
    for (int k = 0; k < nplanes; ++k) {
        /* every element a kernel touches: the last row ends (rows - 1) * stride + len from base */
        const hact_status s = check_device_array(c, planes[k].base, planes[k].name,
                                                 (rows - 1) * planes[k].stride + len);
        if (s != HACT_OK) return leave(s);
        if (planes[k].stride > max_stride) max_stride = planes[k].stride;
    }
    glu_device_run g = {c, &uc, planes, nplanes};
    return leave(hacti_each_block(rows, len, max_stride, SIZE_MAX, glu_block_on_device, &g));
}

#endif /* HACT_WITH_CUDA */

/* ---- the flat entry points: one dimension, stride 1 ------------------------------------------
 * The same code in every build: without CUDA kernels the runners report it (above). */
static hact_status run_dense(const hacti_call *c, size_t n, int nops, char *const *ptr, const char *const *names,
                             hact_params *grad, void *stream) {
    const int64_t shape[1] = {(int64_t)n};
    int64_t strides[3][HACT_TENSOR_MAX_NDIM];  /* at most dx, x, dy */
    for (int k = 0; k < nops; ++k) strides[k][0] = 1;
    return hacti_cuda_run_layout(c, 1, shape, nops, (const int64_t(*)[HACT_TENSOR_MAX_NDIM])strides, ptr, names,
                                 grad, stream);
}

hact_status hact_cuda_forward(hact_op op, hact_dtype dtype, const void *x, void *y, size_t n,
                              const hact_params *params, void *stream) {
    hacti_call c;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CUDA, NULL, op, dtype, HACTI_FWD, HACTI_FWD, params));
    if (n == 0) return hacti_cuda_ready(&c, stream);
    HACTI_TRY(hacti_check_forward_arrays(&c, x, y, n));
    char *ptr[2] = {(char *)y, (char *)x};
    const char *names[2] = {"y", "x"};
    return run_dense(&c, n, 2, ptr, names, NULL, stream);
}

hact_status hact_cuda_backward(hact_op op, hact_dtype dtype, const void *x, const void *dy, void *dx,
                               size_t n, const hact_params *params, void *stream) {
    hacti_call c;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CUDA, NULL, op, dtype, HACTI_BWD, HACTI_BWD, params));
    if (n == 0) return hacti_cuda_ready(&c, stream);
    HACTI_TRY(hacti_check_backward_arrays(&c, x, dy, dx, n));
    char *ptr[3] = {(char *)dx, (char *)x, (char *)dy};
    const char *names[3] = {"dx", "x", "dy"};
    return run_dense(&c, n, 3, ptr, names, NULL, stream);
}

hact_status hact_cuda_backward_params(hact_op op, hact_dtype dtype, const void *x, const void *dy,
                                      size_t n, const hact_params *params, hact_params *grad,
                                      void *stream) {
    hacti_call c;
    const unsigned learnable = ((int)op >= 0 && op < hact_op_count_) ? hact_op_learnable_params(op) : 0u;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CUDA, NULL, op, dtype, HACTI_PGRAD,
                               learnable ? HACTI_PGRAD : HACTI_FWD, params));
    HACTI_TRY(hacti_check_aligned(&c, grad, "grad", sizeof(float))); /* float32, every dtype */
    if (learnable == 0 || n == 0) return hacti_cuda_zero_grad(&c, grad, stream);
    HACTI_TRY(hacti_check_size(&c, n));
    HACTI_TRY(hacti_check_pointer(&c, x, "x"));
    HACTI_TRY(hacti_check_pointer(&c, dy, "dy"));
    char *ptr[2] = {(char *)x, (char *)dy};
    const char *names[2] = {"x", "dy"};
    return run_dense(&c, n, 2, ptr, names, grad, stream);
}

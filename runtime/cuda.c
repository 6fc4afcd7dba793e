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
 * points exist, so that one program links against every build; they check their arguments like
 * the real ones (hacti_check_call), then report HACT_ERR_DEVICE_UNAVAILABLE. */
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
hact_status hact_cuda_forward(hact_op op, hact_dtype dtype, const void *x, void *y, size_t n,
                              const hact_params *params, void *stream) {
    (void)x, (void)y, (void)n, (void)stream;
    hacti_call c;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CUDA, NULL, op, dtype, HACTI_FWD, HACTI_FWD, params));
    return no_cuda("hact_cuda_forward");
}
hact_status hact_cuda_backward(hact_op op, hact_dtype dtype, const void *x, const void *dy, void *dx,
                               size_t n, const hact_params *params, void *stream) {
    (void)x, (void)dy, (void)dx, (void)n, (void)stream;
    hacti_call c;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CUDA, NULL, op, dtype, HACTI_BWD, HACTI_BWD, params));
    return no_cuda("hact_cuda_backward");
}
hact_status hact_cuda_backward_params(hact_op op, hact_dtype dtype, const void *x, const void *dy,
                                      size_t n, const hact_params *params, hact_params *grad,
                                      void *stream) {
    (void)x, (void)dy, (void)n, (void)grad, (void)stream;
    hacti_call c;
    const unsigned learnable = ((int)op >= 0 && op < hact_op_count_) ? hact_op_learnable_params(op) : 0u;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CUDA, NULL, op, dtype, HACTI_PGRAD,
                               learnable ? HACTI_PGRAD : HACTI_FWD, params));
    return no_cuda("hact_cuda_backward_params");
}
hact_status hacti_cuda_run_glu(const hacti_call *c, size_t rows, size_t len, const hacti_plane *planes,
                               int nplanes, void *stream) {
    (void)rows, (void)len, (void)planes, (void)nplanes, (void)stream;
    return hacti_fail(HACT_ERR_DEVICE_UNAVAILABLE,
                      "%s(%s): this build of hact has no CUDA kernels (configured with HACT_CUDA=OFF)", c->entry,
                      c->name);
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

/* A device array of n elements: known to CUDA as device (or managed) memory, and inside one
 * allocation, so no kernel reads or writes past its end. */
static hact_status check_device_array(const hacti_call *c, const void *ptr, const char *arg, size_t n) {
    HACTI_TRY(hacti_check_pointer(c, ptr, arg));
    unsigned memory_type = 0;
    cu_ptr start = 0;
    size_t size = 0;
    int attrs[3] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE, CU_POINTER_ATTRIBUTE_RANGE_START_ADDR,
                    CU_POINTER_ATTRIBUTE_RANGE_SIZE};
    void *data[3] = {&memory_type, &start, &size};
    cu_result r = cu.cuPointerGetAttributes(3, attrs, data, (cu_ptr)(uintptr_t)ptr);
    if (r || memory_type == 0)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(%s): %s = %p is not CUDA device memory (a host pointer?)",
                          c->entry, c->name, arg, ptr);
    if (memory_type == CU_MEMORYTYPE_HOST)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT,
                          "%s(%s): %s = %p is page-locked host memory, not device memory", c->entry,
                          c->name, arg, ptr);
    const cu_ptr p = (cu_ptr)(uintptr_t)ptr, bytes = (cu_ptr)n * hacti_dtype_size(c->dtype);
    if (start != 0 && size != 0 && (p < start || p - start + bytes > size))
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT,
                          "%s(%s): %s = %p holds %llu bytes to the end of its allocation, %llu needed",
                          c->entry, c->name, arg, ptr, (unsigned long long)(start + size - p),
                          (unsigned long long)bytes);
    return HACT_OK;
}

static halide_buffer_t device_buffer(hacti_cuda_uc *uc, struct halide_type_t type, const void *ptr,
                                     size_t offset, size_t elem, int32_t extent, halide_dimension_t *dim) {
    *dim = (halide_dimension_t){0, extent, 1, 0};
    halide_buffer_t b;
    memset(&b, 0, sizeof b);
    b.type = type;
    b.dimensions = 1;
    b.dim = dim;
    halide_cuda_wrap_device_ptr(uc, &b, (uint64_t)(uintptr_t)ptr + (uint64_t)(offset * elem));
    return b;
}

static const struct halide_type_t f32_type = {halide_type_float, 32, 1};

typedef int (*cuda_fwd_fn)(void *, halide_buffer_t *, HACTI_P, halide_buffer_t *);
typedef int (*cuda_bwd_fn)(void *, halide_buffer_t *, halide_buffer_t *, HACTI_P, halide_buffer_t *);
typedef int (*cuda_pgrad_fn)(void *, halide_buffer_t *, halide_buffer_t *, HACTI_P, halide_buffer_t *,
                             int32_t, halide_buffer_t *, halide_buffer_t *);

hact_status hact_cuda_forward(hact_op op, hact_dtype dtype, const void *x, void *y, size_t n,
                              const hact_params *params, void *stream) {
    hacti_call c;
    hacti_cuda_uc uc;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CUDA, NULL, op, dtype, HACTI_FWD, HACTI_FWD, params));
    HACTI_TRY(enter("hact_cuda_forward", &uc, stream));
    hact_status s = HACT_OK;
    if (n == 0) return leave(s);
    if ((s = hacti_check_size(&c, n)) || (s = check_device_array(&c, x, "x", n)) ||
        (s = check_device_array(&c, y, "y", n)) || (s = hacti_check_overlap(&c, x, "x", y, "y", n)))
        return leave(s);
    const size_t chunk = hacti_max_chunk(), es = hacti_dtype_size(dtype);
    for (size_t off = 0; off < n && s == HACT_OK; off += chunk) {
        const int32_t len = (int32_t)(n - off < chunk ? n - off : chunk);
        halide_dimension_t d0, d1;
        halide_buffer_t bx = device_buffer(&uc, f32_type, x, off, es, len, &d0),
                        by = device_buffer(&uc, f32_type, y, off, es, len, &d1);
        int rc = ((cuda_fwd_fn)c.kernel)(&uc, &bx, HACTI_ARGS(c), &by);
        if (rc != 0) s = hacti_kernel_failed(&c, rc);
        halide_cuda_detach_device_ptr(&uc, &bx);
        halide_cuda_detach_device_ptr(&uc, &by);
    }
    return leave(s);
}

hact_status hact_cuda_backward(hact_op op, hact_dtype dtype, const void *x, const void *dy, void *dx,
                               size_t n, const hact_params *params, void *stream) {
    hacti_call c;
    hacti_cuda_uc uc;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CUDA, NULL, op, dtype, HACTI_BWD, HACTI_BWD, params));
    HACTI_TRY(enter("hact_cuda_backward", &uc, stream));
    hact_status s = HACT_OK;
    if (n == 0) return leave(s);
    if ((s = hacti_check_size(&c, n)) || (s = check_device_array(&c, x, "x", n)) ||
        (s = check_device_array(&c, dy, "dy", n)) || (s = check_device_array(&c, dx, "dx", n)) ||
        (s = hacti_check_overlap(&c, x, "x", dx, "dx", n)) ||
        (s = hacti_check_overlap(&c, dy, "dy", dx, "dx", n)))
        return leave(s);
    const size_t chunk = hacti_max_chunk(), es = hacti_dtype_size(dtype);
    for (size_t off = 0; off < n && s == HACT_OK; off += chunk) {
        const int32_t len = (int32_t)(n - off < chunk ? n - off : chunk);
        halide_dimension_t d0, d1, d2;
        halide_buffer_t bx = device_buffer(&uc, f32_type, x, off, es, len, &d0),
                        bdy = device_buffer(&uc, f32_type, dy, off, es, len, &d1),
                        bdx = device_buffer(&uc, f32_type, dx, off, es, len, &d2);
        int rc = ((cuda_bwd_fn)c.kernel)(&uc, &bx, &bdy, HACTI_ARGS(c), &bdx);
        if (rc != 0) s = hacti_kernel_failed(&c, rc);
        halide_cuda_detach_device_ptr(&uc, &bx);
        halide_cuda_detach_device_ptr(&uc, &bdy);
        halide_cuda_detach_device_ptr(&uc, &bdx);
    }
    return leave(s);
}

/* One pgrad kernel call over len elements at off; its block partial sums live in stream-ordered
 * scratch memory, freed (in stream order) as soon as the kernels are queued. */
static hact_status pgrad_chunk(hacti_call *c, hacti_cuda_uc *uc, const void *x, const void *dy,
                               size_t off, int32_t len, int accumulate, hact_params *grad) {
    const size_t es = hacti_dtype_size(c->dtype);
    const int32_t blocks = (int32_t)((len + (int64_t)HACT_DEVICE_REDUCE_BLOCK - 1) / HACT_DEVICE_REDUCE_BLOCK);
    cu_ptr scratch = 0;
    cu_result r = cu.cuMemAllocAsync(&scratch, (size_t)blocks * HACT_NUM_PARAMS * sizeof(double), uc->stream);
    if (r)
        return hacti_fail(r == 2 ? HACT_ERR_OUT_OF_MEMORY : HACT_ERR_KERNEL,
                          "%s(%s): scratch for %d partial sums: %s", c->entry, c->name, (int)blocks,
                          error_name(r));
    halide_dimension_t d0, d1, dp, dg, ds[2] = {{0, HACT_NUM_PARAMS, 1, 0}, {0, blocks, HACT_NUM_PARAMS, 0}};
    halide_buffer_t bx = device_buffer(uc, f32_type, x, off, es, len, &d0),
                    bdy = device_buffer(uc, f32_type, dy, off, es, len, &d1),
                    bprior = device_buffer(uc, f32_type, grad, 0, 4, HACT_NUM_PARAMS, &dp),
                    bgrad = device_buffer(uc, f32_type, grad, 0, 4, HACT_NUM_PARAMS, &dg);
    halide_buffer_t bs;
    memset(&bs, 0, sizeof bs);
    bs.type = (struct halide_type_t){halide_type_float, 64, 1};
    bs.dimensions = 2;
    bs.dim = ds;
    halide_cuda_wrap_device_ptr(uc, &bs, scratch);
    int rc = ((cuda_pgrad_fn)c->kernel)(uc, &bx, &bdy, HACTI_ARGS(*c), &bprior, accumulate, &bs, &bgrad);
    hact_status s = rc != 0 ? hacti_kernel_failed(c, rc) : HACT_OK;
    halide_buffer_t *all[] = {&bx, &bdy, &bprior, &bgrad, &bs};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i) halide_cuda_detach_device_ptr(uc, all[i]);
    cu.cuMemFreeAsync(scratch, uc->stream);
    return s;
}

hact_status hact_cuda_backward_params(hact_op op, hact_dtype dtype, const void *x, const void *dy,
                                      size_t n, const hact_params *params, hact_params *grad,
                                      void *stream) {
    hacti_call c;
    hacti_cuda_uc uc;
    const unsigned learnable = ((int)op >= 0 && op < hact_op_count_) ? hact_op_learnable_params(op) : 0u;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CUDA, NULL, op, dtype, HACTI_PGRAD,
                               learnable ? HACTI_PGRAD : HACTI_FWD, params));
    HACTI_TRY(enter("hact_cuda_backward_params", &uc, stream));
    hact_status s;
    if ((s = check_device_array(&c, grad, "grad", HACT_NUM_PARAMS))) return leave(s);
    if (n > 0 && ((s = hacti_check_size(&c, n)) || (s = check_device_array(&c, x, "x", n)) ||
                  (s = check_device_array(&c, dy, "dy", n))))
        return leave(s);
    if (learnable == 0 || n == 0) {
        /* Zero gradients, queued on the stream like every other result. */
        cu_result r = cu.cuMemsetD32Async((cu_ptr)(uintptr_t)grad, 0, HACT_NUM_PARAMS, uc.stream);
        if (r) s = hacti_fail(HACT_ERR_KERNEL, "hact_cuda_backward_params(%s): cuMemsetD32Async: %s",
                              hact_op_name(op), error_name(r));
        return leave(s);
    }
    const size_t chunk = hacti_max_chunk();
    for (size_t off = 0; off < n && s == HACT_OK; off += chunk) {
        const int32_t len = (int32_t)(n - off < chunk ? n - off : chunk);
        s = pgrad_chunk(&c, &uc, x, dy, off, len, off > 0, grad);
    }
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
    for (int k = 0; k < g->nplanes; ++k) {
        hacti_block_buffer(&b[k], dims[k], g->planes[k].base, g->planes[k].stride, r0, rc, l0, lc, c->dtype);
        const uint64_t address = (uint64_t)(uintptr_t)b[k].host;
        b[k].host = NULL;
        halide_cuda_wrap_device_ptr(g->uc, &b[k], address);
    }
    const int rc_k = c->dir == HACTI_FWD
                         ? ((cuda_glufwd_fn)c->kernel)(g->uc, &b[0], &b[1], HACTI_ARGS(*c), &b[2])
                         : ((cuda_glubwd_fn)c->kernel)(g->uc, &b[0], &b[1], &b[2], HACTI_ARGS(*c), &b[3], &b[4]);
    for (int k = 0; k < g->nplanes; ++k) halide_cuda_detach_device_ptr(g->uc, &b[k]);
    return rc_k != 0 ? hacti_kernel_failed(c, rc_k) : HACT_OK;
}

hact_status hacti_cuda_run_glu(const hacti_call *c, size_t rows, size_t len, const hacti_plane *planes,
                               int nplanes, void *stream) {
    hacti_cuda_uc uc;
    char label[80];
    snprintf(label, sizeof label, "%s(%s)", c->entry, c->name);
    HACTI_TRY(enter(label, &uc, stream));
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

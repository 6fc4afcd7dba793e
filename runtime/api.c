/* The compute entry points: check every argument, then call the kernel of the current ISA over
 * chunks that Halide's 32-bit extents accept. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "HalideRuntime.h"
#include "internal.h"

_Static_assert(sizeof(hact_params) == HACT_NUM_PARAMS * sizeof(float), "hact_params is 7 floats");

static const char *const param_names[HACT_NUM_PARAMS] = {
    "negative_slope", "alpha", "beta", "threshold", "scale", "min_val", "max_val"};
static const char *const dir_names[HACTI_NUM_DIRS] = {"forward", "backward", "backward_params"};
static const char *const dtype_names[HACTI_NUM_DTYPES] = {"f32", "f16", "bf16", "f64"};
static const size_t dtype_sizes[HACTI_NUM_DTYPES] = {4, 2, 2, 8};

/* Default chunk: the largest multiple of 2^20 below 2^31, so every chunk but the last keeps
 * whole vectors and pgrad lane-blocks. */
#define HACTI_DEFAULT_CHUNK ((size_t)2047 << 20)
static size_t max_chunk = HACTI_DEFAULT_CHUNK;

void hacti_set_max_chunk(size_t elements) {
    max_chunk = elements ? elements - elements % HACT_PGRAD_LANES : HACTI_DEFAULT_CHUNK;
    if (max_chunk == 0) max_chunk = HACT_PGRAD_LANES;
}
size_t hacti_max_chunk(void) { return max_chunk; }

typedef hacti_call call;

const char *hacti_dir_name(hacti_dir dir) { return dir_names[dir]; }
size_t hacti_dtype_size(hact_dtype dtype) { return dtype_sizes[dtype]; }

/* Names the call in messages ("hact_cuda_backward(swish)": entry, then subject). */
/* On every call, for the messages of its failures: two copies, not snprintf (~40 ns of a 70 ns
 * call on 16 elements, measured with perf). */
void hacti_name_call(call *c, const char *entry_prefix, const char *entry, const char *subject) {
    size_t a = strlen(entry_prefix), b = strlen(entry);
    if (a > sizeof c->entry - 1) a = sizeof c->entry - 1;
    if (b > sizeof c->entry - 1 - a) b = sizeof c->entry - 1 - a;
    memcpy(c->entry, entry_prefix, a);
    memcpy(c->entry + a, entry, b);
    c->entry[a + b] = '\0';
    c->name = subject;
}

/* The parameters of op (params, or its defaults when NULL) into c->p. The policy (the table in
 * docs/reliability.md, tested by tests/test_params.cpp): every parameter the op reads must be
 * finite, and the few finite values without a meaning are refused here, as PyTorch refuses them
 * (or, for softplus's beta = 0, where its result is infinite everywhere); every other finite
 * value follows the op's formula. Parameters an op does not read are ignored, whatever their
 * value. */
hact_status hacti_check_params(call *c, hact_op op, const hact_params *params) {
    hact_params p = params ? *params : hact_default_params(op);
    memcpy(c->p, &p, sizeof c->p);
    const unsigned reads = hact_op_params(op);
    for (int k = 0; k < HACT_NUM_PARAMS; ++k) {
        if ((reads >> k & 1u) && !isfinite(c->p[k]))
            return hacti_fail(HACT_ERR_BAD_PARAMS, "%s(%s): parameter %s = %g is not finite", c->entry,
                              c->name, param_names[k], (double)c->p[k]);
    }
    /* Finite values without a meaning, and magnitudes outside the range where the kernels are
     * validated (tests/test_params.cpp: 2^-60 below 1 and the upper limits below are exact powers
     * of two; beyond them the generated kernels lose accuracy or give NaN at +-inf, e.g. swish
     * with beta = 1e-30 or celu with alpha = FLT_MIN). */
    enum { NS, ALPHA, BETA, THRESHOLD, SCALE, MIN_VAL, MAX_VAL };
    const double lo = 0x1p-60;
    const char *problem = NULL;
    int field = 0;
    switch (op) {
    case hact_op_swish:
        if (p.beta != 0.0f && (fabs(p.beta) < lo || fabs(p.beta) > 0x1p60))
            problem = "must be 0 or of magnitude 2^-60 to 2^60", field = BETA;
        else if (p.scale == 0.0f)
            problem = "the zero function, NaN at x = +inf (0 * inf): not a swish", field = SCALE;
        else if (fabs(p.scale) > 0x1p60)
            problem = "must be of magnitude at most 2^60", field = SCALE;
        break;
    case hact_op_hardtanh:
        if (p.min_val > p.max_val)
            return hacti_fail(HACT_ERR_BAD_PARAMS,
                              "%s(%s): min_val = %g is greater than max_val = %g (an empty range; "
                              "min_val == max_val is allowed)", c->entry, c->name, (double)p.min_val,
                              (double)p.max_val);
        break;
    case hact_op_elu:
        if (fabs(p.alpha) > 0x1p48) problem = "must be of magnitude at most 2^48", field = ALPHA;
        break;
    case hact_op_celu:
        if (p.alpha == 0.0f) problem = "celu divides by alpha (PyTorch refuses 0 too)", field = ALPHA;
        else if (fabs(p.alpha) < lo || fabs(p.alpha) > 0x1p16)
            problem = "must be of magnitude 2^-60 to 2^16 (celu divides by alpha)", field = ALPHA;
        break;
    case hact_op_softplus:
        if (p.beta == 0.0f) problem = "softplus divides by beta (+inf everywhere)", field = BETA;
        else if (fabs(p.beta) < lo || fabs(p.beta) > 0x1p60)
            problem = "must be of magnitude 2^-60 to 2^60 (softplus divides by beta)", field = BETA;
        break;
    default: break;
    }
    if (problem)
        return hacti_fail(HACT_ERR_BAD_PARAMS, "%s(%s): %s = %g: %s", c->entry, c->name, param_names[field],
                          (double)c->p[field], problem);
    return HACT_OK;
}

hact_status hacti_check_dtype(const call *c, hact_dtype dtype) {
    if ((int)dtype < 0 || (int)dtype >= HACTI_NUM_DTYPES)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(%s): dtype %d is not a hact_dtype", c->entry,
                          c->name, (int)dtype);
    return HACT_OK;
}

const char *hacti_dtype_name(hact_dtype dtype) { return dtype_names[dtype]; }

/* The first of n elements that is inf or NaN, or n: one loop per dtype on the exponent bits
 * (prelu checks its weights on every call). */
size_t hacti_first_nonfinite(const void *data, size_t n, hact_dtype dtype) {
    size_t i = 0;
    switch (dtype) {
    case HACT_F32:
        for (const uint32_t *u = data; i < n && (u[i] & 0x7F800000u) != 0x7F800000u;) ++i;
        break;
    case HACT_F64:
        for (const uint64_t *u = data; i < n && (u[i] & 0x7FF0000000000000u) != 0x7FF0000000000000u;) ++i;
        break;
    case HACT_F16:
        for (const uint16_t *u = data; i < n && (u[i] & 0x7C00u) != 0x7C00u;) ++i;
        break;
    case HACT_BF16:
        for (const uint16_t *u = data; i < n && (u[i] & 0x7F80u) != 0x7F80u;) ++i;
        break;
    }
    return i;
}

struct halide_type_t hacti_halide_type(hact_dtype dtype) {
    static const struct halide_type_t types[HACTI_NUM_DTYPES] = {
        {halide_type_float, 32, 1}, {halide_type_float, 16, 1}, {halide_type_bfloat, 16, 1},
        {halide_type_float, 64, 1}};
    return types[dtype];
}

/* what names the entry point in messages (NULL: the direction's name); kernel_dir is the kernel the call needs (backward_params
 * of an op without learnable parameters checks dtype support against the forward kernel).
 * where: HACTI_ON_CPU (the best ISA variant) or HACTI_ON_CUDA (the device kernel). */
hact_status hacti_check_call(call *c, hacti_where where, const char *what, hact_op op, hact_dtype dtype,
                             hacti_dir dir, hacti_dir kernel_dir, const hact_params *params) {
    hacti_init();
    const char *prefix = where == HACTI_ON_CUDA ? "hact_cuda_" : "hact_";
    if (!what) what = dir_names[dir];
    if ((int)op < 0 || op >= hact_op_count_) {
        hacti_name_call(c, prefix, what, "?");
        return hacti_fail(HACT_ERR_UNKNOWN_OP, "%s: op %d is not in the registry (0..%d)", c->entry,
                          (int)op, (int)hact_op_count_ - 1);
    }
    hacti_name_call(c, prefix, what, hact_op_name(op));
    HACTI_TRY(hacti_check_dtype(c, dtype));
    if (where == HACTI_ON_CUDA) {
        c->kernel = hacti_find_device_kernel(op, dtype, kernel_dir);
        /* A build without CUDA kernels (HACT_CUDA=OFF) checks every argument, then its runners
         * say so (cuda.c), as the GLU and PReLU calls do. */
        if (!c->kernel && hacti_cuda_built())
            return hacti_fail(HACT_ERR_UNSUPPORTED, "%s(%s): dtype %s has no CUDA kernel in this library",
                              c->entry, c->name, dtype_names[dtype]);
    } else {
        if (!hacti_kernel_built(op, dtype, kernel_dir))
            return hacti_fail(HACT_ERR_UNSUPPORTED, "%s(%s): dtype %s is not built in this library",
                              c->entry, c->name, dtype_names[dtype]);
        hact_isa isa;
        c->kernel = hacti_find_kernel(op, dtype, kernel_dir, &isa);
        if (!c->kernel)
            return hacti_fail(HACT_ERR_UNSUPPORTED,
                              "%s(%s, %s): no built variant runs on this CPU at or below the ISA cap",
                              c->entry, c->name, dtype_names[dtype]);
    }
    HACTI_TRY(hacti_check_params(c, op, params));
    c->op = op;
    c->dtype = dtype;
    c->dir = dir;
    return HACT_OK;
}

hact_status hacti_check_aligned(const call *c, const void *ptr, const char *arg, size_t element_bytes) {
    if (!ptr) return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(%s): %s is NULL", c->entry, c->name, arg);
    if ((uintptr_t)ptr % element_bytes != 0)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(%s): %s = %p is not aligned to its %zu-byte elements",
                          c->entry, c->name, arg, ptr, element_bytes);
    return HACT_OK;
}

hact_status hacti_check_pointer(const call *c, const void *ptr, const char *arg) {
    return hacti_check_aligned(c, ptr, arg, dtype_sizes[c->dtype]);
}

/* Two arrays of n elements may be the same array, or disjoint; a partial overlap would make the
 * result depend on the order of the vector loop. */
hact_status hacti_check_overlap(const call *c, const void *a, const char *an, const void *b,
                                const char *bn, size_t n) {
    const uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b, bytes = n * dtype_sizes[c->dtype];
    if (pa != pb && pa < pb + bytes && pb < pa + bytes)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(%s): %s and %s overlap without being the same array",
                          c->entry, c->name, an, bn);
    return HACT_OK;
}

hact_status hacti_check_size(const call *c, size_t n) {
    if (n > SIZE_MAX / 8)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(%s): n = %zu is too large", c->entry, c->name, n);
    return HACT_OK;
}

static halide_buffer_t make_buffer(const call *c, const void *data, size_t offset, int32_t extent,
                                   halide_dimension_t *dim) {
    *dim = (halide_dimension_t){0, extent, 1, 0};
    return (halide_buffer_t){.host = (uint8_t *)data + offset * dtype_sizes[c->dtype],
                             .type = hacti_halide_type(c->dtype), .dimensions = 1, .dim = dim};
}

/* The flat bf16 kernels on the CPU take 32-bit words of two elements each (element 2j in the low
 * half; generators/activation_generator.cpp, "bf16 in pairs"): the buffer of an even number of
 * elements from offset (even) is len / 2 words. An odd last element goes alone through a copy
 * (paired_last below). The words need not be 4-byte aligned: the kernels' loads and stores are
 * unaligned ones on every CPU target. The exact ops' kernels (kernel_abi.h) take elements. */
static int exact_op(hact_op op) {
    switch (op) {
#define HACTI_EXACT_OP(name) case hact_op_##name:
    HACT_EXACT_OPS(HACTI_EXACT_OP)
#undef HACTI_EXACT_OP
        return 1;
    default: return 0;
    }
}
static int paired(const call *c) { return c->dtype == HACT_BF16 && !exact_op(c->op); }
static halide_buffer_t make_flat_buffer(const call *c, const void *data, size_t offset, int32_t len,
                                        halide_dimension_t *dim) {
    halide_buffer_t b = make_buffer(c, data, offset, paired(c) ? len / 2 : len, dim);
    if (paired(c)) b.type = (struct halide_type_t){halide_type_uint, 32, 1};
    return b;
}

/* The Halide runtime's message (if it gave one) is consumed here, so a later failure never
 * shows a stale one; successful calls do not touch it (no thread-local access on the hot path). */
hact_status hacti_kernel_failed(const call *c, int rc) {
    const char *msg = hacti_kernel_message();
    hact_status s = hacti_fail(HACT_ERR_KERNEL, "%s(%s): kernel failed (Halide error %d)%s%s",
                               c->entry, c->name, rc, *msg ? ": " : "", msg);
    hacti_clear_kernel_message();
    return s;
}

/* One kernel call over len elements from off (len even where paired); arrays[0] is the output. */
static hact_status run_flat(const call *c, int inputs, const void *const *arrays, size_t off, int32_t len) {
    halide_dimension_t d[3];
    halide_buffer_t b[3];
    for (int k = 0; k <= inputs; ++k) b[k] = make_flat_buffer(c, arrays[k], off, len, &d[k]);
    int rc = inputs == 1 ? ((hacti_fwd_fn)c->kernel)(&b[1], HACTI_ARGS(*c), &b[0])
                         : ((hacti_bwd_fn)c->kernel)(&b[1], &b[2], HACTI_ARGS(*c), &b[0]);
    return rc != 0 ? hacti_kernel_failed(c, rc) : HACT_OK;
}

/* The odd last element of a paired call, as the low half of a word (copied: in-place calls and
 * buffers that end on the element stay untouched beyond it). */
static hact_status paired_last(const call *c, int inputs, const void *const *arrays, size_t i) {
    uint16_t words[3][2] = {{0}};
    const void *copies[3];
    for (int k = 0; k <= inputs; ++k) {
        words[k][0] = ((const uint16_t *)arrays[k])[i];
        copies[k] = words[k];
    }
    hact_status s = run_flat(c, inputs, copies, 0, 2);
    if (s == HACT_OK) ((uint16_t *)arrays[0])[i] = words[0][0];
    return s;
}

/* The kernel over n elements (inputs: 1 forward, 2 backward), in chunks within Halide's 32-bit
 * extents. No checks (hacti_run_*: the callers have checked everything). */
static hact_status run_elementwise(const call *c, int inputs, const void *const *arrays, size_t n) {
    const int pool = hacti_pool_enter(n);
    const size_t whole = paired(c) ? n - n % 2 : n;  /* max_chunk is even */
    hact_status s = HACT_OK;
    for (size_t off = 0; off < whole && s == HACT_OK; off += max_chunk)
        s = run_flat(c, inputs, arrays, off, (int32_t)(whole - off < max_chunk ? whole - off : max_chunk));
    if (s == HACT_OK && whole < n) s = paired_last(c, inputs, arrays, whole);
    hacti_pool_leave(pool);
    return s;
}

hact_status hacti_run_forward(const call *c, const void *x, void *y, size_t n) {
    const void *arrays[2] = {y, x};
    return run_elementwise(c, 1, arrays, n);
}

hact_status hacti_run_backward(const call *c, const void *x, const void *dy, void *dx, size_t n) {
    const void *arrays[3] = {dx, x, dy};
    return run_elementwise(c, 2, arrays, n);
}

hact_status hacti_check_forward_arrays(const call *c, const void *x, const void *y, size_t n) {
    HACTI_TRY(hacti_check_size(c, n));
    HACTI_TRY(hacti_check_pointer(c, x, "x"));
    HACTI_TRY(hacti_check_pointer(c, y, "y"));
    return hacti_check_overlap(c, x, "x", y, "y", n);
}

hact_status hacti_check_backward_arrays(const call *c, const void *x, const void *dy, const void *dx, size_t n) {
    HACTI_TRY(hacti_check_size(c, n));
    HACTI_TRY(hacti_check_pointer(c, x, "x"));
    HACTI_TRY(hacti_check_pointer(c, dy, "dy"));
    HACTI_TRY(hacti_check_pointer(c, dx, "dx"));
    HACTI_TRY(hacti_check_overlap(c, x, "x", dx, "dx", n));
    return hacti_check_overlap(c, dy, "dy", dx, "dx", n);
}

hact_status hact_forward(hact_op op, hact_dtype dtype, const void *x, void *y, size_t n,
                         const hact_params *params) {
    call c;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CPU, NULL, op, dtype, HACTI_FWD, HACTI_FWD, params));
    if (n == 0) return HACT_OK;
    HACTI_TRY(hacti_check_forward_arrays(&c, x, y, n));
    return hacti_run_forward(&c, x, y, n);
}

hact_status hact_backward(hact_op op, hact_dtype dtype, const void *x, const void *dy, void *dx,
                          size_t n, const hact_params *params) {
    call c;
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CPU, NULL, op, dtype, HACTI_BWD, HACTI_BWD, params));
    if (n == 0) return HACT_OK;
    HACTI_TRY(hacti_check_backward_arrays(&c, x, dy, dx, n));
    return hacti_run_backward(&c, x, dy, dx, n);
}

/* Adds one pgrad kernel call over len elements (a multiple of the lane count) to sums. */
static hact_status pgrad_add(const call *c, const void *x, const void *dy, size_t off, int32_t len,
                             int nlearn, double *sums) {
    /* The pgrad kernels store whole 64-byte vectors into partial with aligned stores (vmovapd on
     * AVX-512): it must be 64-byte aligned. Without _Alignas it was only by luck of the stack
     * layout; the ASan build (tests/sanitize) moved it and the kernel faulted. */
    _Alignas(64) double partial[HACT_PGRAD_LANES * HACT_MAX_LEARNABLE];
    halide_dimension_t d0, d1, dp[2] = {{0, HACT_PGRAD_LANES, 1, 0}, {0, nlearn, HACT_PGRAD_LANES, 0}};
    halide_buffer_t bx = make_buffer(c, x, off, len, &d0), bdy = make_buffer(c, dy, off, len, &d1);
    halide_buffer_t bp;
    memset(&bp, 0, sizeof bp);
    bp.host = (uint8_t *)partial;
    bp.type = (struct halide_type_t){halide_type_float, 64, 1};
    bp.dimensions = 2;
    bp.dim = dp;
    int rc = ((hacti_pgrad_fn)c->kernel)(&bx, &bdy, HACTI_ARGS(*c), &bp);
    if (rc != 0) return hacti_kernel_failed(c, rc);
    for (int j = 0; j < nlearn; ++j) {
        for (int l = 0; l < HACT_PGRAD_LANES; ++l) sums[j] += partial[j * HACT_PGRAD_LANES + l];
    }
    return HACT_OK;
}

/* sums[j] += sum over n elements of dy * df/dp_j, p_j the j-th learnable parameter (the op has
 * at least one: c->kernel is its pgrad kernel). */
hact_status hacti_run_pgrad(const call *c, const void *x, const void *dy, size_t n, double *sums) {
    const unsigned learnable = hact_op_learnable_params(c->op);
    int nlearn = 0;
    for (int k = 0; k < HACT_NUM_PARAMS; ++k) nlearn += (learnable >> k) & 1u;
    const size_t whole = n - n % HACT_PGRAD_LANES;
    /* The reduction's parallel loop calls into the pool at any size (one task or more): always
     * held. */
    const int pool = hacti_pool_enter(HACTI_POOL_MIN_ELEMENTS);
    hact_status s = HACT_OK;
    for (size_t off = 0; off < whole && s == HACT_OK; off += max_chunk) {
        const int32_t len = (int32_t)(whole - off < max_chunk ? whole - off : max_chunk);
        s = pgrad_add(c, x, dy, off, len, nlearn, sums);
    }
    hacti_pool_leave(pool);
    HACTI_TRY(s);
    if (whole < n) {
        /* The last n % LANES elements, zero-padded: every op's term is 0 at x = 0, dy = 0. */
        const size_t es = dtype_sizes[c->dtype], rest = n - whole;
        _Alignas(64) unsigned char xs[HACT_PGRAD_LANES * 8] = {0}, dys[HACT_PGRAD_LANES * 8] = {0};
        memcpy(xs, (const unsigned char *)x + whole * es, rest * es);
        memcpy(dys, (const unsigned char *)dy + whole * es, rest * es);
        HACTI_TRY(pgrad_add(c, xs, dys, 0, HACT_PGRAD_LANES, nlearn, sums));
    }
    return HACT_OK;
}

/* grad from the double sums of hacti_run_pgrad: learnable fields rounded once, the rest 0. */
void hacti_pgrad_result(hact_op op, const double *sums, hact_params *grad) {
    const unsigned learnable = hact_op_learnable_params(op);
    float out[HACT_NUM_PARAMS] = {0};
    for (int k = 0, j = 0; k < HACT_NUM_PARAMS; ++k) {
        if ((learnable >> k) & 1u) out[k] = (float)sums[j++];
    }
    memcpy(grad, out, sizeof out);
}

hact_status hact_backward_params(hact_op op, hact_dtype dtype, const void *x, const void *dy,
                                 size_t n, const hact_params *params, hact_params *grad) {
    call c;
    const unsigned learnable = ((int)op >= 0 && op < hact_op_count_) ? hact_op_learnable_params(op) : 0u;
    /* An op without learnable parameters has no pgrad kernel: its arguments are checked like
     * any other call's (against the forward kernel for dtype support) and the result is zero. */
    HACTI_TRY(hacti_check_call(&c, HACTI_ON_CPU, NULL, op, dtype, HACTI_PGRAD,
                               learnable ? HACTI_PGRAD : HACTI_FWD, params));
    if (!grad)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "hact_backward_params(%s): grad is NULL", hact_op_name(op));
    if (n > 0) {
        HACTI_TRY(hacti_check_size(&c, n));
        HACTI_TRY(hacti_check_pointer(&c, x, "x"));
        HACTI_TRY(hacti_check_pointer(&c, dy, "dy"));
    }
    double sums[HACT_MAX_LEARNABLE] = {0};
    if (learnable != 0 && n > 0) HACTI_TRY(hacti_run_pgrad(&c, x, dy, n, sums));
    hacti_pgrad_result(op, sums, grad);
    return HACT_OK;
}

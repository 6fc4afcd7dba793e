/* PReLU with one weight per channel: the input [outer, channels, inner] is rows of inner
 * contiguous elements, one per (n, c), run by the per-channel kernels over blocks of rows
 * (rows.c); the weight gradient adds each row's sum (in double) into its channel. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "HalideRuntime.h"
#include "internal.h"

/* Rows per weight-gradient call: their sums land in a stack array. */
#define HACTI_WGRAD_ROWS 2048

static hact_status check_prelu(hacti_call *c, const char *entry, hact_dtype dtype, hacti_channel_dir dir,
                               const void *weight, size_t outer, size_t channels, size_t inner,
                               size_t *rows) {
    hacti_init();
    hacti_name_call(c, "hact_", entry, "prelu");
    HACTI_TRY(hacti_check_dtype(c, dtype));
    c->op = hact_op_prelu;
    c->dtype = dtype;
    c->dir = dir == HACTI_CH_FWD ? HACTI_FWD : HACTI_BWD;
    memset(c->p, 0, sizeof c->p);
    c->kernel = hacti_find_channel_kernel(hact_op_prelu, dtype, dir);
    if (!c->kernel)
        return hacti_fail(HACT_ERR_UNSUPPORTED,
                          "%s(prelu): no %s kernel in this library runs on this CPU at or below the ISA cap",
                          c->entry, hacti_dtype_name(dtype));
    const size_t max = SIZE_MAX / 16;
    if ((channels != 0 && outer > max / channels) || (outer * channels != 0 && inner > max / (outer * channels)))
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(prelu): shape [%zu, %zu, %zu] is too large",
                          c->entry, outer, channels, inner);
    if (channels > INT32_MAX)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(prelu): %zu channels (at most %d)", c->entry,
                          channels, INT32_MAX);
    *rows = outer * channels;
    if (*rows * inner == 0) return HACT_OK;
    HACTI_TRY(hacti_check_pointer(c, weight, "weight"));
    /* The weights are parameters: finite, as for every op's hact_params. */
    for (size_t k = 0; k < channels; ++k) {
        if (!hacti_is_finite(weight, k, dtype))
            return hacti_fail(HACT_ERR_BAD_PARAMS, "%s(prelu): weight[%zu] is not finite", c->entry, k);
    }
    return HACT_OK;
}

typedef struct prelu_run {
    const hacti_call *c;
    const void *x, *dy, *weight;
    void *out;
    size_t channels, inner;
    double *dw; /* weight gradient sums per channel, or NULL */
} prelu_run;

static hact_status prelu_block(void *ctx, size_t r0, size_t rc, size_t l0, size_t lc) {
    const prelu_run *p = ctx;
    const hacti_call *c = p->c;
    const hact_dtype dt = c->dtype;
    halide_dimension_t dx[2], ddy[2], dout[2], dw = {0, (int32_t)p->channels, 1, 0}, ds;
    halide_buffer_t bx, bdy, bout, bw, bs;
    hacti_block_buffer(&bx, dx, p->x, p->inner, r0, rc, l0, lc, dt);
    memset(&bw, 0, sizeof bw);
    bw.host = (uint8_t *)p->weight;
    bw.type = hacti_halide_type(dt);
    bw.dimensions = 1;
    bw.dim = &dw;
    const int channels = (int)p->channels, first_row = (int)(r0 % p->channels);
    int rc_k;
    if (p->dw) {
        _Alignas(64) double sums[HACTI_WGRAD_ROWS]; /* a kernel output: vector-aligned, as api.c's partial */
        hacti_block_buffer(&bdy, ddy, p->dy, p->inner, r0, rc, l0, lc, dt);
        ds = (halide_dimension_t){0, (int32_t)rc, 1, 0};
        memset(&bs, 0, sizeof bs);
        bs.host = (uint8_t *)sums;
        bs.type = (struct halide_type_t){halide_type_float, 64, 1};
        bs.dimensions = 1;
        bs.dim = &ds;
        rc_k = ((hacti_chbwd_fn)c->kernel)(&bx, &bdy, &bw, channels, first_row, &bs);
        if (rc_k == 0)
            for (size_t r = 0; r < rc; ++r) p->dw[(r0 + r) % p->channels] += sums[r];
    } else if (p->dy) {
        hacti_block_buffer(&bdy, ddy, p->dy, p->inner, r0, rc, l0, lc, dt);
        hacti_block_buffer(&bout, dout, p->out, p->inner, r0, rc, l0, lc, dt);
        rc_k = ((hacti_chbwd_fn)c->kernel)(&bx, &bdy, &bw, channels, first_row, &bout);
    } else {
        hacti_block_buffer(&bout, dout, p->out, p->inner, r0, rc, l0, lc, dt);
        rc_k = ((hacti_chfwd_fn)c->kernel)(&bx, &bw, channels, first_row, &bout);
    }
    return rc_k != 0 ? hacti_kernel_failed(c, rc_k) : HACT_OK;
}

static hact_status check_same_or_apart(const hacti_call *c, const void *out, const char *on, const void *in,
                                       const char *in_name, size_t n) {
    return hacti_check_overlap(c, in, in_name, out, on, n);
}

hact_status hact_prelu_forward(hact_dtype dtype, const void *x, const void *weight, void *y, size_t outer,
                               size_t channels, size_t inner) {
    hacti_call c;
    size_t rows = 0;
    HACTI_TRY(check_prelu(&c, "prelu_forward", dtype, HACTI_CH_FWD, weight, outer, channels, inner, &rows));
    const size_t n = rows * inner;
    if (n == 0) return HACT_OK;
    HACTI_TRY(hacti_check_pointer(&c, x, "x"));
    HACTI_TRY(hacti_check_pointer(&c, y, "y"));
    HACTI_TRY(check_same_or_apart(&c, y, "y", x, "x", n));
    prelu_run p = {&c, x, NULL, weight, y, channels, inner, NULL};
    return hacti_for_blocks(rows, inner, inner, SIZE_MAX, prelu_block, &p);
}

hact_status hact_prelu_backward(hact_dtype dtype, const void *x, const void *weight, const void *dy, void *dx,
                                void *dweight, size_t outer, size_t channels, size_t inner) {
    hacti_call c;
    size_t rows = 0;
    HACTI_TRY(check_prelu(&c, "prelu_backward", dtype, HACTI_CH_BWD, weight, outer, channels, inner, &rows));
    const size_t n = rows * inner;
    if (dweight && channels > 0 && n == 0) memset(dweight, 0, channels * sizeof(float));
    if (n == 0) return HACT_OK;
    HACTI_TRY(hacti_check_pointer(&c, x, "x"));
    HACTI_TRY(hacti_check_pointer(&c, dy, "dy"));
    HACTI_TRY(hacti_check_pointer(&c, dx, "dx"));
    HACTI_TRY(check_same_or_apart(&c, dx, "dx", x, "x", n));
    HACTI_TRY(check_same_or_apart(&c, dx, "dx", dy, "dy", n));
    double *sums = NULL;
    hacti_call wc = c;
    if (dweight) {
        /* dweight is float32 for every dtype: aligned to 4 bytes, not to the dtype's size. */
        if ((uintptr_t)dweight % _Alignof(float) != 0)
            return hacti_fail(HACT_ERR_INVALID_ARGUMENT,
                              "%s(prelu): dweight = %p is not aligned to its 4-byte float elements", c.entry,
                              dweight);
        const uintptr_t pw = (uintptr_t)dweight, pwe = pw + channels * sizeof(float);
        const uintptr_t px = (uintptr_t)dx, pxe = px + n * hacti_dtype_size(dtype);
        if (pw < pxe && px < pwe)
            return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(prelu): dweight overlaps dx", c.entry);
        wc.kernel = hacti_find_channel_kernel(hact_op_prelu, dtype, HACTI_CH_WGRAD);
        if (!wc.kernel)
            return hacti_fail(HACT_ERR_UNSUPPORTED, "%s(prelu): no weight-gradient kernel", c.entry);
        sums = calloc(channels, sizeof *sums);
        if (!sums)
            return hacti_fail(HACT_ERR_OUT_OF_MEMORY, "%s(prelu): %zu channel sums", c.entry, channels);
        /* Before dx is written: dx may be x or dy. */
        prelu_run pw_run = {&wc, x, dy, weight, NULL, channels, inner, sums};
        hact_status s = hacti_for_blocks(rows, inner, inner, HACTI_WGRAD_ROWS, prelu_block, &pw_run);
        if (s != HACT_OK) {
            free(sums);
            return s;
        }
    }
    prelu_run p = {&c, x, dy, weight, dx, channels, inner, NULL};
    hact_status s = hacti_for_blocks(rows, inner, inner, SIZE_MAX, prelu_block, &p);
    if (s == HACT_OK && sums) {
        float *dw = dweight;
        for (size_t k = 0; k < channels; ++k) dw[k] = (float)sums[k];
    }
    free(sums);
    return s;
}

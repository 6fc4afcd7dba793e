/* PReLU with one weight per channel over [outer, channels, inner], in one of two layouts:
 * - rows: one kernel row of inner contiguous elements per (n, c), the channel's weight per row
 *   (conv-like tensors, long rows);
 * - columns: rows of len elements, each whole [channels, inner] blocks, with the weight
 *   expanded to one per column (linear-like tensors, inner = 1, and short rows: as rows they
 *   were one call row of a few elements each, ~4 ns per element against ~0.1 in columns).
 * Both run the per-channel kernels over blocks that one call can take (rows.c). The weight
 * gradient adds each row's or column's sum (in double) into its channel. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "HalideRuntime.h"
#include "internal.h"

/* Rows per weight-gradient call in the row layout: their sums land in a stack array. */
#define HACTI_WGRAD_ROWS 2048

enum {
    /* Rows of fewer elements than this run in the column layout, and of fewer than the second
     * where the call has 8 blocks or more to spread the expansion over (AMD Zen 4, 64 channels,
     * 1M elements, ns per element: inner 8: 1.58 by rows, 0.105 in columns; 32: 0.33 / 0.10;
     * 64: 0.20 / 0.13; 128: 0.15 / 0.14). */
    kColumnsBelowInner = 32,
    kColumnsBelowInnerLong = 128,
    /* The column layout's row: channels x inner, repeated to at least this many elements. */
    kColumnRow = 2048,
    /* ... and the expanded weight (and the weight gradient's column sums) at most this many. */
    kMaxColumns = 1 << 16,
    /* The backward with the weight gradient runs both passes over chunks of about this many
     * elements (x, dy and dx in L2). */
    kFusedElements = 1 << 16,
    /* Expanded weights and column sums up to this many bytes live on the stack. */
    kStackScratch = 8192,
    /* The one-pass backward splits rows longer than this many elements into sub-rows
     * (one_pass_backward). */
    kSubRow = 256,
};

static _Atomic int forced_layout; /* hacti_set_prelu_layout: 0 = by shape */
void hacti_set_prelu_layout(int layout) { forced_layout = layout; }

/* The call's layout: rows (len = inner) or columns (len = k channels x inner, the weight of
 * column j being weight[(j / inner) % channels]). */
typedef struct prelu_layout {
    int columns;
    size_t rows, len; /* rows x len elements ... */
    size_t tail;      /* ... then, in columns, one row of tail < len elements (whole blocks) */
    size_t block;     /* columns: channels x inner */
} prelu_layout;

static prelu_layout choose_layout(size_t outer, size_t channels, size_t inner) {
    const size_t block = channels * inner;
    prelu_layout l = {0, outer * channels, inner, 0, 0};
    const int forced = forced_layout;
    /* inner = 1 takes the caller's weights as they are, whatever the channel count. */
    const int columns = forced ? forced == HACTI_PRELU_COLUMNS
                               : (inner < kColumnsBelowInner || (inner < kColumnsBelowInnerLong && outer >= 8)) &&
                                     (block <= kMaxColumns || inner == 1);
    if (!columns) return l;
    /* k blocks per row: a row of kColumnRow elements or more, a whole number of 16-element
     * vectors (aligned rows), at most the call's outer blocks. */
    size_t k = 1;
    if (block <= kMaxColumns) {
        k = (kColumnRow + block - 1) / block;
        if (k > outer / 8) k = outer / 8 ? outer / 8 : 1; /* expanding costs: 8 rows or more */
        const size_t step = 16 / (size_t)hacti_gcd((int64_t)block, 16);
        k = (k + step - 1) / step * step;
        while (k > step && k * block > kMaxColumns) k -= step;
        if (k * block > kMaxColumns) k = 1;
        if (k > outer) k = outer;
    }
    l.columns = 1;
    l.len = k * block;
    l.block = block;
    l.rows = outer / k;
    l.tail = outer % k * block;
    return l;
}

typedef struct prelu_run {
    const hacti_call *c;
    void *kernel;
    void *exact_kernel; /* weight gradient with exact = 1, for a block whose sums are not finite */
    int one_pass;       /* kernel is HACTI_CH_BWD_WGRAD: dx (out) and the row sums together */
    const void *x, *dy;
    const void *weight, *column_weight; /* per channel (the caller's); per column (expanded) */
    void *out;
    size_t channels, inner, len;
    size_t base;      /* element offset of the blocks' row 0 */
    int columns;
    double *dw;       /* weight gradient sums per channel, or NULL */
    double *col_sums; /* columns: scratch for one call's len sums */
} prelu_run;

static const void *at(const void *p, size_t i, hact_dtype dt) {
    return p ? (const uint8_t *)p + i * hacti_dtype_size(dt) : NULL;
}

static hact_status prelu_block(void *ctx, size_t r0, size_t rc, size_t l0, size_t lc) {
    const prelu_run *p = ctx;
    const hacti_call *c = p->c;
    const hact_dtype dt = c->dtype;
    const void *x = at(p->x, p->base, dt), *dy = at(p->dy, p->base, dt), *out = at(p->out, p->base, dt);
    halide_dimension_t dx[2], ddy[2], dout[2], dw, ds;
    halide_buffer_t bx, bdy, bout, bw, bs;
    hacti_block_buffer(&bx, dx, x, p->len, r0, rc, l0, lc, dt);
    /* The weights: all channels (rows), or the block's columns. */
    dw = (halide_dimension_t){0, (int32_t)(p->columns ? lc : p->channels), 1, 0};
    memset(&bw, 0, sizeof bw);
    bw.host = (uint8_t *)(p->columns ? at(p->column_weight, l0, dt) : p->weight);
    bw.type = hacti_halide_type(dt);
    bw.dimensions = 1;
    bw.dim = &dw;
    const int channels = (int)p->channels, first_row = p->columns ? 0 : (int)(r0 % p->channels);
    int rc_k;
    if (p->dw) {
        _Alignas(64) double row_sums[HACTI_WGRAD_ROWS]; /* a kernel output: vector-aligned, as api.c's partial */
        double *sums = p->columns ? p->col_sums : row_sums;
        hacti_block_buffer(&bdy, ddy, dy, p->len, r0, rc, l0, lc, dt);
        ds = (halide_dimension_t){0, (int32_t)(p->columns ? lc : rc), 1, 0};
        memset(&bs, 0, sizeof bs);
        bs.host = (uint8_t *)sums;
        bs.type = (struct halide_type_t){halide_type_float, 64, 1};
        bs.dimensions = 1;
        bs.dim = &ds;
        if (p->one_pass) {
            hacti_block_buffer(&bout, dout, out, p->len, r0, rc, l0, lc, dt);
            rc_k = ((hacti_chbwdwgrad_fn)p->kernel)(&bx, &bdy, &bw, channels, first_row, &bout, &bs);
        } else {
            rc_k = ((hacti_chwgrad_fn)p->kernel)(&bx, &bdy, &bw, channels, first_row, 0, &bs);
        }
        /* Float32 products (the kernels' fast terms) overflow where |x dy| > 3.4e38, and then a
         * sum is inf or NaN where the float64 products' may be finite (inf - inf): the block's
         * sums again from those (x and dy are intact: dx is apart from them in one pass). An inf
         * or NaN input gives the same non-finite sum either way. */
        const size_t nsums = (size_t)ds.extent;
        for (size_t j = 0; rc_k == 0 && j < nsums; ++j)
            if (!isfinite(sums[j])) {
                rc_k = ((hacti_chwgrad_fn)p->exact_kernel)(&bx, &bdy, &bw, channels, first_row, 1, &bs);
                break;
            }
        if (rc_k == 0 && p->columns) {
            /* column l0 + j has channel (l0 + j) / inner % channels: counters, not divisions */
            size_t c = l0 / p->inner % p->channels, i = l0 % p->inner;
            for (size_t j = 0; j < lc; ++j) {
                p->dw[c] += sums[j];
                if (++i == p->inner) {
                    i = 0;
                    if (++c == p->channels) c = 0;
                }
            }
        } else if (rc_k == 0)
            for (size_t r = 0; r < rc; ++r) p->dw[(r0 + r) % p->channels] += sums[r];
    } else if (p->dy) {
        hacti_block_buffer(&bdy, ddy, dy, p->len, r0, rc, l0, lc, dt);
        hacti_block_buffer(&bout, dout, out, p->len, r0, rc, l0, lc, dt);
        rc_k = ((hacti_chbwd_fn)p->kernel)(&bx, &bdy, &bw, channels, first_row, &bout);
    } else {
        hacti_block_buffer(&bout, dout, out, p->len, r0, rc, l0, lc, dt);
        rc_k = ((hacti_chfwd_fn)p->kernel)(&bx, &bw, channels, first_row, &bout);
    }
    return rc_k != 0 ? hacti_kernel_failed(c, rc_k) : HACT_OK;
}

/* Runs one pass (forward, backward or weight gradient: dir of the row layout) over the whole
 * tensor: the rows, then in columns the tail row. The weight gradient in columns takes rows of
 * one block or a few (its sums are one per column, folded into channels here: for the long rows
 * of the other passes that cost more than the kernel). */
static hact_status prelu_pass(prelu_run *p, const prelu_layout *layout, hacti_channel_dir dir) {
    /* rows of whole blocks, a whole number of 16-element vectors where that is not long */
    const size_t block = layout->block ? layout->block : 1, outer = (layout->rows * layout->len + layout->tail) / block;
    size_t k = 16 / (size_t)hacti_gcd((int64_t)block, 16);
    if (k * block > layout->len || k > outer) k = 1; /* the expanded weights hold layout->len */
    prelu_layout one_block = {1, outer / k, k * block, outer % k * block, block};
    const prelu_layout *l = dir == HACTI_CH_WGRAD && layout->columns ? &one_block : layout;
    const hacti_channel_dir kdir = l->columns ? (hacti_channel_dir)(dir + HACTI_COL_FWD) : dir;
    p->kernel = hacti_find_channel_kernel(hact_op_prelu, p->c->dtype, kdir, HACTI_ON_CPU);
    p->one_pass = kdir == HACTI_CH_BWD_WGRAD;
    p->exact_kernel = p->one_pass ? hacti_find_channel_kernel(hact_op_prelu, p->c->dtype, HACTI_CH_WGRAD, HACTI_ON_CPU)
                                  : p->kernel;
    if (!p->kernel || !p->exact_kernel)
        return hacti_fail(HACT_ERR_UNSUPPORTED, "%s(prelu): no %s kernel in this library runs on this CPU", p->c->entry,
                          hacti_dtype_name(p->c->dtype));
    p->columns = l->columns;
    p->len = l->len;
    p->base = 0;
    const size_t max_rows = (dir == HACTI_CH_WGRAD || dir == HACTI_CH_BWD_WGRAD) && !l->columns ? HACTI_WGRAD_ROWS : SIZE_MAX;
    hact_status s = hacti_for_blocks(l->rows, l->len, l->len, max_rows, prelu_block, p);
    if (s != HACT_OK || l->tail == 0) return s;
    p->base = l->rows * l->len;
    p->len = l->tail;
    return hacti_for_blocks(1, l->tail, l->tail, 1, prelu_block, p);
}

/* Scratch for the column layout: the expanded weight (len elements of the dtype), then, for
 * the weight gradient, len double sums. On the stack when small. */
typedef struct prelu_scratch {
    _Alignas(64) unsigned char local[kStackScratch];
    void *heap;
} prelu_scratch;

/* dst[j] = weight[(j / inner) % channels] for j < len (a multiple of channels x inner): the
 * first block element by element, then copies of it. */
static void expand_weights(unsigned char *dst, const void *weight, size_t channels, size_t inner, size_t len,
                           size_t es) {
    const unsigned char *w = weight;
    unsigned char *d = dst;
    if (inner == 1) {
        memcpy(d, w, channels * es);
    } else {
        for (size_t c = 0; c < channels; ++c)
            for (size_t i = 0; i < inner; ++i, d += es) {
                switch (es) {
                case 2: memcpy(d, w + c * 2, 2); break;
                case 4: memcpy(d, w + c * 4, 4); break;
                default: memcpy(d, w + c * 8, 8); break;
                }
            }
    }
    const size_t block = channels * inner * es, total = len * es;
    for (size_t done = block; done < total;) {  /* doubling copies of what is there */
        const size_t n = done < total - done ? done : total - done;
        memcpy(dst + done, dst, n);
        done += n;
    }
}

static hact_status column_scratch(const hacti_call *c, prelu_scratch *sc, const prelu_layout *l, const void *weight,
                                  size_t channels, size_t inner, int want_sums, prelu_run *p) {
    sc->heap = NULL;
    p->weight = p->column_weight = weight;
    p->col_sums = NULL;
    if (!l->columns) return HACT_OK;
    const size_t es = hacti_dtype_size(c->dtype);
    const size_t wbytes = (l->len * es + 63) / 64 * 64;
    const int expand = !(inner == 1 && l->len == channels);
    /* The weight gradient's rows (prelu_pass): at most 16 blocks, and at most len. */
    const size_t sums_len = l->len < 16 * l->block ? l->len : 16 * l->block;
    const size_t bytes = (expand ? wbytes : 0) + (want_sums ? sums_len * sizeof(double) : 0);
    unsigned char *mem = sc->local;
    if (bytes > sizeof sc->local) {
        sc->heap = aligned_alloc(64, (bytes + 63) / 64 * 64);
        if (!sc->heap)
            return hacti_fail(HACT_ERR_OUT_OF_MEMORY, "%s(prelu): %zu bytes of expanded weights", c->entry, bytes);
        mem = sc->heap;
    }
    if (expand) {
        expand_weights(mem, weight, channels, inner, l->len, es);
        p->column_weight = mem;
        mem += wbytes;
    }
    if (want_sums) p->col_sums = (double *)mem;
    return HACT_OK;
}

/* The one-pass backward (dx and the row sums, HACTI_CH_BWD_WGRAD) over p's [outer, channels,
 * inner] in the row layout l: each kernel row is summed, then its dx written while the row is in
 * L1. A long row is not (x and dy of 8192 float32 elements are 64 KiB), so a row longer than
 * kSubRow elements goes as k sub-rows, k a power of two: the shape [outer, channels k, inner / k],
 * each weight repeated k times, each channel's k sums added back (inner / k a multiple of 16
 * elements). [64, 64, 8192] float32, one thread (experiments/prelu_shapes.c, Intel Xeon):
 * 39.1-39.6 ms as rows of 8192, 37 as sub-rows of 2048, 34 of 1024, 31.6-32.3 of 512, 30.3-31.0
 * of 256, 33.0 of 128; dx alone 25.6-26.5. */
static hact_status one_pass_backward(prelu_run *p, const prelu_layout *l, const void *weight, double *sums,
                                     size_t outer) {
    const size_t channels = p->channels, inner = p->inner;
    size_t k = 1;
    while (inner / k > kSubRow && (inner / k) % 32 == 0) k *= 2;
    if (k == 1) {
        p->dw = sums;
        return prelu_pass(p, l, HACTI_CH_BWD_WGRAD);
    }
    const size_t es = hacti_dtype_size(p->c->dtype);
    unsigned char *w = malloc(channels * k * es);
    double *sub_sums = calloc(channels * k, sizeof *sub_sums);
    if (!w || !sub_sums) {
        free(w);
        free(sub_sums);
        return hacti_fail(HACT_ERR_OUT_OF_MEMORY, "%s(prelu): %zu sub-row weights", p->c->entry, channels * k);
    }
    expand_weights(w, weight, channels, k, channels * k, es); /* w[c k + j] = weight[c] */
    const prelu_layout sub = {0, outer * channels * k, inner / k, 0, 0};
    p->channels = channels * k;
    p->inner = inner / k;
    p->weight = w;
    p->dw = sub_sums;
    const hact_status s = prelu_pass(p, &sub, HACTI_CH_BWD_WGRAD);
    for (size_t c = 0; c < channels; ++c)
        for (size_t j = 0; j < k; ++j) sums[c] += sub_sums[c * k + j];
    p->channels = channels;
    p->inner = inner;
    p->weight = weight;
    free(w);
    free(sub_sums);
    return s;
}

static hact_status check_prelu(hacti_call *c, hacti_where where, const char *entry, hact_dtype dtype,
                               hacti_channel_dir dir, const void *weight, size_t outer, size_t channels,
                               size_t inner, size_t *rows) {
    hacti_init();
    hacti_name_call(c, where == HACTI_ON_CUDA ? "hact_cuda_" : "hact_", entry, "prelu");
    HACTI_TRY(hacti_check_dtype(c, dtype));
    c->op = hact_op_prelu;
    c->dtype = dtype;
    c->dir = dir == HACTI_CH_FWD ? HACTI_FWD : HACTI_BWD;
    memset(c->p, 0, sizeof c->p);
    c->kernel = hacti_find_channel_kernel(hact_op_prelu, dtype, dir, where);
    if (!c->kernel && where == HACTI_ON_CPU)
        return hacti_fail(HACT_ERR_UNSUPPORTED,
                          "%s(prelu): no %s kernel in this library runs on this CPU at or below the ISA cap",
                          c->entry, hacti_dtype_name(dtype));
    /* A build without CUDA kernels checks every argument, then says so (cuda.c). */
    if (!c->kernel && hacti_cuda_built())
        return hacti_fail(HACT_ERR_UNSUPPORTED, "%s(prelu): dtype %s has no CUDA kernel in this library",
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
    /* The weights are parameters: finite, as for every op's hact_params. Device weights are not
     * read on the host (that would synchronize): there a non-finite weight gives non-finite
     * results, as in PyTorch. */
    if (where == HACTI_ON_CUDA) return HACT_OK;
    const size_t bad = hacti_first_nonfinite(weight, channels, dtype);
    if (bad < channels) return hacti_fail(HACT_ERR_BAD_PARAMS, "%s(prelu): weight[%zu] is not finite", c->entry, bad);
    return HACT_OK;
}

static hact_status check_same_or_apart(const hacti_call *c, const void *out, const char *on, const void *in,
                                       const char *in_name, size_t n) {
    return hacti_check_overlap(c, in, in_name, out, on, n);
}

/* The backward's arrays (n > 0 elements, channels weights): dx apart from x and dy or exactly
 * on them; dweight (may be NULL) float32 for every dtype, apart from dx. */
static hact_status check_backward_arrays(const hacti_call *c, const void *x, const void *dy, const void *dx,
                                         const void *dweight, size_t n, size_t channels) {
    HACTI_TRY(hacti_check_pointer(c, x, "x"));
    HACTI_TRY(hacti_check_pointer(c, dy, "dy"));
    HACTI_TRY(hacti_check_pointer(c, dx, "dx"));
    HACTI_TRY(check_same_or_apart(c, dx, "dx", x, "x", n));
    HACTI_TRY(check_same_or_apart(c, dx, "dx", dy, "dy", n));
    if (!dweight) return HACT_OK;
    HACTI_TRY(hacti_check_aligned(c, dweight, "dweight", sizeof(float))); /* float32 for every dtype */
    const uintptr_t pw = (uintptr_t)dweight, pwe = pw + channels * sizeof(float);
    const uintptr_t px = (uintptr_t)dx, pxe = px + n * hacti_dtype_size(c->dtype);
    if (pw < pxe && px < pwe) return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(prelu): dweight overlaps dx", c->entry);
    return HACT_OK;
}

hact_status hact_prelu_forward(hact_dtype dtype, const void *x, const void *weight, void *y, size_t outer,
                               size_t channels, size_t inner) {
    hacti_call c;
    size_t rows = 0;
    HACTI_TRY(check_prelu(&c, HACTI_ON_CPU, "prelu_forward", dtype, HACTI_CH_FWD, weight, outer, channels, inner,
                          &rows));
    const size_t n = rows * inner;
    if (n == 0) return HACT_OK;
    HACTI_TRY(hacti_check_pointer(&c, x, "x"));
    HACTI_TRY(hacti_check_pointer(&c, y, "y"));
    HACTI_TRY(check_same_or_apart(&c, y, "y", x, "x", n));
    const prelu_layout l = choose_layout(outer, channels, inner);
    prelu_run p = {.c = &c, .x = x, .out = y, .channels = channels, .inner = inner};
    prelu_scratch sc;
    HACTI_TRY(column_scratch(&c, &sc, &l, weight, channels, inner, 0, &p));
    const hact_status s = prelu_pass(&p, &l, HACTI_CH_FWD);
    free(sc.heap);
    return s;
}

hact_status hact_prelu_backward(hact_dtype dtype, const void *x, const void *weight, const void *dy, void *dx,
                                void *dweight, size_t outer, size_t channels, size_t inner) {
    hacti_call c;
    size_t rows = 0;
    HACTI_TRY(check_prelu(&c, HACTI_ON_CPU, "prelu_backward", dtype, HACTI_CH_BWD, weight, outer, channels, inner,
                          &rows));
    const size_t n = rows * inner;
    if (dweight && channels > 0 && n == 0) memset(dweight, 0, channels * sizeof(float));
    if (n == 0) return HACT_OK;
    HACTI_TRY(check_backward_arrays(&c, x, dy, dx, dweight, n, channels));
    double *sums = NULL;
    if (dweight) {
        sums = calloc(channels, sizeof *sums);
        if (!sums)
            return hacti_fail(HACT_ERR_OUT_OF_MEMORY, "%s(prelu): %zu channel sums", c.entry, channels);
    }
    /* With the weight gradient: in the row layout, one pass (HACTI_CH_BWD_WGRAD: each row
     * summed, then its dx written while the row is in L1) where dx is apart from x and dy (a
     * block's sums may have to be computed again from them) and the call is one for the thread
     * pool (the kernel's rows are always parallel tasks; the pool is held from that size).
     * Otherwise the tensor goes in chunks of outer blocks, each through both passes (the weight
     * gradient, then dx) while it is in cache: x and dy are read from memory once. */
    const prelu_layout whole = choose_layout(outer, channels, inner);
    const int one_pass = sums && !whole.columns && dx != x && dx != dy && n >= HACTI_POOL_MIN_ELEMENTS;
    const size_t block = channels * inner, es = hacti_dtype_size(dtype);
    size_t chunk = outer;
    if (sums && !one_pass && block < kFusedElements) chunk = kFusedElements / block;
    if (chunk > outer) chunk = outer;
    const prelu_layout l = chunk == outer ? whole : choose_layout(chunk, channels, inner);
    prelu_run p = {.c = &c, .channels = channels, .inner = inner};
    prelu_scratch sc;
    hact_status s = column_scratch(&c, &sc, &l, weight, channels, inner, sums != NULL, &p);
    for (size_t o0 = 0; s == HACT_OK && o0 < outer; o0 += chunk) {
        const size_t oc = outer - o0 < chunk ? outer - o0 : chunk, at0 = o0 * block;
        /* The last chunk's layout may differ: rows, or shorter columns (a prefix of the
         * expanded weights: its k blocks per row are at most the full chunks'). */
        const prelu_layout lc = oc == chunk ? l : choose_layout(oc, channels, inner);
        p.x = at(x, at0, dtype);
        p.dy = at(dy, at0, dtype);
        if (one_pass) {
            p.out = (uint8_t *)dx + at0 * es;
            s = one_pass_backward(&p, &lc, weight, sums, outer);
            continue;
        }
        if (sums) {
            /* Before dx is written: dx may be x or dy. */
            p.out = NULL;
            p.dw = sums;
            s = prelu_pass(&p, &lc, HACTI_CH_WGRAD);
            p.dw = NULL;
        }
        if (s == HACT_OK) {
            p.out = (uint8_t *)dx + at0 * es;
            s = prelu_pass(&p, &lc, HACTI_CH_BWD);
        }
    }
    if (s == HACT_OK && sums) {
        float *dw = dweight;
        for (size_t k = 0; k < channels; ++k) dw[k] = (float)sums[k];
    }
    free(sc.heap);
    free(sums);
    return s;
}

/* ---- on the CUDA device (the row layout's kernels; cuda.c runs them) ------------------------- */
hact_status hact_cuda_prelu_forward(hact_dtype dtype, const void *x, const void *weight, void *y, size_t outer,
                                    size_t channels, size_t inner, void *stream) {
    hacti_call c;
    size_t rows = 0;
    HACTI_TRY(check_prelu(&c, HACTI_ON_CUDA, "prelu_forward", dtype, HACTI_CH_FWD, weight, outer, channels, inner,
                          &rows));
    const size_t n = rows * inner;
    if (n == 0) return hacti_cuda_ready(&c, stream);
    HACTI_TRY(hacti_check_pointer(&c, x, "x"));
    HACTI_TRY(hacti_check_pointer(&c, y, "y"));
    HACTI_TRY(check_same_or_apart(&c, y, "y", x, "x", n));
    return hacti_cuda_run_prelu(&c, x, weight, NULL, y, NULL, outer, channels, inner, stream);
}

hact_status hact_cuda_prelu_backward(hact_dtype dtype, const void *x, const void *weight, const void *dy, void *dx,
                                     void *dweight, size_t outer, size_t channels, size_t inner, void *stream) {
    hacti_call c;
    size_t rows = 0;
    HACTI_TRY(check_prelu(&c, HACTI_ON_CUDA, "prelu_backward", dtype, HACTI_CH_BWD, weight, outer, channels, inner,
                          &rows));
    const size_t n = rows * inner;
    if (n == 0) return hacti_cuda_run_prelu(&c, NULL, NULL, NULL, NULL, channels ? dweight : NULL, outer, channels,
                                            inner, stream); /* zeros into dweight */
    HACTI_TRY(check_backward_arrays(&c, x, dy, dx, dweight, n, channels));
    return hacti_cuda_run_prelu(&c, x, weight, dy, dx, dweight, outer, channels, inner, stream);
}

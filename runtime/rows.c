/* Problems cut into what one kernel call can take: Halide's extents and buffer offsets are int32.
 * Blocks of a 2-D problem (rows of contiguous elements): both the row length and the index span
 * of the rows in a call, (rows - 1) * stride + length, stay within hacti_max_chunk(). Device
 * calls of a strided layout: up to HACT_DEVICE_DIMS dimensions whose count and spans fit. */
#include <stdint.h>
#include <string.h>

#include "HalideRuntime.h"
#include "internal.h"

hact_status hacti_each_block(size_t rows, size_t len, size_t max_stride, size_t max_rows,
                             hacti_block_fn fn, void *ctx) {
    const size_t limit = hacti_max_chunk();
    hact_status s = HACT_OK;
    for (size_t l0 = 0; l0 < len && s == HACT_OK;) {
        const size_t lc = len - l0 < limit ? len - l0 : limit;
        size_t rpc = max_stride == 0 || max_stride > limit ? 1 : 1 + (limit - lc) / max_stride;
        if (rpc > max_rows) rpc = max_rows;
        for (size_t r0 = 0; r0 < rows && s == HACT_OK;) {
            const size_t rc = rows - r0 < rpc ? rows - r0 : rpc;
            s = fn(ctx, r0, rc, l0, lc);
            r0 += rc;
        }
        l0 += lc;
    }
    return s;
}

hact_status hacti_for_blocks(size_t rows, size_t len, size_t max_stride, size_t max_rows,
                             hacti_block_fn fn, void *ctx) {
    const int pool = hacti_pool_enter(rows * len);
    const hact_status s = hacti_each_block(rows, len, max_stride, max_rows, fn, ctx);
    hacti_pool_leave(pool);
    return s;
}

void hacti_block_buffer(struct halide_buffer_t *buf, struct halide_dimension_t *dims, const void *base,
                        size_t stride, size_t r0, size_t rc, size_t l0, size_t lc, hact_dtype dtype) {
    /* One row: any stride will do; lc keeps it a valid int32. */
    const int32_t row_stride = rc == 1 ? (int32_t)lc : (int32_t)stride;
    dims[0] = (halide_dimension_t){0, (int32_t)lc, 1, 0};
    dims[1] = (halide_dimension_t){0, (int32_t)rc, row_stride, 0};
    memset(buf, 0, sizeof *buf);
    buf->host = (uint8_t *)base + (r0 * stride + l0) * hacti_dtype_size(dtype);
    buf->type = hacti_halide_type(dtype);
    buf->dimensions = 2;
    buf->dim = dims;
}

static int64_t mag(int64_t v) { return v < 0 ? -v : v; }

/* Whether dimensions [first, nd) of the layout fit one call: element count, every stride and
 * every operand's offset span within limit. */
static int fits(int first, int nd, const int64_t *shape, int n, const int64_t (*strides)[HACT_TENSOR_MAX_NDIM],
                int64_t limit) {
    int64_t count = 1;
    for (int d = first; d < nd; ++d) {
        if (shape[d] > limit / count) return 0;
        count *= shape[d];
    }
    for (int k = 0; k < n; ++k) {
        int64_t span = 0;
        for (int d = first; d < nd; ++d) {
            const int64_t s = mag(strides[k][d]);
            if (s > limit || (shape[d] > 1 && s > (limit - span) / (shape[d] - 1))) return 0;
            span += s * (shape[d] - 1);
        }
    }
    return 1;
}

hact_status hacti_each_device_call(int nd, const int64_t *shape, int n, const int64_t (*strides)[HACT_TENSOR_MAX_NDIM],
                                   hacti_device_call_fn fn, void *ctx) {
    for (int d = 0; d < nd; ++d)
        if (shape[d] <= 0) return HACT_OK; /* no elements, no call (the odometer needs extents >= 1) */
    const int64_t limit = (int64_t)hacti_max_chunk();
    /* The call's dimensions: the innermost ones that fit whole, or a piece of the innermost. */
    int nk = 0;
    while (nk < HACT_DEVICE_DIMS && nk < nd && fits(nd - 1 - nk, nd, shape, n, strides, limit)) ++nk;
    int64_t piece = 0; /* nk == 0: pieces of the innermost dimension */
    if (nk == 0) {
        int64_t s = 1;
        for (int k = 0; k < n; ++k) s = mag(strides[k][nd - 1]) > s ? mag(strides[k][nd - 1]) : s;
        piece = limit / s < limit ? limit / s : limit;
        if (piece < 1) piece = 1;
        nk = 1;
    }
    const int outer = nd - nk;
    hacti_device_call v;
    memset(&v, 0, sizeof v);
    v.nd = nk;
    for (int d = 0; d < nk; ++d) {
        const int src = nd - 1 - d;
        v.extent[d] = (int32_t)(piece && d == 0 ? 0 : shape[src]);
        /* a piece of one element may have a stride beyond int32: it is never used */
        for (int k = 0; k < n; ++k) v.stride[k][d] = mag(strides[k][src]) <= limit ? (int32_t)strides[k][src] : 0;
    }
    int64_t index[HACT_TENSOR_MAX_NDIM] = {0}; /* the outer dimensions' odometer */
    hact_status s = HACT_OK;
    for (int first = 1; s == HACT_OK; first = 0) {
        int64_t offset[HACTI_DEVICE_OPERANDS] = {0};
        for (int k = 0; k < n; ++k)
            for (int d = 0; d < outer; ++d) offset[k] += index[d] * strides[k][d];
        const int64_t len = piece ? shape[nd - 1] : 1;
        for (int64_t p0 = 0; p0 < len && s == HACT_OK; p0 += piece ? piece : 1) {
            if (piece) v.extent[0] = (int32_t)(len - p0 < piece ? len - p0 : piece);
            for (int k = 0; k < n; ++k) v.offset[k] = offset[k] + p0 * strides[k][nd - 1];
            v.first = first && p0 == 0;
            s = fn(ctx, &v);
        }
        int d = outer - 1;
        while (d >= 0 && ++index[d] == shape[d]) index[d--] = 0;
        if (d < 0) break;
    }
    return s;
}

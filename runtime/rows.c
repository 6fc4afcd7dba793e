/* Blocks of a 2-D problem (rows of contiguous elements) that one kernel call can take: Halide's
 * extents and buffer offsets are int32, so both the row length and the index span of the rows in
 * a call, (rows - 1) * stride + length, stay within hacti_max_chunk(). */
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

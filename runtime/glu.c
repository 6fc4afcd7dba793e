/* The GLU family's entry points. Two tensors and a split tensor run the same 2-D kernels over
 * rows of contiguous elements: two tensors are one row; a tensor [outer, 2 * half, inner] split
 * in halves is outer rows of half * inner elements, each half's rows twice their length apart.
 * The hact_cuda_glu_* calls take the same checks and rows on the CUDA device (cuda.c runs them). */
#include <stdint.h>
#include <string.h>

#include "HalideRuntime.h"
#include "internal.h"

static const struct {
    const char *name;
    hact_op gate;
} glus[hact_glu_count_] = {
#define HACT_GLU(name, gate) [hact_glu_##name] = {#name, hact_op_##gate},
#include "hact/glu.def"
#undef HACT_GLU
};

static int valid(hact_glu kind) { return (int)kind >= 0 && kind < hact_glu_count_; }

int hact_glu_count(void) { return (int)hact_glu_count_; }
const char *hact_glu_name(hact_glu kind) { return valid(kind) ? glus[kind].name : NULL; }
hact_op hact_glu_gate(hact_glu kind) { return valid(kind) ? glus[kind].gate : hact_op_count_; }

hact_status hact_glu_from_name(const char *name, hact_glu *kind) {
    if (!name || !kind) return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "hact_glu_from_name: NULL argument");
    for (int i = 0; i < hact_glu_count_; ++i) {
        if (strcmp(name, glus[i].name) == 0) {
            *kind = (hact_glu)i;
            return HACT_OK;
        }
    }
    return hacti_fail(HACT_ERR_UNKNOWN_OP, "unknown GLU kind '%s'", name);
}

static hact_status check_glu(hacti_call *c, hacti_where where, const char *entry, hact_glu kind,
                             hact_dtype dtype, hacti_glu_dir dir, const hact_params *params) {
    hacti_init();
    const char *prefix = where == HACTI_ON_CUDA ? "hact_cuda_" : "hact_";
    if (!valid(kind)) {
        hacti_name_call(c, prefix, entry, "?");
        return hacti_fail(HACT_ERR_UNKNOWN_OP, "%s: GLU kind %d is not in glu.def (0..%d)", c->entry,
                          (int)kind, (int)hact_glu_count_ - 1);
    }
    hacti_name_call(c, prefix, entry, glus[kind].name);
    HACTI_TRY(hacti_check_dtype(c, dtype));
    c->dtype = dtype;
    c->op = glus[kind].gate;
    c->dir = dir == HACTI_GLU_FWD ? HACTI_FWD : HACTI_BWD;
    c->kernel = hacti_find_glu_kernel(kind, dtype, dir, where);
    if (!c->kernel && where == HACTI_ON_CPU)
        return hacti_fail(HACT_ERR_UNSUPPORTED,
                          "%s(%s): no %s kernel in this library runs on this CPU at or below the ISA cap",
                          c->entry, c->name, hacti_dtype_name(dtype));
    /* A build without CUDA kernels checks every argument, then says so (hacti_cuda_run_glu). */
    if (!c->kernel && hacti_cuda_built())
        return hacti_fail(HACT_ERR_UNSUPPORTED, "%s(%s): dtype %s has no CUDA kernel in this library",
                          c->entry, c->name, hacti_dtype_name(dtype));
    return hacti_check_params(c, c->op, params);
}

typedef hacti_plane plane;

static hact_status check_planes(const hacti_call *c, const plane *p, int n) {
    for (int k = 0; k < n; ++k) HACTI_TRY(hacti_check_pointer(c, p[k].base, p[k].name));
    return HACT_OK;
}

/* [a, a + an) and [b, b + bn) in bytes share a byte. */
static int ranges_overlap(const void *a, size_t an, const void *b, size_t bn) {
    const uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b;
    return pa < pb + bn && pb < pa + an;
}

/* An output may be exactly an input (same start, same layout: in place) or apart from it. */
static hact_status check_alias(const hacti_call *c, const void *out, size_t out_bytes, const char *out_name,
                               const void *in, size_t in_bytes, const char *in_name, int same_layout) {
    if (out == in && same_layout) return HACT_OK;
    if (ranges_overlap(out, out_bytes, in, in_bytes))
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(%s): %s and %s overlap without being the same array%s",
                          c->entry, c->name, out_name, in_name,
                          same_layout ? "" : " (their layouts differ, so not even in place)");
    return HACT_OK;
}

typedef struct glu_run {
    const hacti_call *c;
    const plane *planes;
    int nplanes;
} glu_run;

static hact_status glu_block(void *ctx, size_t r0, size_t rc, size_t l0, size_t lc) {
    const glu_run *g = ctx;
    const hacti_call *c = g->c;
    halide_dimension_t dims[5][2];
    halide_buffer_t b[5];
    for (int k = 0; k < g->nplanes; ++k)
        hacti_block_buffer(&b[k], dims[k], g->planes[k].base, g->planes[k].stride, r0, rc, l0, lc, c->dtype);
    int rc_k = c->dir == HACTI_FWD
                   ? ((hacti_glufwd_fn)c->kernel)(&b[0], &b[1], HACTI_ARGS(*c), &b[2])
                   : ((hacti_glubwd_fn)c->kernel)(&b[0], &b[1], &b[2], HACTI_ARGS(*c), &b[3], &b[4]);
    return rc_k != 0 ? hacti_kernel_failed(c, rc_k) : HACT_OK;
}

/* Runs the kernel over rows x len elements; planes: the inputs, then the outputs. */
static hact_status run(const hacti_call *c, hacti_where where, void *stream, size_t rows, size_t len,
                       const plane *planes, int nplanes) {
    if (where == HACTI_ON_CUDA) return hacti_cuda_run_glu(c, rows, len, planes, nplanes, stream);
    size_t max_stride = 0;
    for (int k = 0; k < nplanes; ++k) max_stride = planes[k].stride > max_stride ? planes[k].stride : max_stride;
    glu_run g = {c, planes, nplanes};
    return hacti_for_blocks(rows, len, max_stride, SIZE_MAX, glu_block, &g);
}

static hact_status glu_forward(hacti_where where, hact_glu kind, hact_dtype dtype, const void *a, const void *b,
                               void *out, size_t n, const hact_params *params, void *stream) {
    hacti_call c;
    HACTI_TRY(check_glu(&c, where, "glu_forward", kind, dtype, HACTI_GLU_FWD, params));
    if (n == 0) return HACT_OK;
    HACTI_TRY(hacti_check_size(&c, n));
    const plane p[3] = {{a, n, "a"}, {b, n, "b"}, {out, n, "out"}};
    HACTI_TRY(check_planes(&c, p, 3));
    const size_t bytes = n * hacti_dtype_size(dtype);
    HACTI_TRY(check_alias(&c, out, bytes, "out", a, bytes, "a", 1));
    HACTI_TRY(check_alias(&c, out, bytes, "out", b, bytes, "b", 1));
    return run(&c, where, stream, 1, n, p, 3);
}

static hact_status glu_backward(hacti_where where, hact_glu kind, hact_dtype dtype, const void *a,
                                const void *b, const void *dy, void *da, void *db, size_t n,
                                const hact_params *params, void *stream) {
    hacti_call c;
    HACTI_TRY(check_glu(&c, where, "glu_backward", kind, dtype, HACTI_GLU_BWD, params));
    if (n == 0) return HACT_OK;
    HACTI_TRY(hacti_check_size(&c, n));
    const plane p[5] = {{a, n, "a"}, {b, n, "b"}, {dy, n, "dy"}, {da, n, "da"}, {db, n, "db"}};
    HACTI_TRY(check_planes(&c, p, 5));
    const size_t bytes = n * hacti_dtype_size(dtype);
    for (int o = 3; o < 5; ++o) {
        for (int i = 0; i < 3; ++i)
            HACTI_TRY(check_alias(&c, p[o].base, bytes, p[o].name, p[i].base, bytes, p[i].name, 1));
    }
    if (ranges_overlap(da, bytes, db, bytes))
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(%s): da and db overlap", c.entry, c.name);
    return run(&c, where, stream, 1, n, p, 5);
}

/* The split form's shape: rows = outer, row = half * inner elements; the gated half's offset. */
static hact_status split_shape(const hacti_call *c, size_t outer, size_t half, size_t inner,
                               int gated_half, size_t *row, size_t *total, size_t *gated_offset) {
    if (gated_half == HACT_GATE_DEFAULT) gated_half = HACT_GATE_SECOND;
    if (gated_half != HACT_GATE_FIRST && gated_half != HACT_GATE_SECOND)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT,
                          "%s(%s): gated_half = %d (HACT_GATE_FIRST, HACT_GATE_SECOND or HACT_GATE_DEFAULT)",
                          c->entry, c->name, gated_half);
    const size_t max = SIZE_MAX / 16;
    if ((half != 0 && inner > max / half) || (half * inner != 0 && outer > max / (half * inner)))
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "%s(%s): shape [%zu, 2 x %zu, %zu] is too large",
                          c->entry, c->name, outer, half, inner);
    *row = half * inner;
    *total = outer * *row; /* elements of y, and of each half */
    *gated_offset = gated_half == HACT_GATE_SECOND ? *row : 0;
    return HACT_OK;
}

static hact_status glu_split_forward(hacti_where where, hact_glu kind, hact_dtype dtype, const void *x, void *y,
                                     size_t outer, size_t half, size_t inner, int gated_half,
                                     const hact_params *params, void *stream) {
    hacti_call c;
    size_t row = 0, total = 0, g = 0;
    HACTI_TRY(check_glu(&c, where, "glu_split_forward", kind, dtype, HACTI_GLU_FWD, params));
    HACTI_TRY(split_shape(&c, outer, half, inner, gated_half, &row, &total, &g));
    if (total == 0) return HACT_OK;
    /* Before any offset is added to them: NULL + offset is undefined, and would pass the check. */
    HACTI_TRY(hacti_check_pointer(&c, x, "x"));
    HACTI_TRY(hacti_check_pointer(&c, y, "y"));
    const size_t es = hacti_dtype_size(dtype);
    const char *xs = (const char *)x;
    const plane p[3] = {{xs + g * es, 2 * row, "x"}, {xs + (row - g) * es, 2 * row, "x"}, {y, row, "y"}};
    HACTI_TRY(check_planes(&c, p, 3));
    HACTI_TRY(check_alias(&c, y, total * es, "y", x, 2 * total * es, "x", 0));
    return run(&c, where, stream, outer, row, p, 3);
}

static hact_status glu_split_backward(hacti_where where, hact_glu kind, hact_dtype dtype, const void *x,
                                      const void *dy, void *dx, size_t outer, size_t half, size_t inner,
                                      int gated_half, const hact_params *params, void *stream) {
    hacti_call c;
    size_t row = 0, total = 0, g = 0;
    HACTI_TRY(check_glu(&c, where, "glu_split_backward", kind, dtype, HACTI_GLU_BWD, params));
    HACTI_TRY(split_shape(&c, outer, half, inner, gated_half, &row, &total, &g));
    if (total == 0) return HACT_OK;
    HACTI_TRY(hacti_check_pointer(&c, x, "x"));
    HACTI_TRY(hacti_check_pointer(&c, dy, "dy"));
    HACTI_TRY(hacti_check_pointer(&c, dx, "dx"));
    const size_t es = hacti_dtype_size(dtype);
    const char *xs = (const char *)x;
    char *dxs = (char *)dx;
    const plane p[5] = {{xs + g * es, 2 * row, "x"},    {xs + (row - g) * es, 2 * row, "x"},
                        {dy, row, "dy"},                {dxs + g * es, 2 * row, "dx"},
                        {dxs + (row - g) * es, 2 * row, "dx"}};
    HACTI_TRY(check_planes(&c, p, 5));
    HACTI_TRY(check_alias(&c, dx, 2 * total * es, "dx", x, 2 * total * es, "x", 1));
    HACTI_TRY(check_alias(&c, dx, 2 * total * es, "dx", dy, total * es, "dy", 0));
    return run(&c, where, stream, outer, row, p, 5);
}

/* ---- the entry points: on the CPU, and on the CUDA device with the caller's stream ---------- */
hact_status hact_glu_forward(hact_glu kind, hact_dtype dtype, const void *a, const void *b, void *out,
                             size_t n, const hact_params *params) {
    return glu_forward(HACTI_ON_CPU, kind, dtype, a, b, out, n, params, NULL);
}
hact_status hact_glu_backward(hact_glu kind, hact_dtype dtype, const void *a, const void *b,
                              const void *dy, void *da, void *db, size_t n, const hact_params *params) {
    return glu_backward(HACTI_ON_CPU, kind, dtype, a, b, dy, da, db, n, params, NULL);
}
hact_status hact_glu_split_forward(hact_glu kind, hact_dtype dtype, const void *x, void *y, size_t outer,
                                   size_t half, size_t inner, int gated_half, const hact_params *params) {
    return glu_split_forward(HACTI_ON_CPU, kind, dtype, x, y, outer, half, inner, gated_half, params, NULL);
}
hact_status hact_glu_split_backward(hact_glu kind, hact_dtype dtype, const void *x, const void *dy,
                                    void *dx, size_t outer, size_t half, size_t inner, int gated_half,
                                    const hact_params *params) {
    return glu_split_backward(HACTI_ON_CPU, kind, dtype, x, dy, dx, outer, half, inner, gated_half, params, NULL);
}
hact_status hact_cuda_glu_forward(hact_glu kind, hact_dtype dtype, const void *a, const void *b, void *out,
                                  size_t n, const hact_params *params, void *stream) {
    return glu_forward(HACTI_ON_CUDA, kind, dtype, a, b, out, n, params, stream);
}
hact_status hact_cuda_glu_backward(hact_glu kind, hact_dtype dtype, const void *a, const void *b,
                                   const void *dy, void *da, void *db, size_t n, const hact_params *params,
                                   void *stream) {
    return glu_backward(HACTI_ON_CUDA, kind, dtype, a, b, dy, da, db, n, params, stream);
}
hact_status hact_cuda_glu_split_forward(hact_glu kind, hact_dtype dtype, const void *x, void *y, size_t outer,
                                        size_t half, size_t inner, int gated_half, const hact_params *params,
                                        void *stream) {
    return glu_split_forward(HACTI_ON_CUDA, kind, dtype, x, y, outer, half, inner, gated_half, params, stream);
}
hact_status hact_cuda_glu_split_backward(hact_glu kind, hact_dtype dtype, const void *x, const void *dy,
                                         void *dx, size_t outer, size_t half, size_t inner, int gated_half,
                                         const hact_params *params, void *stream) {
    return glu_split_backward(HACTI_ON_CUDA, kind, dtype, x, dy, dx, outer, half, inner, gated_half, params,
                              stream);
}

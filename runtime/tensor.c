/* The strided N-d entry points (hact_*_tensor): check the descriptors, reduce the layout to as
 * few dimensions as possible, then run the flat kernels (api.c's hacti_run_*) once, per
 * contiguous row, or over tiles or blocks gathered into stack buffers, in parallel tasks when
 * large. hact_cuda_*_tensor take the same checks and reduced layout to the CUDA kernels, which
 * take strides themselves (cuda.c). The rules are in hact.h; docs/design.md ("Strided tensors")
 * explains the choices. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "HalideRuntime.h"
#include "internal.h"

#define MAXD HACT_TENSOR_MAX_NDIM
#define MAX_OPERANDS 3 /* forward: y, x; backward: dx, x, dy; backward_params: x, dy */
#define LIMIT ((int64_t)1 << 60) /* element counts and spans stay below this */
/* Gather blocks: bytes per operand buffer (on the stack; 2048 float32 elements). */
#define BLOCK_BYTES 8192
/* Rows shorter than this are gathered into blocks rather than run one kernel call each. */
#define MIN_ROW 64
/* Parallel tasks (run_all): as the kernels, calls below 2^16 elements stay on the calling thread;
 * tasks take at least 2^14 elements, and a call at most 256 tasks. */
#define PAR_MIN_ELEMENTS ((int64_t)1 << 16)
#define PAR_TASK_ELEMENTS ((int64_t)1 << 14)
#define PAR_MAX_TASKS 256
/* Work limit of the overlap search (nodes visited); beyond it an overlap is assumed. */
#define OVERLAP_WORK 20000

/* The path of the last call, recorded only while a test asks (a store to one shared line on
 * every call would make concurrent callers contend). */
static atomic_int last_path = HACTI_PATH_NONE, record_path = 0;
void hacti_tensor_record_paths(int on) { atomic_store(&record_path, on); }
int hacti_tensor_last_path(void) { return atomic_load_explicit(&last_path, memory_order_relaxed); }
static void set_path(int p) {
    if (atomic_load_explicit(&record_path, memory_order_relaxed))
        atomic_store_explicit(&last_path, p, memory_order_relaxed);
}

/* ---- one operand ------------------------------------------------------------------------------ */
typedef struct operand {
    const hact_tensor *t;
    const char *name; /* "x", "y", "dy", "dx" */
    int output;
    hact_dtype dtype;
    int64_t strides[MAXD]; /* effective strides (row-major when t->strides is NULL) */
    char *base;            /* data + byte_offset */
    int64_t lo, hi;        /* element offsets (from base) of the lowest and highest element */
} operand;

typedef struct ctx {
    hacti_call c;
    hacti_where where;  /* the CPU (hact_*_tensor) or the CUDA device (hact_cuda_*_tensor) */
    const char *prefix; /* "hact_" or "hact_cuda_" */
    void *stream;       /* CUDA calls: the caller's stream */
    const char *entry; /* "forward_tensor", ... */
    const char *opname;
    int n;                /* operands; [0] is the output of forward / backward */
    operand o[MAX_OPERANDS];
    int ndim;
    const int64_t *shape; /* of the first input (all equal once checked) */
    int64_t numel;
    size_t es;
} ctx;

#define TRY(expr)                       \
    do {                                \
        hact_status s_ = (expr);        \
        if (s_ != HACT_OK) return s_;   \
    } while (0)

/* "hact_<entry>(<op>): <message>" (hact_cuda_<entry> for the CUDA calls) */
#define FAIL(cx, status, fmt, ...) \
    hacti_fail((status), "%s%s(%s): " fmt, (cx)->prefix, (cx)->entry, (cx)->opname, __VA_ARGS__)

static const char *device_name(int32_t type) {
    switch (type) {
    case 1: return "cpu";
    case 2: return "cuda";
    case 3: return "cuda_host";
    case 4: return "opencl";
    case 7: return "vulkan";
    case 8: return "metal";
    case 9: return "vpi";
    case 10: return "rocm";
    case 11: return "rocm_host";
    case 12: return "ext_dev";
    case 13: return "cuda_managed";
    case 14: return "oneapi";
    case 15: return "webgpu";
    case 16: return "hexagon";
    }
    return NULL;
}

static void dtype_text(hact_dltype d, char *buf, size_t size) {
    static const char *const codes[] = {"int", "uint", "float", "opaque_handle", "bfloat", "complex", "bool"};
    if (d.code < sizeof codes / sizeof codes[0])
        snprintf(buf, size, "%s%u", codes[d.code], (unsigned)d.bits);
    else
        snprintf(buf, size, "type code %u with %u bits", (unsigned)d.code, (unsigned)d.bits);
    if (d.lanes != 1) snprintf(buf + strlen(buf), size - strlen(buf), "x%u", (unsigned)d.lanes);
}

static void shape_text(const hact_tensor *t, char *buf, size_t size) {
    size_t len = (size_t)snprintf(buf, size, "[");
    for (int d = 0; d < t->ndim && len < size; ++d)
        len += (size_t)snprintf(buf + len, size - len, "%s%lld", d ? ", " : "", (long long)t->shape[d]);
    if (len < size) snprintf(buf + len, size - len, "]");
}

/* ndim and shape. */
static hact_status check_structure(const ctx *cx, const operand *o) {
    const hact_tensor *t = o->t;
    if (t->ndim < 0 || t->ndim > MAXD)
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s.ndim = %d is outside 0..%d", o->name, (int)t->ndim, MAXD);
    if (t->ndim > 0 && !t->shape)
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s.shape is NULL with ndim = %d", o->name, (int)t->ndim);
    for (int d = 0; d < t->ndim; ++d) {
        if (t->shape[d] < 0)
            return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s.shape[%d] = %lld is negative", o->name, d,
                        (long long)t->shape[d]);
    }
    return HACT_OK;
}

/* The memory the call computes on: host memory for the CPU calls, CUDA device memory (or managed
 * memory) for the CUDA calls, every operand on the same device; else a clear status. */
static hact_status check_device(const ctx *cx, const operand *o) {
    const hact_device dev = o->t->device;
    const int cuda_memory = dev.device_type == HACT_DEVICE_CUDA || dev.device_type == HACT_DEVICE_CUDA_MANAGED;
    const int host_memory = dev.device_type == HACT_DEVICE_CPU || dev.device_type == HACT_DEVICE_CUDA_HOST ||
                            dev.device_type == HACT_DEVICE_ROCM_HOST;
    if (dev.device_type < 1)
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s.device.device_type = %d is not a DLPack device type",
                    o->name, (int)dev.device_type);
    if (cx->where == HACTI_ON_CUDA) {
        if (cuda_memory) {
            const hact_device first = cx->o[0].t->device;
            if (o != &cx->o[0] && first.device_id != dev.device_id)
                return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s is on cuda:%d, %s on cuda:%d: one device per call",
                            cx->o[0].name, (int)first.device_id, o->name, (int)dev.device_id);
            return HACT_OK;
        }
        const char *name = device_name(dev.device_type);
        if (host_memory)
            return FAIL(cx, HACT_ERR_INVALID_ARGUMENT,
                        "%s is on %s:%d, host memory: the CUDA calls take CUDA device memory (hact_%s "
                        "computes host tensors)", o->name, name, (int)dev.device_id, cx->entry);
        if (name)
            return FAIL(cx, HACT_ERR_UNSUPPORTED, "%s is on %s:%d: the CUDA calls take CUDA device memory",
                        o->name, name, (int)dev.device_id);
        return FAIL(cx, HACT_ERR_UNSUPPORTED, "%s is on device type %d: the CUDA calls take CUDA device memory",
                    o->name, (int)dev.device_type);
    }
    if (host_memory) return HACT_OK;
    if (cuda_memory)
        return FAIL(cx, HACT_ERR_UNSUPPORTED,
                    "%s is on %s:%d: CUDA tensors go to hact_cuda_%s (with the stream to run on)", o->name,
                    device_name(dev.device_type), (int)dev.device_id, cx->entry);
    const char *name = device_name(dev.device_type);
    if (name)
        return FAIL(cx, HACT_ERR_UNSUPPORTED, "%s is on %s:%d: this library computes on the CPU and CUDA only",
                    o->name, name, (int)dev.device_id);
    return FAIL(cx, HACT_ERR_UNSUPPORTED, "%s is on device type %d: this library computes on the CPU and CUDA only",
                o->name, (int)dev.device_type);
}

/* DLPack dtype -> hact_dtype. */
static hact_status check_dtype(const ctx *cx, operand *o) {
    const hact_dltype d = o->t->dtype;
    if (d.code == HACT_DL_FLOAT && d.bits == 32 && d.lanes == 1) { /* the common case, no text */
        o->dtype = HACT_F32;
        return HACT_OK;
    }
    char text[64];
    dtype_text(d, text, sizeof text);
    if (d.bits == 0 || d.lanes == 0)
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s.dtype {code %u, bits %u, lanes %u} is not a valid dtype",
                    o->name, (unsigned)d.code, (unsigned)d.bits, (unsigned)d.lanes);
    if (d.lanes != 1)
        return FAIL(cx, HACT_ERR_UNSUPPORTED, "%s.dtype is %s: vector elements (lanes > 1) are not supported",
                    o->name, text);
    if (d.code == HACT_DL_FLOAT && d.bits == 32) o->dtype = HACT_F32;
    else if (d.code == HACT_DL_FLOAT && d.bits == 16) o->dtype = HACT_F16;
    else if (d.code == HACT_DL_FLOAT && d.bits == 64) o->dtype = HACT_F64;
    else if (d.code == HACT_DL_BFLOAT && d.bits == 16) o->dtype = HACT_BF16;
    else
        return FAIL(cx, HACT_ERR_UNSUPPORTED,
                    "%s.dtype is %s: hact computes float32, float64, float16 and bfloat16",
                    o->name, text);
    return HACT_OK;
}

/* Same ndim, shape, dtype as the first operand. */
static hact_status check_agreement(const ctx *cx, const operand *a, const operand *b) {
    char sa[256], sb[256];
    if (a->t->ndim != b->t->ndim) {
        shape_text(a->t, sa, sizeof sa);
        shape_text(b->t, sb, sizeof sb);
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT,
                    "shape mismatch: %s has %d dimensions %s, %s has %d dimensions %s", a->name,
                    (int)a->t->ndim, sa, b->name, (int)b->t->ndim, sb);
    }
    for (int d = 0; d < a->t->ndim; ++d) {
        if (a->t->shape[d] != b->t->shape[d]) {
            shape_text(a->t, sa, sizeof sa);
            shape_text(b->t, sb, sizeof sb);
            return FAIL(cx, HACT_ERR_INVALID_ARGUMENT,
                        "shape mismatch in dimension %d: %s.shape[%d] = %lld, %s.shape[%d] = %lld "
                        "(%s is %s, %s is %s)", d, a->name, d, (long long)a->t->shape[d], b->name, d,
                        (long long)b->t->shape[d], a->name, sa, b->name, sb);
        }
    }
    if (a->dtype != b->dtype) {
        dtype_text(a->t->dtype, sa, sizeof sa);
        dtype_text(b->t->dtype, sb, sizeof sb);
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "dtype mismatch: %s is %s, %s is %s", a->name, sa, b->name, sb);
    }
    return HACT_OK;
}

/* Element count of the (agreed) shape; LIMIT or more is an error. */
static hact_status count_elements(ctx *cx) {
    int64_t numel = 1;
    for (int d = 0; d < cx->ndim; ++d) {
        if (cx->shape[d] == 0) {
            cx->numel = 0;
            return HACT_OK;
        }
    }
    for (int d = 0; d < cx->ndim; ++d) {
        if (cx->shape[d] >= LIMIT / numel)
            return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s has 2^60 elements or more", cx->o[0].name);
        numel *= cx->shape[d];
    }
    cx->numel = numel;
    return HACT_OK;
}

/* Effective strides, the span [lo, hi] in elements, data checks (numel > 0). */
static hact_status check_memory(const ctx *cx, operand *o) {
    const hact_tensor *t = o->t;
    int64_t row = 1;
    for (int d = cx->ndim - 1; d >= 0; --d) {
        o->strides[d] = t->strides ? t->strides[d] : row;
        row *= cx->shape[d]; /* < LIMIT: numel is */
    }
    int64_t lo = 0, hi = 0;
    for (int d = 0; d < cx->ndim; ++d) {
        const int64_t n1 = cx->shape[d] - 1, s = o->strides[d];
        if (n1 == 0 || s == 0) continue;
        const int64_t m = s == INT64_MIN ? INT64_MAX : s < 0 ? -s : s; /* INT64_MIN: too large either way */
        if (m >= LIMIT / n1 || m * n1 >= LIMIT - (s < 0 ? -lo : hi))
            return FAIL(cx, HACT_ERR_INVALID_ARGUMENT,
                        "%s.strides[%d] = %lld: the tensor would span 2^60 elements or more", o->name, d,
                        (long long)s);
        if (s < 0) lo -= m * n1;
        else hi += m * n1;
    }
    o->lo = lo;
    o->hi = hi;
    if (!t->data)
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s.data is NULL with %lld elements", o->name,
                    (long long)cx->numel);
    const uintptr_t data = (uintptr_t)t->data;
    if (t->byte_offset > UINTPTR_MAX - data)
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s.byte_offset = %llu wraps around the address space",
                    o->name, (unsigned long long)t->byte_offset);
    const uintptr_t base = data + (uintptr_t)t->byte_offset;
    if (base % cx->es != 0)
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT,
                    "%s.data + byte_offset = %p is not aligned to its %zu-byte elements", o->name,
                    (void *)base, cx->es);
    /* Lowest and highest byte inside the address space (spans are < 2^60 elements, es <= 8). */
    const uintptr_t below = (uintptr_t)(-lo) * cx->es, above = (uintptr_t)hi * cx->es + cx->es - 1;
    if (below > base || above > UINTPTR_MAX - base)
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s: its strides reach outside the address space", o->name);
    o->base = (char *)base;
    return HACT_OK;
}

/* ---- overlap ------------------------------------------------------------------------------------ */
/* Is there an integer vector k with lo_i <= k_i <= hi_i and sum k_i c_i = target? Terms sorted by
 * c descending (c > 0). A depth-first search that bounds each k_i by what the smaller terms can
 * still add and skips targets their gcd does not divide. 1: yes, 0: no, -1: work limit. */
typedef struct term {
    int64_t c, lo, hi;
} term;
typedef struct search {
    const term *t;
    int m;
    int64_t smin[2 * MAXD + 1], smax[2 * MAXD + 1], g[2 * MAXD + 1];
    long work;
} search;

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }
static int64_t ceil_div(int64_t a, int64_t b) { return a / b + (a % b != 0 && (a < 0) == (b < 0)); }

static int dfs(search *s, int i, int64_t target) {
    if (--s->work < 0) return -1;
    if (i == s->m) return target == 0;
    if (target < s->smin[i] || target > s->smax[i] || target % s->g[i] != 0) return 0;
    const term *t = &s->t[i];
    int64_t k0 = ceil_div(target - s->smax[i + 1], t->c), k1 = floor_div(target - s->smin[i + 1], t->c);
    if (k0 < t->lo) k0 = t->lo;
    if (k1 > t->hi) k1 = t->hi;
    for (int64_t k = k0; k <= k1; ++k) {
        const int r = dfs(s, i + 1, target - k * t->c);
        if (r != 0) return r;
    }
    return 0;
}

static void search_init(search *s, const term *t, int m) {
    s->t = t;
    s->m = m;
    s->smin[m] = s->smax[m] = s->g[m] = 0;
    for (int i = m - 1; i >= 0; --i) {
        s->smin[i] = s->smin[i + 1] + t[i].c * t[i].lo;
        s->smax[i] = s->smax[i + 1] + t[i].c * t[i].hi;
        s->g[i] = hacti_gcd(t[i].c, s->g[i + 1]);
    }
    s->work = OVERLAP_WORK;
}

static void sort_terms(term *t, int m) { /* by c descending (insertion sort: m <= 2 * MAXD) */
    for (int i = 1; i < m; ++i) {
        const term v = t[i];
        int j = i;
        for (; j > 0 && t[j - 1].c < v.c; --j) t[j] = t[j - 1];
        t[j] = v;
    }
}

/* 1: two elements of the output share memory (or the search gave up: -1), 0: they do not. *dim
 * gets a dimension with stride 0 where that is the reason, else -1. */
static int self_overlap(const ctx *cx, const operand *o, int *dim) {
    term t[MAXD];
    int m = 0;
    *dim = -1;
    for (int d = 0; d < cx->ndim; ++d) {
        if (cx->shape[d] < 2) continue;
        if (o->strides[d] == 0) {
            *dim = d;
            return 1;
        }
        const int64_t c = o->strides[d] < 0 ? -o->strides[d] : o->strides[d];
        t[m++] = (term){c, -(cx->shape[d] - 1), cx->shape[d] - 1};
    }
    sort_terms(t, m);
    /* The common case: each stride exceeds the span of the smaller ones (also rules out equal
     * strides, which overlap). */
    int64_t span = 0;
    int nested = 1;
    for (int i = m - 1; i >= 0; --i) {
        if (t[i].c <= span) nested = 0;
        span += t[i].c * t[i].hi;
    }
    if (nested) return 0;
    /* Elements i != j coincide iff sum k_d c_d = 0 with |k_d| <= n_d - 1, k != 0. Take the
     * largest-stride nonzero k_i positive (k and -k both solve); the smaller ones solve
     * sum = -k_i c_i. */
    long work = OVERLAP_WORK;
    for (int i = 0; i < m; ++i) {
        search sub;
        search_init(&sub, t + i + 1, m - i - 1);
        sub.work = work;
        for (int64_t k = 1; k <= t[i].hi && k * t[i].c <= sub.smax[0]; ++k) {
            if (dfs(&sub, 0, -k * t[i].c) != 0) return 1; /* found, or out of work */
        }
        work = sub.work;
    }
    return 0;
}

/* 0: the output and the input are exactly the same view, or share no element; 1: they share an
 * element (or the search gave up). */
static int partial_overlap(const ctx *cx, const operand *out, const operand *in) {
    const uintptr_t es = cx->es;
    const uintptr_t a0 = (uintptr_t)out->base + (uintptr_t)out->lo * es, a1 = (uintptr_t)out->base + (uintptr_t)out->hi * es + es;
    const uintptr_t b0 = (uintptr_t)in->base + (uintptr_t)in->lo * es, b1 = (uintptr_t)in->base + (uintptr_t)in->hi * es + es;
    if (a1 <= b0 || b1 <= a0) return 0; /* disjoint spans */
    int same = out->base == in->base;
    for (int d = 0; d < cx->ndim && same; ++d) {
        if (cx->shape[d] > 1 && out->strides[d] != in->strides[d]) same = 0;
    }
    if (same) return 0; /* in place */
    /* out->base + sum i_d so_d = in->base + sum j_d si_d for some i, j in the shape: with
     * target = (in->base - out->base) / es, sum i_d so_d - sum j_d si_d = target. Terms with the
     * same |stride| merge (their k ranges add up). Both bases are aligned to es. */
    term t[2 * MAXD];
    int m = 0;
    for (int side = 0; side < 2; ++side) {
        const operand *o = side ? in : out;
        for (int d = 0; d < cx->ndim; ++d) {
            const int64_t n1 = cx->shape[d] - 1, s = side ? -o->strides[d] : o->strides[d];
            if (n1 == 0 || s == 0) continue;
            term v = s > 0 ? (term){s, 0, n1} : (term){-s, -n1, 0};
            int merged = 0;
            for (int i = 0; i < m && !merged; ++i) {
                if (t[i].c == v.c) {
                    t[i].lo += v.lo;
                    t[i].hi += v.hi;
                    merged = 1;
                }
            }
            if (!merged) t[m++] = v;
        }
    }
    sort_terms(t, m);
    const intptr_t diff = (intptr_t)((uintptr_t)in->base - (uintptr_t)out->base); /* |diff| < 2^62 */
    search s;
    search_init(&s, t, m);
    return dfs(&s, 0, (int64_t)(diff / (intptr_t)es)) != 0;
}

static hact_status check_overlaps(const ctx *cx) {
    if (!cx->o[0].output) return HACT_OK;
    const operand *out = &cx->o[0];
    int dim;
    if (self_overlap(cx, out, &dim)) {
        if (dim >= 0)
            return FAIL(cx, HACT_ERR_INVALID_ARGUMENT,
                        "output %s has stride 0 in dimension %d (extent %lld): its elements would share "
                        "memory", out->name, dim, (long long)cx->shape[dim]);
        return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "output %s: its strides make elements share memory",
                    out->name);
    }
    for (int k = 1; k < cx->n; ++k) {
        if (partial_overlap(cx, out, &cx->o[k]))
            return FAIL(cx, HACT_ERR_INVALID_ARGUMENT,
                        "output %s overlaps input %s without being the same view (in place needs the "
                        "same address and strides)", out->name, cx->o[k].name);
    }
    return HACT_OK;
}

/* ---- execution ---------------------------------------------------------------------------------- */
/* The layout reduced to nd dimensions, outermost first; every operand's strides per dimension. */
typedef struct layout {
    int nd, n;
    int64_t shape[MAXD];
    int64_t s[MAX_OPERANDS][MAXD];
    char *base[MAX_OPERANDS];
} layout;

static int64_t mag(int64_t v) { return v < 0 ? -v : v; }

/* Drop extent-1 dimensions; walk a dimension backwards where no operand's stride is positive;
 * order dimensions by |stride| of operand 0, then 1, ... (largest outermost); merge neighbours
 * that are contiguous with each other in every operand. Elementwise results do not depend on the
 * order elements are visited in, only on which elements of the operands go together. */
static void reduce(const ctx *cx, layout *L) {
    L->n = cx->n;
    L->nd = 0;
    for (int k = 0; k < cx->n; ++k) L->base[k] = cx->o[k].base;
    for (int d = 0; d < cx->ndim; ++d) {
        if (cx->shape[d] == 1) continue;
        int any_pos = 0, any_neg = 0;
        for (int k = 0; k < cx->n; ++k) {
            any_pos |= cx->o[k].strides[d] > 0;
            any_neg |= cx->o[k].strides[d] < 0;
        }
        const int flip = any_neg && !any_pos;
        L->shape[L->nd] = cx->shape[d];
        for (int k = 0; k < cx->n; ++k) {
            int64_t s = cx->o[k].strides[d];
            if (flip) {
                L->base[k] += s * (cx->shape[d] - 1) * (int64_t)cx->es;
                s = -s;
            }
            L->s[k][L->nd] = s;
        }
        ++L->nd;
    }
    /* Insertion sort of the dimensions (stable). */
    for (int i = 1; i < L->nd; ++i) {
        for (int j = i; j > 0; --j) {
            int before = 0; /* dimension j belongs before j - 1 */
            for (int k = 0; k < L->n; ++k) {
                const int64_t a = mag(L->s[k][j - 1]), b = mag(L->s[k][j]);
                if (a != b) {
                    before = b > a;
                    break;
                }
            }
            if (!before) break;
            int64_t tmp = L->shape[j];
            L->shape[j] = L->shape[j - 1];
            L->shape[j - 1] = tmp;
            for (int k = 0; k < L->n; ++k) {
                tmp = L->s[k][j];
                L->s[k][j] = L->s[k][j - 1];
                L->s[k][j - 1] = tmp;
            }
        }
    }
    /* Merge dimension d into d + 1 where every operand steps from the end of one d + 1 run to
     * the next by its d + 1 stride. */
    int out = 0;
    for (int d = 1; d < L->nd; ++d) {
        int merge = 1;
        for (int k = 0; k < L->n && merge; ++k) merge = L->s[k][out] == L->s[k][d] * L->shape[d];
        if (merge) {
            L->shape[out] *= L->shape[d];
            for (int k = 0; k < L->n; ++k) L->s[k][out] = L->s[k][d];
        } else {
            ++out;
            L->shape[out] = L->shape[d];
            for (int k = 0; k < L->n; ++k) L->s[k][out] = L->s[k][d];
        }
    }
    if (L->nd > 0) L->nd = out + 1;
}

/* The kernel over n dense elements of each operand (the order of ptr is the operands'). */
static hact_status run(const ctx *cx, char *const *ptr, size_t n, double *sums) {
    switch (cx->c.dir) {
    case HACTI_FWD: return hacti_run_forward(&cx->c, ptr[1], ptr[0], n);
    case HACTI_BWD: return hacti_run_backward(&cx->c, ptr[1], ptr[2], ptr[0], n);
    default: return hacti_run_pgrad(&cx->c, ptr[0], ptr[1], n, sums);
    }
}

/* An odometer over the outer nd - 1 dimensions: off[k] is operand k's element offset. */
typedef struct odometer {
    int64_t idx[MAXD];
    int64_t off[MAX_OPERANDS];
} odometer;

/* The odometer at row r (row-major over the outer dimensions). */
static void odometer_at(const layout *L, int64_t r, odometer *it) {
    for (int k = 0; k < L->n; ++k) it->off[k] = 0;
    for (int d = L->nd - 2; d >= 0; --d) {
        it->idx[d] = r % L->shape[d];
        r /= L->shape[d];
        for (int k = 0; k < L->n; ++k) it->off[k] += it->idx[d] * L->s[k][d];
    }
}

static void advance(const layout *L, odometer *it) {
    for (int d = L->nd - 2; d >= 0; --d) {
        for (int k = 0; k < L->n; ++k) it->off[k] += L->s[k][d];
        if (++it->idx[d] < L->shape[d]) return;
        for (int k = 0; k < L->n; ++k) it->off[k] -= L->s[k][d] * L->shape[d];
        it->idx[d] = 0;
    }
}

/* Rows [r0, r1): one kernel call each (every operand is dense along the innermost dimension). */
static hact_status run_rows(const ctx *cx, const layout *L, int64_t r0, int64_t r1, double *sums) {
    const int64_t row = L->shape[L->nd - 1];
    odometer it;
    odometer_at(L, r0, &it);
    for (int64_t r = r0; r < r1; ++r) {
        char *ptr[MAX_OPERANDS];
        for (int k = 0; k < L->n; ++k) ptr[k] = L->base[k] + it.off[k] * (int64_t)cx->es;
        TRY(run(cx, ptr, (size_t)row, sums));
        advance(L, &it);
    }
    return HACT_OK;
}

/* n elements of es bytes between a strided view (stride in elements, any sign, 0 repeats) and a
 * dense buffer. */
#define STRIDED_LOOPS(T)                                                                         \
    do {                                                                                         \
        if (gather) {                                                                            \
            const T *s_ = (const T *)view;                                                       \
            T *d_ = (T *)dense;                                                                  \
            for (int64_t i = 0; i < n; ++i) d_[i] = s_[i * stride];                              \
        } else {                                                                                 \
            const T *s_ = (const T *)dense;                                                      \
            T *d_ = (T *)view;                                                                   \
            for (int64_t i = 0; i < n; ++i) d_[i * stride] = s_[i];                              \
        }                                                                                        \
    } while (0)
static void copy_strided(void *dense, void *view, int64_t n, int64_t stride, size_t es, int gather) {
    if (stride == 1) {
        if (gather) memcpy(dense, view, (size_t)n * es);
        else memcpy(view, dense, (size_t)n * es);
        return;
    }
    switch (es) {
    case 2: STRIDED_LOOPS(uint16_t); break;
    case 4: STRIDED_LOOPS(uint32_t); break;
    default: STRIDED_LOOPS(uint64_t); break;
    }
}

/* Elements [e0, e1) in odometer order, in blocks of up to BLOCK_BYTES / es: gather the inputs
 * into stack buffers, run the kernel (the output lands in an input's buffer: the kernels allow
 * y = x and dx = dy), scatter the output. */
static hact_status run_blocks(const ctx *cx, const layout *L, int64_t e0, int64_t e1, double *sums) {
    _Alignas(64) unsigned char buf[2][BLOCK_BYTES];
    const int64_t block = (int64_t)(BLOCK_BYTES / cx->es), inner = L->nd - 1, row = L->shape[inner];
    const int64_t es = (int64_t)cx->es;
    const int has_out = cx->o[0].output, first_in = has_out ? 1 : 0;
    /* Operand k's buffer; the output shares the last input's (forward: x's, backward: dy's). */
    char *ptr[MAX_OPERANDS] = {NULL};
    for (int k = first_in; k < L->n; ++k) ptr[k] = (char *)buf[k - first_in];
    if (has_out) ptr[0] = ptr[L->n - 1];
    odometer it;
    odometer_at(L, e0 / row, &it);
    int64_t j = e0 % row; /* position in the current row */
    for (int64_t done = e0; done < e1;) {
        const odometer start = it;
        const int64_t start_j = j;
        int64_t fill = 0;
        while (fill < block && done + fill < e1) {
            int64_t len = row - j < block - fill ? row - j : block - fill;
            if (len > e1 - done - fill) len = e1 - done - fill;
            for (int k = first_in; k < L->n; ++k)
                copy_strided(ptr[k] + fill * es, L->base[k] + (it.off[k] + j * L->s[k][inner]) * es, len,
                             L->s[k][inner], cx->es, 1);
            fill += len;
            j += len;
            if (j == row) {
                j = 0;
                advance(L, &it);
            }
        }
        TRY(run(cx, ptr, (size_t)fill, sums));
        if (has_out) {
            odometer w = start;
            int64_t wj = start_j;
            for (int64_t put = 0; put < fill;) {
                const int64_t len = row - wj < fill - put ? row - wj : fill - put;
                copy_strided(ptr[0] + put * es, L->base[0] + (w.off[0] + wj * L->s[0][inner]) * es, len,
                             L->s[0][inner], cx->es, 0);
                put += len;
                wj += len;
                if (wj == row) {
                    wj = 0;
                    advance(L, &w);
                }
            }
        }
        done += fill;
    }
    return HACT_OK;
}

/* Tiles: when an operand is dense (or densest) along another dimension than the innermost one
 * (a transpose that reordering cannot undo, e.g. x transposed and y contiguous), blocks walked
 * along the innermost dimension read that operand one element per cache line and page. Tiles of
 * TILE_B elements of the innermost dimension b by block / TILE_B of the next one a (which
 * choose_tiles made that operand's densest) keep every operand's accesses within a few lines
 * and pages; each operand is copied along whichever of a and b is denser for it. */
#define TILE_B 64

/* A tile of na x nb elements between a view (strides sa, sb) and a dense [na][nb] buffer. */
static void copy_tile(char *dense, char *view, int64_t na, int64_t nb, int64_t sa, int64_t sb, int64_t es,
                      int gather) {
    if (mag(sb) <= mag(sa)) {
        for (int64_t a = 0; a < na; ++a) copy_strided(dense + a * nb * es, view + a * sa * es, nb, sb, (size_t)es, gather);
        return;
    }
    /* Along a: the dense side steps by nb elements. */
#define TILE_LOOPS(T)                                                                            \
    for (int64_t b = 0; b < nb; ++b) {                                                           \
        T *d_ = (T *)dense + b;                                                                  \
        T *v_ = (T *)(view + b * sb * es);                                                       \
        if (gather)                                                                              \
            for (int64_t a = 0; a < na; ++a) d_[a * nb] = v_[a * sa];                            \
        else                                                                                     \
            for (int64_t a = 0; a < na; ++a) v_[a * sa] = d_[a * nb];                            \
    }
    switch (es) {
    case 2: TILE_LOOPS(uint16_t); break;
    case 4: TILE_LOOPS(uint32_t); break;
    default: TILE_LOOPS(uint64_t); break;
    }
#undef TILE_LOOPS
}

/* Tiles per [a, b] plane, and the tile extents. */
typedef struct tiling {
    int64_t ta, tb, nta, ntb; /* tile extents; tiles along a and b */
} tiling;
static tiling tiling_of(const ctx *cx, const layout *L) {
    tiling t;
    t.tb = TILE_B;
    t.ta = (int64_t)(BLOCK_BYTES / cx->es) / TILE_B;
    t.nta = (L->shape[L->nd - 2] + t.ta - 1) / t.ta;
    t.ntb = (L->shape[L->nd - 1] + t.tb - 1) / t.tb;
    return t;
}

/* Tiles [t0, t1), numbered plane by plane (outer dimensions row-major), row-major in a plane. */
static hact_status run_tiles(const ctx *cx, const layout *L, int64_t t0, int64_t t1, double *sums) {
    _Alignas(64) unsigned char buf[2][BLOCK_BYTES];
    const int64_t es = (int64_t)cx->es, A = L->nd - 2, B = L->nd - 1;
    const tiling tl = tiling_of(cx, L);
    const int has_out = cx->o[0].output, first_in = has_out ? 1 : 0;
    char *ptr[MAX_OPERANDS] = {NULL};
    for (int k = first_in; k < L->n; ++k) ptr[k] = (char *)buf[k - first_in];
    if (has_out) ptr[0] = ptr[L->n - 1];
    for (int64_t t = t0; t < t1; ++t) {
        const int64_t plane = t / (tl.nta * tl.ntb), in_plane = t % (tl.nta * tl.ntb);
        const int64_t a0 = in_plane / tl.ntb * tl.ta, b0 = in_plane % tl.ntb * tl.tb;
        const int64_t na = L->shape[A] - a0 < tl.ta ? L->shape[A] - a0 : tl.ta;
        const int64_t nb = L->shape[B] - b0 < tl.tb ? L->shape[B] - b0 : tl.tb;
        int64_t off[MAX_OPERANDS];
        for (int k = 0; k < L->n; ++k) off[k] = a0 * L->s[k][A] + b0 * L->s[k][B];
        int64_t p = plane;
        for (int d = L->nd - 3; d >= 0; --d) {
            const int64_t i = p % L->shape[d];
            p /= L->shape[d];
            for (int k = 0; k < L->n; ++k) off[k] += i * L->s[k][d];
        }
        for (int k = first_in; k < L->n; ++k)
            copy_tile(ptr[k], L->base[k] + off[k] * es, na, nb, L->s[k][A], L->s[k][B], es, 1);
        TRY(run(cx, ptr, (size_t)(na * nb), sums));
        if (has_out) copy_tile(ptr[0], L->base[0] + off[0] * es, na, nb, L->s[0][A], L->s[0][B], es, 0);
    }
    return HACT_OK;
}

/* Tiles pay when an operand's densest dimension is not the innermost: that dimension moves next
 * to the innermost (elementwise results do not depend on the order of dimensions) and becomes a.
 * Both a and b must be long enough for tiles to hold more than a sliver of either. */
static int choose_tiles(layout *L) {
    if (L->nd < 2) return 0;
    const int B = L->nd - 1;
    int best_k = -1;
    int64_t worst = 1;
    for (int k = 0; k < L->n; ++k) { /* the operand with the sparsest innermost dimension */
        if (mag(L->s[k][B]) > worst) {
            worst = mag(L->s[k][B]);
            best_k = k;
        }
    }
    if (best_k < 0) return 0;
    int a = -1;
    for (int d = 0; d < B; ++d) { /* its densest other dimension, if denser than b */
        const int64_t m = mag(L->s[best_k][d]);
        if (m != 0 && m < worst && (a < 0 || m < mag(L->s[best_k][a]))) a = d;
    }
    if (a < 0 || L->shape[a] < 8 || L->shape[B] < 8) return 0;
    for (int d = a; d < B - 1; ++d) { /* move a to B - 1 */
        int64_t tmp = L->shape[d];
        L->shape[d] = L->shape[d + 1];
        L->shape[d + 1] = tmp;
        for (int k = 0; k < L->n; ++k) {
            tmp = L->s[k][d];
            L->s[k][d] = L->s[k][d + 1];
            L->s[k][d + 1] = tmp;
        }
    }
    return 1;
}

/* ---- parallel tasks ------------------------------------------------------------------------------ */
/* Large calls that are not one flat kernel call are split into at most PAR_MAX_TASKS tasks of
 * whole rows or whole blocks over Halide's thread pool (the pool the kernels use, sized by
 * hact_set_num_threads). The split depends on the layout only, never on the thread count, so
 * results (parameter gradients included: per-task sums are added in task order) do not either. */
typedef struct work {
    const ctx *cx;
    const layout *L;
    int mode;          /* HACTI_PATH_ROWS, _BLOCKS or _TILES */
    int64_t total;     /* rows, elements or tiles */
    int64_t per_task;
    double (*sums)[HACT_MAX_LEARNABLE]; /* per task, or NULL */
    atomic_int failed;
    hact_status status;
    char message[512];
} work;

static hact_status run_range(const ctx *cx, const layout *L, int mode, int64_t b, int64_t e, double *sums) {
    switch (mode) {
    case HACTI_PATH_ROWS: return run_rows(cx, L, b, e, sums);
    case HACTI_PATH_TILES: return run_tiles(cx, L, b, e, sums);
    default: return run_blocks(cx, L, b, e, sums);
    }
}

static int task(void *user_context, int t, uint8_t *closure) {
    (void)user_context;
    work *w = (work *)closure;
    if (atomic_load_explicit(&w->failed, memory_order_relaxed)) return 0;
    const int64_t b = (int64_t)t * w->per_task, e = b + w->per_task < w->total ? b + w->per_task : w->total;
    double *sums = w->sums ? w->sums[t] : NULL;
    const hact_status s = run_range(w->cx, w->L, w->mode, b, e, sums);
    if (s != HACT_OK) {
        /* The message is thread-local: carry it to the calling thread. */
        if (!atomic_exchange(&w->failed, 1)) {
            w->status = s;
            snprintf(w->message, sizeof w->message, "%s", hact_last_error());
        }
        return 1;
    }
    return 0;
}

/* All rows, elements or tiles (mode); in tasks when large. */
static hact_status run_all(const ctx *cx, const layout *L, int mode, double *sums) {
    const int64_t row = L->shape[L->nd - 1];
    int64_t total = cx->numel, unit = 1; /* units to split, elements per unit */
    if (mode == HACTI_PATH_ROWS) {
        total = cx->numel / row;
        unit = row;
    } else if (mode == HACTI_PATH_TILES) {
        const tiling tl = tiling_of(cx, L);
        total = cx->numel / (row * L->shape[L->nd - 2]) * tl.nta * tl.ntb;
        unit = tl.ta * tl.tb;
    }
    /* Small calls, and rows long enough for the kernel's own parallel loop: the calling thread. */
    if (cx->numel < PAR_MIN_ELEMENTS || (mode == HACTI_PATH_ROWS && row >= PAR_MIN_ELEMENTS))
        return run_range(cx, L, mode, 0, total, sums);
    /* Tasks of at least PAR_TASK_ELEMENTS, at most PAR_MAX_TASKS of them; blocks whole. */
    int64_t per_task = (total + PAR_MAX_TASKS - 1) / PAR_MAX_TASKS;
    const int64_t min_task = (PAR_TASK_ELEMENTS + unit - 1) / unit;
    if (per_task < min_task) per_task = min_task;
    if (mode == HACTI_PATH_BLOCKS) {
        const int64_t block = (int64_t)(BLOCK_BYTES / cx->es);
        per_task = (per_task + block - 1) / block * block;
    }
    const int64_t ntasks = (total + per_task - 1) / per_task;
    double task_sums[PAR_MAX_TASKS][HACT_MAX_LEARNABLE];
    work w = {.cx = cx, .L = L, .mode = mode, .total = total, .per_task = per_task,
              .sums = sums ? task_sums : NULL, .status = HACT_OK};
    atomic_init(&w.failed, 0);
    if (sums) memset(task_sums, 0, (size_t)ntasks * sizeof task_sums[0]);
    const int pool = hacti_pool_enter((size_t)cx->numel);
    const int rc = halide_do_par_for(NULL, task, 0, (int)ntasks, (uint8_t *)&w);
    hacti_pool_leave(pool);
    if (atomic_load(&w.failed)) return hacti_fail(w.status, "%s", w.message);
    if (rc != 0)
        return FAIL(cx, HACT_ERR_KERNEL, "the thread pool failed (Halide error %d)", rc);
    if (sums) {
        for (int64_t t = 0; t < ntasks; ++t)
            for (int k = 0; k < HACT_MAX_LEARNABLE; ++k) sums[k] += task_sums[t][k];
    }
    return HACT_OK;
}

/* The CUDA calls: the reduced layout, whole, to the device (cuda.c takes it in calls of four
 * dimensions or fewer). A single element is a 1-D layout. */
static hact_status execute_on_cuda(const ctx *cx, hact_params *grad) {
    layout L;
    reduce(cx, &L);
    if (L.nd == 0) {
        L.nd = 1;
        L.shape[0] = 1;
        for (int k = 0; k < L.n; ++k) L.s[k][0] = 1;
    }
    set_path(L.nd == 1 ? HACTI_PATH_FLAT : HACTI_PATH_ROWS);
    const char *names[MAX_OPERANDS];
    for (int k = 0; k < L.n; ++k) names[k] = cx->o[k].name;
    return hacti_cuda_run_layout(&cx->c, L.nd, L.shape, L.n, (const int64_t(*)[MAXD])L.s, L.base, names, grad,
                                 cx->stream);
}

static hact_status execute(const ctx *cx, double *sums) {
    layout L;
    reduce(cx, &L);
    int unit = 1; /* every operand dense along the innermost dimension */
    for (int k = 0; k < L.n && L.nd > 0; ++k) unit &= L.s[k][L.nd - 1] == 1;
    if (L.nd == 0 || (L.nd == 1 && unit)) {
        set_path(HACTI_PATH_FLAT);
        char *ptr[MAX_OPERANDS];
        for (int k = 0; k < L.n; ++k) ptr[k] = L.base[k];
        return run(cx, ptr, (size_t)cx->numel, sums);
    }
    int mode = HACTI_PATH_BLOCKS;
    if (unit && L.shape[L.nd - 1] >= MIN_ROW) mode = HACTI_PATH_ROWS;
    else if (choose_tiles(&L)) mode = HACTI_PATH_TILES;
    set_path(mode);
    return run_all(cx, &L, mode, sums);
}

/* ---- entry points ---------------------------------------------------------------------------- */
/* Everything up to the kernels: ops, descriptors, agreement, the call, memory, overlap.
 * *empty is set when there is nothing to compute (an extent 0). */
static hact_status prepare(ctx *cx, hact_op op, hacti_dir dir, hacti_dir kernel_dir,
                           const hact_params *params, int *empty) {
    hacti_init();
    set_path(HACTI_PATH_NONE);
    if ((int)op < 0 || op >= hact_op_count_)
        return hacti_fail(HACT_ERR_UNKNOWN_OP, "%s%s: op %d is not in the registry (0..%d)", cx->prefix,
                          cx->entry, (int)op, (int)hact_op_count_ - 1);
    cx->opname = hact_op_name(op);
    for (int k = 0; k < cx->n; ++k) {
        if (!cx->o[k].t) return FAIL(cx, HACT_ERR_INVALID_ARGUMENT, "%s is NULL", cx->o[k].name);
    }
    for (int k = 0; k < cx->n; ++k) TRY(check_structure(cx, &cx->o[k]));
    for (int k = 0; k < cx->n; ++k) TRY(check_device(cx, &cx->o[k]));
    for (int k = 0; k < cx->n; ++k) TRY(check_dtype(cx, &cx->o[k]));
    /* Messages name the input first ("x has ..., y has ..."): o[0] of forward/backward is the
     * output, so compare against the first input. */
    const operand *ref = &cx->o[cx->o[0].output ? 1 : 0];
    for (int k = 0; k < cx->n; ++k) {
        if (&cx->o[k] != ref) TRY(check_agreement(cx, ref, &cx->o[k]));
    }
    TRY(hacti_check_call(&cx->c, cx->where, cx->entry, op, ref->dtype, dir, kernel_dir, params));
    cx->ndim = ref->t->ndim;
    cx->shape = ref->t->shape;
    cx->es = hacti_dtype_size(ref->dtype);
    TRY(count_elements(cx));
    *empty = cx->numel == 0;
    if (*empty) return HACT_OK;
    for (int k = 0; k < cx->n; ++k) TRY(check_memory(cx, &cx->o[k]));
    return check_overlaps(cx);
}

static void set_operand(ctx *cx, int k, const hact_tensor *t, const char *name, int output) {
    cx->o[k].t = t; /* the rest is set by the checks (strides: check_memory) */
    cx->o[k].name = name;
    cx->o[k].output = output;
}

static void set_call(ctx *cx, hacti_where where, void *stream, const char *entry, int n) {
    cx->where = where;
    cx->prefix = where == HACTI_ON_CUDA ? "hact_cuda_" : "hact_";
    cx->stream = stream;
    cx->entry = entry;
    cx->n = n;
}

static hact_status forward_tensor(hacti_where where, void *stream, hact_op op, const hact_tensor *x,
                                  const hact_tensor *y, const hact_params *params) {
    ctx cx;
    set_call(&cx, where, stream, "forward_tensor", 2);
    set_operand(&cx, 0, y, "y", 1);
    set_operand(&cx, 1, x, "x", 0);
    int empty;
    TRY(prepare(&cx, op, HACTI_FWD, HACTI_FWD, params, &empty));
    if (where == HACTI_ON_CUDA) return empty ? hacti_cuda_ready(&cx.c, stream) : execute_on_cuda(&cx, NULL);
    return empty ? HACT_OK : execute(&cx, NULL);
}

static hact_status backward_tensor(hacti_where where, void *stream, hact_op op, const hact_tensor *x,
                                   const hact_tensor *dy, const hact_tensor *dx, const hact_params *params) {
    ctx cx;
    set_call(&cx, where, stream, "backward_tensor", 3);
    set_operand(&cx, 0, dx, "dx", 1);
    set_operand(&cx, 1, x, "x", 0);
    set_operand(&cx, 2, dy, "dy", 0);
    int empty;
    TRY(prepare(&cx, op, HACTI_BWD, HACTI_BWD, params, &empty));
    if (where == HACTI_ON_CUDA) return empty ? hacti_cuda_ready(&cx.c, stream) : execute_on_cuda(&cx, NULL);
    return empty ? HACT_OK : execute(&cx, NULL);
}

static hact_status backward_params_tensor(hacti_where where, void *stream, hact_op op, const hact_tensor *x,
                                          const hact_tensor *dy, const hact_params *params, hact_params *grad) {
    ctx cx;
    set_call(&cx, where, stream, "backward_params_tensor", 2);
    set_operand(&cx, 0, x, "x", 0);
    set_operand(&cx, 1, dy, "dy", 0);
    const unsigned learnable = ((int)op >= 0 && op < hact_op_count_) ? hact_op_learnable_params(op) : 0u;
    int empty;
    /* As hact_backward_params: an op without learnable parameters is checked against its forward
     * kernel and gives zeros. */
    TRY(prepare(&cx, op, HACTI_PGRAD, learnable ? HACTI_PGRAD : HACTI_FWD, params, &empty));
    if (!grad) return FAIL(&cx, HACT_ERR_INVALID_ARGUMENT, "%s is NULL", "grad");
    if (where == HACTI_ON_CUDA) {
        /* grad is device memory there: zeros are queued on the stream, like the sums */
        if (!learnable || empty) return hacti_cuda_zero_grad(&cx.c, grad, stream);
        return execute_on_cuda(&cx, grad);
    }
    double sums[HACT_MAX_LEARNABLE] = {0};
    if (learnable && !empty) TRY(execute(&cx, sums));
    hacti_pgrad_result(op, sums, grad);
    return HACT_OK;
}

hact_status hact_forward_tensor(hact_op op, const hact_tensor *x, const hact_tensor *y,
                                const hact_params *params) {
    return forward_tensor(HACTI_ON_CPU, NULL, op, x, y, params);
}
hact_status hact_backward_tensor(hact_op op, const hact_tensor *x, const hact_tensor *dy,
                                 const hact_tensor *dx, const hact_params *params) {
    return backward_tensor(HACTI_ON_CPU, NULL, op, x, dy, dx, params);
}
hact_status hact_backward_params_tensor(hact_op op, const hact_tensor *x, const hact_tensor *dy,
                                        const hact_params *params, hact_params *grad) {
    return backward_params_tensor(HACTI_ON_CPU, NULL, op, x, dy, params, grad);
}
hact_status hact_cuda_forward_tensor(hact_op op, const hact_tensor *x, const hact_tensor *y,
                                     const hact_params *params, void *stream) {
    return forward_tensor(HACTI_ON_CUDA, stream, op, x, y, params);
}
hact_status hact_cuda_backward_tensor(hact_op op, const hact_tensor *x, const hact_tensor *dy,
                                      const hact_tensor *dx, const hact_params *params, void *stream) {
    return backward_tensor(HACTI_ON_CUDA, stream, op, x, dy, dx, params);
}
hact_status hact_cuda_backward_params_tensor(hact_op op, const hact_tensor *x, const hact_tensor *dy,
                                             const hact_params *params, hact_params *grad, void *stream) {
    return backward_params_tensor(HACTI_ON_CUDA, stream, op, x, dy, params, grad);
}

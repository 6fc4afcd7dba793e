/* Declarations shared by the runtime's C files. Internal names start with hacti_; the packaging
 * step (runtime/CMakeLists.txt) keeps only hact_* symbols global in libhact.a. */
#ifndef HACT_INTERNAL_H
#define HACT_INTERNAL_H

#include <stddef.h>

/* C++ tests include this file inside extern "C"; HalideRuntime.h has C++ templates. */
#ifdef __cplusplus
extern "C++" {
#endif
#include "HalideRuntime.h"
#ifdef __cplusplus
}
#endif

#include "hact/hact.h"
#include "kernel_abi.h"

struct halide_buffer_t;

/* Kernel directions, as named in generated kernel names (hk_<op>_<dir>_<dtype>_<isa>). */
typedef enum hacti_dir { HACTI_FWD = 0, HACTI_BWD = 1, HACTI_PGRAD = 2, HACTI_NUM_DIRS = 3 } hacti_dir;

#define HACTI_NUM_DTYPES 4
#define HACTI_MAX_ISA HACT_ISA_LAST

#define HACTI_P HACTI_PF, HACTI_PF, HACTI_PF, HACTI_PF, HACTI_PF, HACTI_PF, HACTI_PF
#define HACTI_PF float
typedef int (*hacti_fwd_fn)(struct halide_buffer_t *x, HACTI_P, struct halide_buffer_t *y);
typedef int (*hacti_bwd_fn)(struct halide_buffer_t *x, struct halide_buffer_t *dy, HACTI_P,
                            struct halide_buffer_t *dx);
typedef int (*hacti_pgrad_fn)(struct halide_buffer_t *x, struct halide_buffer_t *dy, HACTI_P,
                              struct halide_buffer_t *partial);

/* One-time initialisation (CPU detection, HACT_MAX_ISA, Halide error handler); idempotent. */
void hacti_init(void);

/* errors.c: record a failure for hact_last_error() and return its status. */
hact_status hacti_fail(hact_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void hacti_clear_kernel_message(void);
const char *hacti_kernel_message(void); /* last message from the Halide runtime on this thread */

/* cpu_features.c: bit (1 << isa) set for every ISA this CPU and OS can run. */
unsigned hacti_cpu_isa_mask(void);

/* dispatch.c: the kernel for op x dtype x dir on the current ISA (NULL if none is built);
 * *isa_used gets the variant chosen. */
void *hacti_find_kernel(hact_op op, hact_dtype dtype, hacti_dir dir, hact_isa *isa_used);
/* 1 if any ISA variant of this kernel is built. */
int hacti_kernel_built(hact_op op, hact_dtype dtype, hacti_dir dir);
unsigned hacti_built_isa_mask(void);
/* 1 if this build has CUDA kernels (HACT_CUDA=ON), else 0. */
int hacti_cuda_built(void);

/* api.c: argument checks shared by the CPU and CUDA entry points. Each returns HACT_OK or
 * records a message naming the entry point (hact_<api><dir>) and returns the failure. */
typedef enum hacti_where { HACTI_ON_CPU, HACTI_ON_CUDA } hacti_where;
typedef struct hacti_call {
    hact_op op;       /* for GLU calls: the gate */
    hact_dtype dtype;
    hacti_dir dir;
    char entry[40];   /* the entry point, for messages: "hact_cuda_backward" */
    const char *name; /* what it was called for: the op's or the GLU kind's name */
    void *kernel;
    float p[HACT_NUM_PARAMS];
} hacti_call;
void hacti_name_call(hacti_call *c, const char *entry_prefix, const char *entry, const char *subject);
hact_status hacti_check_dtype(const hacti_call *c, hact_dtype dtype);
hact_status hacti_check_params(hacti_call *c, hact_op op, const hact_params *params);
const char *hacti_dtype_name(hact_dtype dtype);
struct halide_type_t hacti_halide_type(hact_dtype dtype); /* the Halide type of the storage */
size_t hacti_first_nonfinite(const void *data, size_t n, hact_dtype dtype); /* or n if none */
/* what: the entry point's name after "hact_" / "hact_cuda_" (NULL: the direction's). */
hact_status hacti_check_call(hacti_call *c, hacti_where where, const char *what, hact_op op,
                             hact_dtype dtype, hacti_dir dir, hacti_dir kernel_dir,
                             const hact_params *params);
/* The flat calls' arrays (n > 0): n within the limits, no NULL or misaligned pointer, outputs
 * apart from the inputs or exactly on them (in place). */
hact_status hacti_check_forward_arrays(const hacti_call *c, const void *x, const void *y, size_t n);
hact_status hacti_check_backward_arrays(const hacti_call *c, const void *x, const void *dy, const void *dx,
                                        size_t n);
/* The kernel over n dense elements (chunked), arguments already checked; in place as the flat
 * entry points allow (y == x; dx == x and/or dx == dy). */
hact_status hacti_run_forward(const hacti_call *c, const void *x, void *y, size_t n);
hact_status hacti_run_backward(const hacti_call *c, const void *x, const void *dy, void *dx, size_t n);
/* sums[j] += sum of dy * df/dp_j over n elements, j over the op's learnable parameters (at least
 * one); hacti_pgrad_result rounds the sums once into grad (other fields 0). */
hact_status hacti_run_pgrad(const hacti_call *c, const void *x, const void *dy, size_t n, double *sums);
void hacti_pgrad_result(hact_op op, const double *sums, hact_params *grad);

/* tensor.c: how the last hact_*_tensor call ran (process-wide, for tests; recorded only after
 * hacti_tensor_record_paths(1)): nothing to compute or failed, one flat kernel call, one call per
 * contiguous row, gathered blocks, gathered tiles. */
enum { HACTI_PATH_NONE = 0, HACTI_PATH_FLAT = 1, HACTI_PATH_ROWS = 2, HACTI_PATH_BLOCKS = 3, HACTI_PATH_TILES = 4 };
int hacti_tensor_last_path(void);
void hacti_tensor_record_paths(int on);
/* ptr is not NULL and aligned to the call's dtype (hacti_check_pointer), or to element_bytes: the
 * float32 arrays every dtype shares (gradients, PReLU's dweight). */
hact_status hacti_check_pointer(const hacti_call *c, const void *ptr, const char *arg);
hact_status hacti_check_aligned(const hacti_call *c, const void *ptr, const char *arg, size_t element_bytes);
hact_status hacti_check_overlap(const hacti_call *c, const void *a, const char *an, const void *b,
                                const char *bn, size_t n);
hact_status hacti_check_size(const hacti_call *c, size_t n);
hact_status hacti_kernel_failed(const hacti_call *c, int rc);
const char *hacti_dir_name(hacti_dir dir);
size_t hacti_dtype_size(hact_dtype dtype);
#define HACTI_ARGS(c) (c).p[0], (c).p[1], (c).p[2], (c).p[3], (c).p[4], (c).p[5], (c).p[6]
#define HACTI_TRY(expr)               \
    do {                              \
        hact_status s_ = (expr);      \
        if (s_ != HACT_OK) return s_; \
    } while (0)

/* GLU kernels: forward (a, b, p, out) and backward (a, b, dy, p, da, db), 2-D buffers; on CUDA
 * with a user_context first. */
typedef enum hacti_glu_dir { HACTI_GLU_FWD = 0, HACTI_GLU_BWD = 1 } hacti_glu_dir;
typedef int (*hacti_glufwd_fn)(struct halide_buffer_t *a, struct halide_buffer_t *b, HACTI_P,
                               struct halide_buffer_t *out);
typedef int (*hacti_glubwd_fn)(struct halide_buffer_t *a, struct halide_buffer_t *b,
                               struct halide_buffer_t *dy, HACTI_P, struct halide_buffer_t *da,
                               struct halide_buffer_t *db);
void *hacti_find_glu_kernel(hact_glu kind, hact_dtype dtype, hacti_glu_dir dir, hacti_where where);
/* A 2-D operand of a GLU call: row r starts stride elements after row r - 1. */
typedef struct hacti_plane {
    const void *base;
    size_t stride;
    const char *name;
} hacti_plane;
/* cuda.c: c->kernel (a CUDA GLU kernel) over rows x len elements, the planes the inputs and then
 * the outputs (3 forward, 5 backward), their arguments and aliasing already checked; on the
 * caller's context and stream. Each plane must be CUDA device memory that holds its rows. In a
 * build without CUDA kernels (c->kernel NULL) it reports HACT_ERR_DEVICE_UNAVAILABLE: every
 * argument error is found first, with or without a device. */
hact_status hacti_cuda_run_glu(const hacti_call *c, size_t rows, size_t len, const hacti_plane *planes,
                               int nplanes, void *stream);

/* Per-channel kernels (prelu's weight[c]) over 2-D blocks of [outer, channels, inner]:
 * forward (x, weight, channels, first_row, y), backward (x, dy, weight, channels, first_row, dx),
 * weight gradient (x, dy, weight, channels, first_row, exact, sums in double; exact = 0 sums
 * float32 products, which overflow past 3.4e38: prelu.c sums again with exact = 1 where a sum is
 * not finite). Two layouts
 * (generators/activation_generator.cpp, WeightOf): HACTI_CH_* take rows of inner elements, row r
 * of channel (first_row + r) % channels, and give one sum per row; HACTI_COL_* take rows holding
 * whole channel x inner blocks with weight[i] for column i (channels, first_row unused), and give
 * one sum per column. */
typedef enum hacti_channel_dir {
    HACTI_CH_FWD,
    HACTI_CH_BWD,
    HACTI_CH_WGRAD,
    HACTI_COL_FWD,
    HACTI_COL_BWD,
    HACTI_COL_WGRAD,
    HACTI_CH_BWD_WGRAD, /* rows: dx and the fast row sums in one pass (x, dy, w, channels, first_row, dx, sums) */
    HACTI_CH_WGRAD_TOTAL, /* CUDA: the weight gradient reduced on the device (runtime/cuda.c) */
    HACTI_NUM_CHANNEL_DIRS
} hacti_channel_dir;
typedef int (*hacti_chfwd_fn)(struct halide_buffer_t *x, struct halide_buffer_t *w, int channels,
                              int first_row, struct halide_buffer_t *y);
typedef int (*hacti_chbwd_fn)(struct halide_buffer_t *x, struct halide_buffer_t *dy, struct halide_buffer_t *w,
                              int channels, int first_row, struct halide_buffer_t *out);
typedef int (*hacti_chwgrad_fn)(struct halide_buffer_t *x, struct halide_buffer_t *dy, struct halide_buffer_t *w,
                                int channels, int first_row, int exact, struct halide_buffer_t *sums);
typedef int (*hacti_chbwdwgrad_fn)(struct halide_buffer_t *x, struct halide_buffer_t *dy, struct halide_buffer_t *w,
                                   int channels, int first_row, struct halide_buffer_t *dx,
                                   struct halide_buffer_t *sums);
void *hacti_find_channel_kernel(hact_op op, hact_dtype dtype, hacti_channel_dir dir, hacti_where where);
/* prelu.c: for tests, the layout of every hact_prelu_* call: 0 = chosen by shape (default). */
enum { HACTI_PRELU_ROWS = 1, HACTI_PRELU_COLUMNS = 2 };
void hacti_set_prelu_layout(int layout);

/* rows.c: calls fn over blocks of a rows x len problem whose operands' rows are up to max_stride
 * elements apart, each block [r0, r0 + rc) x [l0, l0 + lc) small enough for one kernel call
 * (extents and index span within hacti_max_chunk(); at most max_rows rows). */
typedef hact_status (*hacti_block_fn)(void *ctx, size_t r0, size_t rc, size_t l0, size_t lc);
hact_status hacti_for_blocks(size_t rows, size_t len, size_t max_stride, size_t max_rows,
                             hacti_block_fn fn, void *ctx);
/* The same blocks without holding Halide's thread pool (kernels that do not use it: CUDA). */
hact_status hacti_each_block(size_t rows, size_t len, size_t max_stride, size_t max_rows,
                             hacti_block_fn fn, void *ctx);

/* rows.c: a strided layout (nd >= 1 dimensions, outermost first; n <= HACTI_DEVICE_OPERANDS operands'
 * strides in elements) as device kernel calls of at most HACT_DEVICE_DIMS dimensions: the
 * innermost dimensions that fit one call whole (element count, every stride and every operand's
 * offset span within hacti_max_chunk()), the outer ones looped, an innermost dimension too long
 * for one call taken in pieces. fn gets each call in order; first is set on the first only; a
 * layout without elements (an extent of 0) makes no call. */
#define HACTI_DEVICE_OPERANDS 3
typedef struct hacti_device_call {
    int nd;                                               /* 1..HACT_DEVICE_DIMS, innermost first */
    int32_t extent[HACT_DEVICE_DIMS];
    int32_t stride[HACTI_DEVICE_OPERANDS][HACT_DEVICE_DIMS]; /* per operand, in elements */
    int64_t offset[HACTI_DEVICE_OPERANDS];                   /* of the call's first element */
    int first;
} hacti_device_call;
typedef hact_status (*hacti_device_call_fn)(void *ctx, const hacti_device_call *call);
hact_status hacti_each_device_call(int nd, const int64_t *shape, int n, const int64_t (*strides)[HACT_TENSOR_MAX_NDIM],
                                   hacti_device_call_fn fn, void *ctx);

/* The 2-D buffer of block [r0, r0 + rc) x [l0, l0 + lc) of an operand whose rows start stride
 * elements apart. */
struct halide_dimension_t;
void hacti_block_buffer(struct halide_buffer_t *buf, struct halide_dimension_t *dims, const void *base,
                        size_t stride, size_t r0, size_t rc, size_t l0, size_t lc, hact_dtype dtype);

/* cuda.c, for the flat and the strided CUDA entry points (their arguments checked): c's kernel
 * (forward, backward or parameter gradients) over an nd-dimensional layout (nd >= 1, outermost
 * dimension first): shape[d] elements; operand k's element (i_0, ..., i_{nd-1}) at base[k] +
 * sum of i_d strides[k][d] elements (any sign). Operands: forward (y, x), backward (dx, x, dy),
 * parameter gradients (x, dy, with grad: device memory that gets the hact_params). Checks that
 * every operand lies in one device allocation (names for the messages), then queues the kernels
 * on stream. */
hact_status hacti_cuda_run_layout(const hacti_call *c, int nd, const int64_t *shape, int n,
                                  const int64_t (*strides)[HACT_TENSOR_MAX_NDIM], char *const *base,
                                  const char *const *names, hact_params *grad, void *stream);
/* cuda.c: zeros into the device hact_params grad (learnable fields of an empty call, or an op
 * without any), queued on stream; and whether a CUDA call can run at all (calls with nothing to
 * compute still report a missing device). */
hact_status hacti_cuda_zero_grad(const hacti_call *c, hact_params *grad, void *stream);
/* cuda.c: per-channel PReLU over [outer, channels, inner] on the device, arguments checked:
 * forward (dy NULL: y = out) or backward (dx = out), and with dweight (float32 [channels]) the
 * weight gradient, reduced on the device before dx is written (dx may be x or dy). With no
 * elements (x NULL) it only zeroes dweight. */
hact_status hacti_cuda_run_prelu(const hacti_call *c, const void *x, const void *weight, const void *dy, void *out,
                                 void *dweight, size_t outer, size_t channels, size_t inner, void *stream);
hact_status hacti_cuda_ready(const hacti_call *c, void *stream);

/* dispatch.c: the CUDA kernel of op x dtype x dir, or NULL if this build has none. */
void *hacti_find_device_kernel(hact_op op, hact_dtype dtype, hacti_dir dir);

/* dispatch.c: calls of at least HACTI_POOL_MIN_ELEMENTS elements (the lowest parallel threshold
 * of the kernels, kernel_abi.h) may run on Halide's thread pool; they hold the pool shared
 * between hacti_pool_enter (returns whether it took it) and hacti_pool_leave, so that
 * hact_set_num_threads never restarts the pool under them. */
#define HACTI_POOL_MIN_ELEMENTS ((size_t)HACT_POOL_MIN_ELEMENTS)
int hacti_pool_enter(size_t elements);
void hacti_pool_leave(int entered);
/* pool.c: hact's pool behind halide_do_par_for (hacti_init installs it); stopping its workers
 * makes the next parallel call start hact_get_num_threads() - 1 of them. */
int hacti_do_par_for(void *user_context, halide_task_t fn, int min, int size, uint8_t *closure);
void hacti_pool_stop_workers(void);
/* Which pool runs the kernels' parallel loops: hact's (default) or Halide's (HACT_POOL=halide,
 * read once at init; tests and bench/bench_pool.cpp switch between calls). */
typedef enum hacti_pool_kind { HACTI_POOL_HACT, HACTI_POOL_HALIDE } hacti_pool_kind;
void hacti_select_pool(hacti_pool_kind kind);
hacti_pool_kind hacti_selected_pool(void);
/* HACT_POOL_SPIN_US's value in microseconds, or -1 where it is not a valid one. */
int64_t hacti_parse_spin_us(const char *env);

/* The greatest common divisor (gcd(a, 0) = a; the sign follows C's %). */
static inline int64_t hacti_gcd(int64_t a, int64_t b) {
    while (b) {
        const int64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* api.c: the largest element count one kernel call takes (Halide extents are int32). Tests lower
 * it to exercise the chunking without allocating 2^31 elements. 0 restores the default. */
void hacti_set_max_chunk(size_t elements);
size_t hacti_max_chunk(void);

#endif

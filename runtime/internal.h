/* Declarations shared by the runtime's C files. Internal names start with hacti_; the packaging
 * step (runtime/CMakeLists.txt) keeps only hact_* symbols global in libhact.a. */
#ifndef HACT_INTERNAL_H
#define HACT_INTERNAL_H

#include <stddef.h>

#include "hact/hact.h"
#include "kernel_abi.h"

struct halide_buffer_t;

/* Kernel directions, as named in generated kernel names (hk_<op>_<dir>_<dtype>_<isa>). */
typedef enum hacti_dir { HACTI_FWD = 0, HACTI_BWD = 1, HACTI_PGRAD = 2, HACTI_NUM_DIRS = 3 } hacti_dir;

#define HACTI_NUM_DTYPES 4
#define HACTI_MAX_ISA HACT_ISA_AVX512

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

/* api.c: a checked call (op, dtype, parameters, the kernel of the current ISA), and the kernel
 * loops the entry points share. `what` names the entry point in messages ("hact_<what>(op): ...";
 * NULL: the direction's name). */
typedef struct hacti_call {
    hact_op op;
    hact_dtype dtype;
    hacti_dir dir;
    const char *what;
    void *kernel;
    float p[HACT_NUM_PARAMS];
} hacti_call;
hact_status hacti_check_call(hacti_call *c, const char *what, hact_op op, hact_dtype dtype,
                             hacti_dir dir, hacti_dir kernel_dir, const hact_params *params);
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

/* api.c: the largest element count one kernel call takes (Halide extents are int32). Tests lower
 * it to exercise the chunking without allocating 2^31 elements. 0 restores the default. */
void hacti_set_max_chunk(size_t elements);
size_t hacti_max_chunk(void);

#endif

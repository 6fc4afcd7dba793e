/* The dispatch table, expanded from the build's list of generated kernels (hact_kernels.inc,
 * written by generators/CMakeLists.txt from the registry), and the choice of ISA variant. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "HalideRuntime.h"
#include "internal.h"

/* Names used in kernel names -> enum values. */
#define HACTI_ISA_x86_64 HACT_ISA_X86_64
#define HACTI_ISA_avx2 HACT_ISA_AVX2
#define HACTI_ISA_avx512 HACT_ISA_AVX512
#define HACTI_ISA_neon HACT_ISA_NEON
#define HACTI_ISA_neon_fp16 HACT_ISA_NEON_FP16
#define HACTI_DT_f32 HACT_F32
#define HACTI_DT_f16 HACT_F16
#define HACTI_DT_bf16 HACT_BF16
#define HACTI_DT_f64 HACT_F64
#define HACTI_DIR_fwd HACTI_FWD
#define HACTI_DIR_bwd HACTI_BWD
#define HACTI_DIR_pgrad HACTI_PGRAD
#define HACTI_FN_fwd hacti_fwd_fn
#define HACTI_FN_bwd hacti_bwd_fn
#define HACTI_FN_pgrad hacti_pgrad_fn

/* Prototypes of the generated functions (the signature follows from the direction). */
#define HACTI_PROTO_fwd(name) int name(struct halide_buffer_t *, HACTI_P, struct halide_buffer_t *);
#define HACTI_PROTO_bwd(name) \
    int name(struct halide_buffer_t *, struct halide_buffer_t *, HACTI_P, struct halide_buffer_t *);
#define HACTI_PROTO_pgrad HACTI_PROTO_bwd
/* Device kernels take a user_context first (their prototypes do not matter here: they are
 * stored as void * and called through the function types in internal.h). */
#define HACTI_DEVICE_PROTO(name) int name(void);
#define HACT_KERNEL(op, dir, dtype, isa) HACTI_PROTO_##dir(hk_##op##_##dir##_##dtype##_##isa)
#define HACT_DEVICE_KERNEL(op, dir, dtype, device) HACTI_DEVICE_PROTO(hk_##op##_##dir##_##dtype##_##device)
#define HACT_GLU_KERNEL(glu, dir, dtype, isa) HACTI_DEVICE_PROTO(hk_##glu##_##dir##_##dtype##_##isa)
#define HACT_CHANNEL_KERNEL(op, dir, dtype, isa) HACTI_DEVICE_PROTO(hk_##op##_##dir##_##dtype##_##isa)
#include "hact_kernels.inc"
#undef HACT_KERNEL
#undef HACT_DEVICE_KERNEL
#undef HACT_GLU_KERNEL
#undef HACT_CHANNEL_KERNEL

static void *const kernels[hact_op_count_][HACTI_NUM_DTYPES][HACTI_NUM_DIRS][HACTI_MAX_ISA + 2] = {
#define HACT_KERNEL(op, dir, dtype, isa) \
    [hact_op_##op][HACTI_DT_##dtype][HACTI_DIR_##dir][HACTI_ISA_##isa] = (void *)hk_##op##_##dir##_##dtype##_##isa,
#include "hact_kernels.inc"
#undef HACT_KERNEL
};

/* CUDA is the only device family so far: one kernel per op x dtype x dir. */
static void *const cuda_kernels[hact_op_count_][HACTI_NUM_DTYPES][HACTI_NUM_DIRS] = {
#define HACT_DEVICE_KERNEL(op, dir, dtype, device) \
    [hact_op_##op][HACTI_DT_##dtype][HACTI_DIR_##dir] = (void *)hk_##op##_##dir##_##dtype##_##device,
#include "hact_kernels.inc"
#undef HACT_DEVICE_KERNEL
};

void *hacti_find_device_kernel(hact_op op, hact_dtype dtype, hacti_dir dir) {
    return cuda_kernels[op][dtype][dir];
}

static int best_runnable(void *const slots[HACTI_MAX_ISA + 2]);

/* The GLU family's kernels: the ISA variants, and the CUDA one in the slot after them. */
#define HACTI_GDIR_glufwd HACTI_GLU_FWD
#define HACTI_GDIR_glubwd HACTI_GLU_BWD
#define HACTI_SLOT_x86_64 HACT_ISA_X86_64
#define HACTI_SLOT_avx2 HACT_ISA_AVX2
#define HACTI_SLOT_avx512 HACT_ISA_AVX512
#define HACTI_SLOT_neon HACT_ISA_NEON
#define HACTI_SLOT_neon_fp16 HACT_ISA_NEON_FP16
#define HACTI_SLOT_cuda (HACTI_MAX_ISA + 1)
static void *const glu_kernels[hact_glu_count_][HACTI_NUM_DTYPES][2][HACTI_MAX_ISA + 2] = {
#define HACT_GLU_KERNEL(glu, dir, dtype, isa) \
    [hact_glu_##glu][HACTI_DT_##dtype][HACTI_GDIR_##dir][HACTI_SLOT_##isa] = (void *)hk_##glu##_##dir##_##dtype##_##isa,
#include "hact_kernels.inc"
#undef HACT_GLU_KERNEL
};

/* Per-channel kernels (hact_prelu_*): the CPU variants, and the CUDA one in the slot after them. */
#define HACTI_CDIR_chfwd HACTI_CH_FWD
#define HACTI_CDIR_chbwd HACTI_CH_BWD
#define HACTI_CDIR_chwgrad HACTI_CH_WGRAD
#define HACTI_CDIR_colfwd HACTI_COL_FWD
#define HACTI_CDIR_colbwd HACTI_COL_BWD
#define HACTI_CDIR_colwgrad HACTI_COL_WGRAD
#define HACTI_CDIR_chbwdwgrad HACTI_CH_BWD_WGRAD
#define HACTI_CDIR_chwgradtotal HACTI_CH_WGRAD_TOTAL
static void *const channel_kernels[hact_op_count_][HACTI_NUM_DTYPES][HACTI_NUM_CHANNEL_DIRS][HACTI_MAX_ISA + 2] = {
#define HACT_CHANNEL_KERNEL(op, dir, dtype, isa) \
    [hact_op_##op][HACTI_DT_##dtype][HACTI_CDIR_##dir][HACTI_SLOT_##isa] = (void *)hk_##op##_##dir##_##dtype##_##isa,
#include "hact_kernels.inc"
#undef HACT_CHANNEL_KERNEL
};

void *hacti_find_channel_kernel(hact_op op, hact_dtype dtype, hacti_channel_dir dir, hacti_where where) {
    hacti_init();
    void *const *slots = channel_kernels[op][dtype][dir];
    if (where == HACTI_ON_CUDA) return slots[HACTI_SLOT_cuda];
    const int isa = best_runnable(slots);
    return isa ? slots[isa] : NULL;
}


void *hacti_find_glu_kernel(hact_glu kind, hact_dtype dtype, hacti_glu_dir dir, hacti_where where) {
    hacti_init();
    void *const *slots = glu_kernels[kind][dtype][dir];
    if (where == HACTI_ON_CUDA) return slots[HACTI_SLOT_cuda];
    const int isa = best_runnable(slots);
    return isa ? slots[isa] : NULL;
}

static const unsigned built_isas = 0
#define HACT_BUILT_ISA(isa) | (1u << HACTI_ISA_##isa)
#define HACT_BUILT_DEVICE(device)
#include "hact_isas.inc"
#undef HACT_BUILT_ISA
#undef HACT_BUILT_DEVICE
    ;

/* How many device variants (cuda) this build generated: 0 with HACT_CUDA=OFF. */
static const int built_devices = 0
#define HACT_BUILT_ISA(isa)
#define HACT_BUILT_DEVICE(device) + 1
#include "hact_isas.inc"
#undef HACT_BUILT_ISA
#undef HACT_BUILT_DEVICE
    ;

int hacti_cuda_built(void) { return built_devices > 0; }

static unsigned runnable_isas;       /* built and supported by this CPU; set once */
static atomic_int max_isa = HACTI_MAX_ISA;
static atomic_int current_isa = 0;   /* best runnable variant at or below max_isa */
static atomic_int num_threads = 0;   /* 0: Halide's default (HL_NUM_THREADS or one per core) */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

void hacti_halide_error(void *user_context, const char *msg);

static int best_isa_at_or_below(int cap) {
    for (int isa = cap; isa > 0; --isa) {
        if (runnable_isas & (1u << isa)) return isa;
    }
    return 0;
}

static void init(void) {
    runnable_isas = built_isas & hacti_cpu_isa_mask();
    halide_set_error_handler(hacti_halide_error);
    /* HACT_POOL=halide keeps Halide's own pool (an opt-out, and the baseline of
     * bench/bench_pool.cpp); any other value, hact's. */
    const char *pool = getenv("HACT_POOL");
    hacti_select_pool(pool && strcmp(pool, "halide") == 0 ? HACTI_POOL_HALIDE : HACTI_POOL_HACT);
    const char *cap = getenv("HACT_MAX_ISA");
    hact_isa isa;
    /* An unknown name in the environment is ignored: there is no caller to report it to. */
    if (cap && *cap && hact_isa_from_name(cap, &isa) == HACT_OK) atomic_store(&max_isa, (int)isa);
    atomic_store(&current_isa, best_isa_at_or_below(atomic_load(&max_isa)));
}

void hacti_init(void) { pthread_once(&init_once, init); }

unsigned hacti_built_isa_mask(void) { return built_isas; }

/* 0 if nothing runs: no kernels for this CPU. */
hact_isa hact_get_isa(void) {
    hacti_init();
    return (hact_isa)atomic_load(&current_isa);
}

/* The best variant at or below the current cap that is built (non-NULL) and runs here; 0 if none. */
static int best_runnable(void *const slots[HACTI_MAX_ISA + 2]) {
    for (int isa = atomic_load(&current_isa); isa > 0; --isa) {
        if ((runnable_isas & (1u << isa)) && slots[isa]) return isa;
    }
    return 0;
}

void *hacti_find_kernel(hact_op op, hact_dtype dtype, hacti_dir dir, hact_isa *isa_used) {
    hacti_init();
    void *const *slots = kernels[op][dtype][dir];
    const int isa = best_runnable(slots);
    if (isa && isa_used) *isa_used = (hact_isa)isa;
    return isa ? slots[isa] : NULL;
}

int hacti_kernel_built(hact_op op, hact_dtype dtype, hacti_dir dir) {
    for (int isa = 0; isa <= HACTI_MAX_ISA; ++isa) {
        if (kernels[op][dtype][dir][isa]) return 1;
    }
    return 0;
}

static const char *const isa_names[HACTI_MAX_ISA + 1] = {
    [HACT_ISA_X86_64] = "x86_64", [HACT_ISA_AVX2] = "avx2", [HACT_ISA_AVX512] = "avx512",
    [HACT_ISA_NEON] = "neon", [HACT_ISA_NEON_FP16] = "neon_fp16"};

const char *hact_isa_name(hact_isa isa) {
    return (isa > 0 && isa <= HACTI_MAX_ISA) ? isa_names[isa] : NULL;
}

hact_status hact_isa_from_name(const char *name, hact_isa *isa) {
    if (!name || !isa) return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "hact_isa_from_name: NULL argument");
    for (int i = 1; i <= HACTI_MAX_ISA; ++i) {
        if (strcmp(name, isa_names[i]) == 0) {
            *isa = (hact_isa)i;
            return HACT_OK;
        }
    }
    return hacti_fail(HACT_ERR_INVALID_ARGUMENT,
                      "unknown ISA name '%s' (known: x86_64, avx2, avx512, neon, neon_fp16)", name);
}

int hact_isa_available(hact_isa isa) {
    hacti_init();
    return isa > 0 && isa <= HACTI_MAX_ISA && (runnable_isas & (1u << isa)) != 0;
}

hact_status hact_set_max_isa(hact_isa isa) {
    hacti_init();
    if (isa <= 0 || isa > HACTI_MAX_ISA)
        return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "hact_set_max_isa: %d is not a hact_isa", (int)isa);
    if ((runnable_isas & ((2u << isa) - 1)) == 0)
        return hacti_fail(HACT_ERR_UNSUPPORTED,
                          "hact_set_max_isa(%s): no variant at or below it runs on this CPU",
                          isa_names[isa]);
    atomic_store(&max_isa, (int)isa);
    atomic_store(&current_isa, best_isa_at_or_below(isa));
    return HACT_OK;
}

/* Calls that may use Halide's thread pool hold this shared; hact_set_num_threads holds it
 * exclusively while it restarts the pool (Halide's pool must not be shut down under a running
 * pipeline). glibc's default rwlock prefers readers, so pool workers that take it again while
 * their caller holds it (strided tasks) never wait for a pending writer. */
static pthread_rwlock_t pool_lock = PTHREAD_RWLOCK_INITIALIZER;

int hacti_pool_enter(size_t elements) {
    if (elements < HACTI_POOL_MIN_ELEMENTS) return 0;
    pthread_rwlock_rdlock(&pool_lock);
    return 1;
}
void hacti_pool_leave(int entered) {
    if (entered) pthread_rwlock_unlock(&pool_lock);
}

hact_status hact_set_num_threads(int n) {
    hacti_init();
    if (n < 0) return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "hact_set_num_threads: %d < 0", n);
    /* Halide's pool only wakes fewer workers when the count drops; workers already running keep
     * taking tasks (measured: 2 threads still ran after setting 1). Shutting the pool down makes
     * the next parallel call start exactly n. */
    pthread_rwlock_wrlock(&pool_lock);
    if (atomic_exchange(&num_threads, n) != n) halide_shutdown_thread_pool();
    halide_set_num_threads(n);
    hacti_pool_stop_workers();
    pthread_rwlock_unlock(&pool_lock);
    return HACT_OK;
}

int hact_get_num_threads(void) {
    int n = atomic_load(&num_threads);
    if (n > 0) return n;
    /* Halide's default: HL_NUM_THREADS, else the number of online cores. */
    const char *env = getenv("HL_NUM_THREADS");
    if (env && atoi(env) > 0) return atoi(env);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 1;
}

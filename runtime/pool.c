/* hact's thread pool behind halide_do_par_for (installed with halide_set_custom_do_par_for).
 *
 * Why not Halide's own pool: its workers sleep on a condition variable as soon as the job stack
 * is empty, so every parallel call pays a futex wake-up and the caller a futex wait, and every
 * task is claimed under one mutex. Measured on 2 cores: ~1.9 us per call, where the 2-thread
 * split of a 32K-element call saves 1.2-5 us; OpenMP runtimes (oneDNN's) spin instead.
 *
 * Here the workers spin for a while (100 us, HACT_POOL_SPIN_US) after each job before they
 * sleep, tasks are claimed with one atomic add, and the caller runs tasks too. One job runs at a time: a call
 * that finds the pool busy (another application thread, or a task that itself calls a parallel
 * kernel) runs on Halide's default pool instead, which handles both.
 *
 * Joining a job: pool.state holds epoch << 32 | closed << 31 | workers in the job. The caller
 * publishes a job by starting a new epoch (open, none in it); a worker joins with a CAS that
 * counts it in while the job is open and still that epoch; the caller, out of tasks, closes the
 * job and waits until the count is back to 0. A worker that comes late finds the job closed and
 * never touches it, so the caller waits only for workers that actually run tasks, never for a
 * sleeping or descheduled one (and a forked child, which has no workers, runs everything
 * itself). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "HalideRuntime.h"
#include "internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif

enum {
    kMaxWorkers = 255,
    /* How long an idle worker spins before it sleeps: long enough to bridge the gap between
     * back-to-back calls (a framework running layer after layer), short next to a time slice.
     * HACT_POOL_SPIN_US overrides it (0: sleep at once, as OMP_WAIT_POLICY=passive does). */
    kDefaultSpinUs = 100,
    kMaxSpinUs = 1000 * 1000,
};
#define CLOSED ((uint64_t)1 << 31)
#define ACTIVE_MASK (CLOSED - 1)

typedef struct job {
    halide_task_t fn;
    void *user_context;
    uint8_t *closure;
    int min, size;
    int parts;         /* the tasks are split into this many contiguous ranges, one per thread */
    atomic_int status; /* the first nonzero task result */
} job;

/* The next task of each range, on a cache line of its own (claimed by its owner, and by the
 * others once they have run out). */
typedef struct {
    _Alignas(64) atomic_int next;
    int end;
} range;

static struct {
    atomic_flag busy;        /* held by the call that owns the job */
    _Atomic uint64_t state;  /* see above */
    job job;
    range ranges[kMaxWorkers + 1];
    atomic_int sleepers;
    atomic_bool shutdown;
    pthread_mutex_t mutex;   /* guards sleeping and waking only */
    pthread_cond_t wake;
    atomic_int wanted;       /* hact_get_num_threads(), cached; 0: not yet read */
    int workers;             /* started, changed only with busy held */
    int64_t spin_ns;         /* set before the first worker starts */
    pthread_t threads[kMaxWorkers];
} pool = {.busy = ATOMIC_FLAG_INIT, .mutex = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* Set while this thread runs tasks of the pool's job: a parallel call from inside a task must
 * not wait for the pool it is running on. */
static _Thread_local int in_task;

static uint32_t epoch_of(uint64_t s) { return (uint32_t)(s >> 32); }

/* Thread `slot` runs its own range first, front to back, then helps with the others': each
 * thread streams through contiguous memory (the hardware prefetcher keeps going from one task to
 * the next, and a range stays in the cache of the core that ran it last call), and a thread that
 * is late or descheduled holds nobody up. */
static void run_tasks(job *j, int slot) {
    in_task = 1;
    for (int k = 0; k < j->parts; ++k) {
        range *r = &pool.ranges[(slot + k) % j->parts];
        for (;;) {
            const int i = atomic_fetch_add_explicit(&r->next, 1, memory_order_relaxed);
            if (i >= r->end) break;
            const int rc = j->fn(j->user_context, j->min + i, j->closure);
            if (rc != 0) {
                int none = 0;
                atomic_compare_exchange_strong(&j->status, &none, rc);
                for (int q = 0; q < j->parts; ++q) /* no new tasks */
                    atomic_store_explicit(&pool.ranges[q].next, pool.ranges[q].end, memory_order_relaxed);
                in_task = 0;
                return;
            }
        }
    }
    in_task = 0;
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The state once its epoch differs from seen (or at shutdown): spinning first, then asleep. */
static uint64_t wait_for_job(uint32_t seen) {
    int64_t start = 0;
    for (unsigned spins = 1; pool.spin_ns > 0; ++spins) {
        const uint64_t s = atomic_load_explicit(&pool.state, memory_order_acquire);
        if (epoch_of(s) != seen || atomic_load_explicit(&pool.shutdown, memory_order_relaxed)) return s;
        cpu_relax();
        if (spins % 256 == 0) {
            if (!start) start = now_ns();
            else if (now_ns() - start > pool.spin_ns) break;
        }
    }
    /* Asleep. sleepers and state are sequentially consistent on both sides: either the caller
     * sees this sleeper (and broadcasts under the mutex, which this thread holds until it
     * waits), or this thread sees the caller's new epoch. */
    pthread_mutex_lock(&pool.mutex);
    atomic_fetch_add(&pool.sleepers, 1);
    uint64_t s;
    while (epoch_of(s = atomic_load(&pool.state)) == seen && !atomic_load(&pool.shutdown))
        pthread_cond_wait(&pool.wake, &pool.mutex);
    atomic_fetch_sub(&pool.sleepers, 1);
    pthread_mutex_unlock(&pool.mutex);
    return s;
}

static void *worker(void *arg) {
    uint32_t seen = (uint32_t)(uintptr_t)arg; /* the epoch when started */
    for (;;) {
        uint64_t s = wait_for_job(seen);
        if (atomic_load(&pool.shutdown)) return NULL;
        seen = epoch_of(s);
        while (!(s & CLOSED) && epoch_of(s) == seen) {
            if (atomic_compare_exchange_weak_explicit(&pool.state, &s, s + 1, memory_order_acquire,
                                                      memory_order_relaxed)) {
                run_tasks(&pool.job, (int)(s & ACTIVE_MASK) + 1);
                atomic_fetch_sub_explicit(&pool.state, 1, memory_order_release);
                break;
            }
        }
    }
}

/* A child process has none of the parent's workers (a call there runs every task itself, as no
 * worker joins); forget them, so that hact_set_num_threads does not wait for them. The pool's
 * mutex may have been held by a parent thread at the fork: a new one. */
static void forget_workers_after_fork(void) {
    pool.workers = 0;
    atomic_store(&pool.sleepers, 0);
    atomic_flag_clear(&pool.busy);
    pthread_mutex_init(&pool.mutex, NULL);
    pthread_cond_init(&pool.wake, NULL);
}
static void first_start(void) {
    pthread_atfork(NULL, NULL, forget_workers_after_fork);
    /* An invalid value in the environment is ignored (there is no caller to report it to). */
    const int64_t us = hacti_parse_spin_us(getenv("HACT_POOL_SPIN_US"));
    pool.spin_ns = (us < 0 ? kDefaultSpinUs : us) * 1000;
}

static _Atomic int selected = HACTI_POOL_HACT;
void hacti_select_pool(hacti_pool_kind kind) {
    selected = kind;
    halide_set_custom_do_par_for(kind == HACTI_POOL_HALIDE ? halide_default_do_par_for : hacti_do_par_for);
}
hacti_pool_kind hacti_selected_pool(void) { return selected; }

/* HACT_POOL_SPIN_US: microseconds in [0, kMaxSpinUs], or -1 where the value is not one (unset,
 * empty, negative, too large, trailing characters). */
int64_t hacti_parse_spin_us(const char *env) {
    if (!env || !*env) return -1;
    char *end;
    const long v = strtol(env, &end, 10);
    return *end == '\0' && v >= 0 && v <= kMaxSpinUs ? v : -1;
}

/* With busy held. Workers that fail to start are simply fewer workers. */
static void start_workers(int wanted) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, first_start);
    if (wanted > kMaxWorkers) wanted = kMaxWorkers;
    const uint32_t epoch = epoch_of(atomic_load(&pool.state));
    while (pool.workers < wanted &&
           pthread_create(&pool.threads[pool.workers], NULL, worker, (void *)(uintptr_t)epoch) == 0)
        ++pool.workers;
}

static void acquire(void) {
    while (atomic_flag_test_and_set_explicit(&pool.busy, memory_order_acquire)) cpu_relax();
}

/* Called by hact_set_num_threads with no call in flight: the next call starts the new count. */
void hacti_pool_stop_workers(void) {
    acquire();
    if (pool.workers) {
        pthread_mutex_lock(&pool.mutex);
        atomic_store(&pool.shutdown, 1);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.mutex);
        for (int i = 0; i < pool.workers; ++i) pthread_join(pool.threads[i], NULL);
        pool.workers = 0;
        atomic_store(&pool.shutdown, 0);
    }
    atomic_store(&pool.wanted, 0);
    atomic_flag_clear_explicit(&pool.busy, memory_order_release);
}

int hacti_do_par_for(void *user_context, halide_task_t fn, int min, int size, uint8_t *closure) {
    int threads = atomic_load_explicit(&pool.wanted, memory_order_relaxed);
    if (!threads) {
        /* At most kMaxWorkers + 1 threads (the caller and the workers), as Halide's pool caps at
         * 256: a job has a range per thread (set 400, or a 384-CPU machine's default, wrote past
         * ranges[] and hung the call). */
        threads = hact_get_num_threads();
        if (threads > kMaxWorkers + 1) threads = kMaxWorkers + 1;
        atomic_store_explicit(&pool.wanted, threads, memory_order_relaxed);
    }
    if (size <= 1 || threads <= 1) {
        for (int i = 0; i < size; ++i) {
            const int rc = fn(user_context, min + i, closure);
            if (rc != 0) return rc;
        }
        return 0;
    }
    if (in_task || atomic_flag_test_and_set_explicit(&pool.busy, memory_order_acquire))
        return halide_default_do_par_for(user_context, fn, min, size, closure);
    if (pool.workers < threads - 1) start_workers(threads - 1);
    job *j = &pool.job;
    j->fn = fn;
    j->user_context = user_context;
    j->closure = closure;
    j->min = min;
    j->size = size;
    j->parts = threads < size ? threads : size;
    for (int q = 0; q < j->parts; ++q) {
        atomic_store_explicit(&pool.ranges[q].next, (int)((int64_t)size * q / j->parts), memory_order_relaxed);
        pool.ranges[q].end = (int)((int64_t)size * (q + 1) / j->parts);
    }
    atomic_store_explicit(&j->status, 0, memory_order_relaxed);
    /* a new epoch, open, nobody in it (the last job ended with nobody in it) */
    atomic_store(&pool.state, (uint64_t)(epoch_of(atomic_load(&pool.state)) + 1) << 32);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.mutex);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.mutex);
    }
    run_tasks(j, 0);
    uint64_t s = atomic_fetch_or_explicit(&pool.state, CLOSED, memory_order_acq_rel) | CLOSED;
    while (s & ACTIVE_MASK) {
        cpu_relax();
        s = atomic_load_explicit(&pool.state, memory_order_acquire);
    }
    const int rc = atomic_load_explicit(&j->status, memory_order_relaxed);
    atomic_flag_clear_explicit(&pool.busy, memory_order_release);
    return rc;
}

/* Would non-temporal stores close the DRAM gap to oneDNN, and can hact's runtime add them?
 *
 * An ordinary store first reads its cache line (read for ownership): c = a + b beyond the
 * caches moves 16 bytes per float32 element, a non-temporal store (vmovntps) 12. Halide 21 has
 * no schedule for such stores (halide/Halide#9206 proposes Func::stream_stores()), so the only
 * place hact could put them is its C runtime: the kernel writing blocks into a buffer that stays
 * in L1, copied out with non-temporal stores. This times, in one process, interleaved, medians
 * of 9 runs, 32M float32 per stream, one thread:
 *   ordinary      c = a + b, 512-bit ordinary stores
 *   nt512, nt128  c = a + b, non-temporal stores in the loop (512- and 128-bit)
 *   block+ntN     a + b into an L1 buffer of BLOCK floats, then the buffer copied to c with
 *                 non-temporal stores: what a runtime-side copy-out would do
 *
 * AMD EPYC (Zen 4), 2026-12-06, ns per element (the machine shared; its bandwidth varied
 * between runs, the ratios within a run did not):
 *   ordinary 0.855, nt512 0.629, nt128 0.672, block+nt128 1.020, block+nt512 0.965 (BLOCK 4096);
 *   BLOCK 256: block+nt512 0.827; BLOCK 1024: 0.932.
 * Non-temporal stores in the loop: 1.27-1.36x. Through a buffer: slower than ordinary stores
 * at every block size. A runtime version (api.c writing every call beyond the L3 size through
 * 16 KB blocks, tried and reverted) measured 0.61-0.98x the ordinary path for relu, silu and
 * gelu, f32 and bf16, forward and backward. So this waits for Halide to emit the stores.
 *
 * Build and run (AVX-512 machine):
 *   cc -O2 -mavx512f -o /tmp/nt_store_copy experiments/nt_store_copy.c && /tmp/nt_store_copy
 */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { N = 32 << 20, RUNS = 9, BLOCK = 4096 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void ordinary(const float *a, const float *b, float *c) {
    for (size_t i = 0; i < N; i += 16)
        _mm512_store_ps(c + i, _mm512_add_ps(_mm512_load_ps(a + i), _mm512_load_ps(b + i)));
}
static void nt512(const float *a, const float *b, float *c) {
    for (size_t i = 0; i < N; i += 16)
        _mm512_stream_ps(c + i, _mm512_add_ps(_mm512_load_ps(a + i), _mm512_load_ps(b + i)));
    _mm_sfence(); /* the stores are weakly ordered */
}
static void nt128(const float *a, const float *b, float *c) {
    for (size_t i = 0; i < N; i += 4) _mm_stream_ps(c + i, _mm_add_ps(_mm_load_ps(a + i), _mm_load_ps(b + i)));
    _mm_sfence();
}
/* a + b into an L1 buffer, then copied to c with non-temporal stores of 128 or 512 bits */
static void block_nt(const float *a, const float *b, float *c, int wide) {
    _Alignas(64) float s[BLOCK];
    for (size_t o = 0; o < N; o += BLOCK) {
        for (size_t i = 0; i < BLOCK; i += 16)
            _mm512_store_ps(s + i, _mm512_add_ps(_mm512_load_ps(a + o + i), _mm512_load_ps(b + o + i)));
        if (wide)
            for (size_t i = 0; i < BLOCK; i += 16) _mm512_stream_ps(c + o + i, _mm512_load_ps(s + i));
        else
            for (size_t i = 0; i < BLOCK; i += 4) _mm_stream_ps(c + o + i, _mm_load_ps(s + i));
    }
    _mm_sfence();
}
static void block_nt128(const float *a, const float *b, float *c) { block_nt(a, b, c, 0); }
static void block_nt512(const float *a, const float *b, float *c) { block_nt(a, b, c, 1); }

static int cmp(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(void) {
    float *a = aligned_alloc(64, N * sizeof(float)), *b = aligned_alloc(64, N * sizeof(float)),
          *c = aligned_alloc(64, N * sizeof(float));
    if (!a || !b || !c) return 1;
    for (size_t i = 0; i < N; ++i) a[i] = (float)i, b[i] = 1.0f, c[i] = 0.0f;
    void (*const fn[])(const float *, const float *, float *) = {ordinary, nt512, nt128, block_nt128, block_nt512};
    const char *const name[] = {"ordinary", "nt512", "nt128", "block+nt128", "block+nt512"};
    enum { K = sizeof fn / sizeof fn[0] };
    double t[K][RUNS];
    for (int r = 0; r < RUNS; ++r)
        for (int k = 0; k < K; ++k) {
            const double t0 = now();
            fn[k](a, b, c);
            t[k][r] = now() - t0;
        }
    printf("c = a + b, %d float32 per stream, 1 thread, median of %d (block: %d floats)\n", N, RUNS, BLOCK);
    for (int k = 0; k < K; ++k) {
        qsort(t[k], RUNS, sizeof(double), cmp);
        printf("  %-12s %.3f ns per element\n", name[k], t[k][RUNS / 2] * 1e9 / N);
    }
    printf("  check: c[N-1] = %g\n", c[N - 1]);
    free(a), free(b), free(c);
    return 0;
}

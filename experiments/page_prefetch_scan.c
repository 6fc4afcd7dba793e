/* One op forward over 2^16 .. 2^25 elements, one thread, float32 or bf16, arrays on 4 KiB pages
 * or (third argument 1) madvise(MADV_HUGEPAGE): elements/ns per size, best of 5 batches. The
 * figures behind schedules/cpu.cpp's software prefetch (stop 23, Intel Xeon VM: gelu bf16 2.3
 * elements/ns up to 2^23, 0.92 at 2^25 on 4 KiB pages, 1.39 on huge pages without prefetch).
 *   gcc -O2 -I include experiments/page_prefetch_scan.c build/lib/libhact.a -lpthread -lm -ldl -lstdc++
 *   ./a.out gelu 1      # bf16, 4 KiB pages
 *   ./a.out gelu 1 1    # bf16, huge pages
 *   ./a.out silu 0      # float32 */
#include <hact/hact.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
int main(int argc, char **argv) {
    const char *opn = argv[1]; int bf = atoi(argv[2]); int huge = argc > 3 ? atoi(argv[3]) : 0;
    hact_op op; hact_op_from_name(opn, &op);
    size_t maxn = (size_t)1 << 25, es = bf ? 2 : 4;
    char *x = aligned_alloc(1 << 21, maxn * es), *y = aligned_alloc(1 << 21, maxn * es);
    if (huge) { madvise(x, maxn * es, MADV_HUGEPAGE); madvise(y, maxn * es, MADV_HUGEPAGE); }
    uint64_t s = 1;
    for (size_t i = 0; i < maxn; ++i) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        float v = (float)(s >> 40) * (20.0f / 16777216.0f) - 10.0f;
        if (bf) { uint32_t u; memcpy(&u, &v, 4); uint16_t h = (u + 0x7fff + ((u >> 16) & 1)) >> 16; memcpy(x + 2 * i, &h, 2); }
        else memcpy(x + 4 * i, &v, 4);
    }
    memset(y, 0, maxn * es);
    hact_set_num_threads(1);
    for (size_t n = 1 << 16; n <= maxn; n *= 2) {
        double best = 1e30;
        int iters = (int)((1 << 26) / n) + 2;
        for (int rep = 0; rep < 5; ++rep) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            for (int i = 0; i < iters; ++i) hact_forward(op, bf ? HACT_BF16 : HACT_F32, x, y, n, NULL);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / iters;
            if (ns < best) best = ns;
        }
        printf("%s %s n=%9zu  %.3f elements/ns\n", opn, bf ? "bf16" : "f32", n, n / best);
    }
}

/* One op forward on n float32 elements, one thread, best of 7 batches of `iters` calls: the
 * per-call cost (commit 2cb322f: relu, 16 elements, 70.3 ns before, 25.7 ns after, avx512).
 *   gcc -O2 -I include experiments/call_overhead.c build/lib/libhact.a -lpthread -lm -ldl -lstdc++
 *   ./a.out 16 1000000 relu */
#include <hact/hact.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
    size_t n = atoi(argv[1]); int iters = atoi(argv[2]);
    hact_op op; hact_op_from_name(argc > 3 ? argv[3] : "relu", &op);
    float *x = aligned_alloc(64, n * 4), *y = aligned_alloc(64, n * 4);
    for (size_t i = 0; i < n; ++i) x[i] = (i % 7) - 3.0f;
    hact_set_num_threads(1);
    struct timespec t0, t1; double best = 1e9;
    for (int rep = 0; rep < 7; ++rep) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < iters; ++i) if (hact_forward(op, HACT_F32, x, y, n, NULL)) return 1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / iters;
        if (ns < best) best = ns;
    }
    printf("n=%zu: %.1f ns\n", n, best);
}

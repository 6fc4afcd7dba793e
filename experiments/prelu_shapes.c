/* hact_prelu_* timed on one shape [outer, channels, inner], one thread: forward, backward, backward
 * with dweight; best of 5 batches of `iters` calls. The figures in runtime/prelu.c and
 * docs/design.md ("PReLU") came from this program; the rows-vs-columns ones with the layout
 * forced by rebuilding with kColumnsBelowInner = 0 (rows) or 100000 (columns).
 *   gcc -O2 -I include experiments/prelu_shapes.c build/lib/libhact.a -lpthread -lm -ldl -lstdc++
 *   ./a.out 16384 64 1 100      (outer channels inner iters) */
#include <hact/hact.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
    size_t outer = atoi(argv[1]), ch = atoi(argv[2]), inner = atoi(argv[3]);
    int iters = atoi(argv[4]);
    size_t n = outer * ch * inner;
    float *x = malloc(n * 4), *y = malloc(n * 4), *w = malloc(ch * 4), *dy = malloc(n * 4), *dw = malloc(ch * 4);
    for (size_t i = 0; i < n; ++i) x[i] = (i % 7) - 3.0f, dy[i] = 1;
    for (size_t c = 0; c < ch; ++c) w[c] = 0.01f * c;
    hact_set_num_threads(1);
    struct timespec t0, t1;
    for (int mode = 0; mode < 3; ++mode) {
        double best = 1e9;
        for (int rep = 0; rep < 5; ++rep) {
            clock_gettime(CLOCK_MONOTONIC, &t0);
            for (int i = 0; i < iters; ++i) {
                hact_status s = mode == 0 ? hact_prelu_forward(HACT_F32, x, w, y, outer, ch, inner)
                              : mode == 1 ? hact_prelu_backward(HACT_F32, x, w, dy, y, NULL, outer, ch, inner)
                                          : hact_prelu_backward(HACT_F32, x, w, dy, y, dw, outer, ch, inner);
                if (s) { printf("%s\n", hact_last_error()); return 1; }
            }
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / iters;
            if (ns < best) best = ns;
        }
        printf("%s %zux%zux%zu: %.0f ns (%.3f ns/elem)\n", mode == 0 ? "fwd" : mode == 1 ? "bwd" : "bwd+dw", outer, ch, inner, best, best / n);
    }
}

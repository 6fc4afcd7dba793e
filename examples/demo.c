/* hact demo: the ISA variant this CPU runs, then f(x), f'(x) for every op at a few points
 * (PyTorch's default parameters), and swish's dbeta. Plain C99 against the public header. */
#include <stdio.h>
#include <stdlib.h>

#include "hact/hact.h"

#define CHECK(call)                                                                            \
    do {                                                                                       \
        hact_status s_ = (call);                                                               \
        if (s_ != HACT_OK) {                                                                   \
            fprintf(stderr, "%s failed: %s: %s\n", #call, hact_status_string(s_), hact_last_error()); \
            return EXIT_FAILURE;                                                               \
        }                                                                                      \
    } while (0)

int main(void) {
    static const float xs[] = {-100.0f, -8.0f, -2.0f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 2.0f, 8.0f};
    enum { N = sizeof xs / sizeof xs[0] };
    float y[N], ones[N], dx[N];
    for (int i = 0; i < N; ++i) ones[i] = 1.0f;

    printf("hact %s: running the %s variant (", hact_version_string(), hact_isa_name(hact_get_isa()));
    for (int isa = HACT_ISA_X86_64; isa <= HACT_ISA_LAST; ++isa) {
        printf("%s%s %s", isa > HACT_ISA_X86_64 ? ", " : "", hact_isa_name((hact_isa)isa),
               hact_isa_available((hact_isa)isa) ? "yes" : "no");
    }
    printf("), %d threads\n\n", hact_get_num_threads());

    for (int op = 0; op < hact_op_count(); ++op) {
        CHECK(hact_forward((hact_op)op, HACT_F32, xs, y, N, NULL));
        CHECK(hact_backward((hact_op)op, HACT_F32, xs, ones, dx, N, NULL));
        printf("%-10s %14s %16s %16s\n", hact_op_name((hact_op)op), "x", "f(x)", "f'(x)");
        for (int i = 0; i < N; ++i) printf("%10s %14.6g %16.9g %16.9g\n", "", xs[i], y[i], dx[i]);
        if (hact_op_learnable_params((hact_op)op)) {
            hact_params grad;
            CHECK(hact_backward_params((hact_op)op, HACT_F32, xs, ones, N, NULL, &grad));
            printf("%10s sum over these x of df/dbeta = %.9g\n", "", grad.beta);
        }
        printf("\n");
    }
    return EXIT_SUCCESS;
}

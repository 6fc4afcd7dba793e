/* Consumer of an installed hact: header and library from the install prefix only. */
#include <math.h>
#include <stdio.h>

#include <hact/hact.h>

int main(void) {
    const float x[4] = {-100.0f, -1.0f, 0.0f, 2.0f};
    float y[4], dx[4];
    const float ones[4] = {1.0f, 1.0f, 1.0f, 1.0f};
    hact_op op;
    int i;
    if (hact_version_number() != HACT_VERSION_NUMBER) {
        fprintf(stderr, "header %s, library %s\n", HACT_VERSION_STRING, hact_version_string());
        return 1;
    }
    if (hact_op_from_name("silu", &op) != HACT_OK) return 2;
    if (hact_forward(op, HACT_F32, x, y, 4, NULL) != HACT_OK) return 3;
    if (hact_backward(op, HACT_F32, x, ones, dx, 4, NULL) != HACT_OK) return 4;
    for (i = 0; i < 4; ++i) {
        /* silu(x) = x / (1 + e^-x), in double: a loose check that the kernels are linked in. */
        double want = x[i] / (1.0 + exp(-(double)x[i]));
        if (fabs(y[i] - want) > 1e-6 * fabs(want) + 1e-44) {
            fprintf(stderr, "silu(%g) = %g, expected %g\n", x[i], y[i], want);
            return 5;
        }
    }
    printf("hact %s via find_package: %s variant, silu(2) = %.7g, silu'(2) = %.7g\n",
           hact_version_string(), hact_isa_name(hact_get_isa()), y[3], dx[3]);
    return 0;
}

/* A C consumer of an installed hact (examples/consumer_c): silu and tanh forward and backward,
 * a SwiGLU, and the error path, each checked against a double-precision reference. Exits 0 when
 * every result is right, 1 otherwise. Plain C99; header and library from the install prefix. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <hact/hact.h>

enum { N = 1000 };
static int failures = 0;

/* A float result of hact (at most 4 ULP from the exact value) against a double reference: within
 * 1e-6 of the result's magnitude, or of mag where that is larger (a derivative near one of its
 * roots: hact's accuracy contract counts ULPs of |dy| times the largest term of f' there). */
static void expect_close_to(const char *what, size_t i, double x, float got, double want, double mag) {
    if (!(fabs(got - want) <= 1e-6 * fmax(fabs(want), mag) + 1e-30)) {
        if (failures++ < 10) fprintf(stderr, "%s[%zu] (x = %.9g): got %.9g, expected %.9g\n",
                                     what, i, x, got, want);
    }
}

static void expect_close(const char *what, size_t i, double x, float got, double want) {
    expect_close_to(what, i, x, got, want, 0.0);
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

static void expect_status(const char *what, hact_status got, hact_status want) {
    const char *msg = hact_last_error();
    if (got != want) {
        ++failures;
        fprintf(stderr, "%s: status %s, expected %s (%s)\n", what, hact_status_string(got),
                hact_status_string(want), msg);
    } else if (want != HACT_OK && (msg == NULL || msg[0] == '\0')) {
        ++failures;
        fprintf(stderr, "%s: %s but hact_last_error() is empty\n", what, hact_status_string(got));
    } else if (want != HACT_OK) {
        printf("  %s -> %s: %s\n", what, hact_status_string(got), msg);
    }
}

int main(void) {
    static float x[N], y[N], dy[N], dx[N], b[N], out[N];
    hact_op silu, tanh_op, unknown;
    hact_glu swiglu;
    size_t i;

    if (hact_version_number() != HACT_VERSION_NUMBER) {
        fprintf(stderr, "header %s, library %s\n", HACT_VERSION_STRING, hact_version_string());
        return 1;
    }
    for (i = 0; i < N; ++i) {
        x[i] = -8.0f + 16.0f * (float)i / (N - 1);
        dy[i] = 0.5f + (float)(i % 7) / 4.0f;
        b[i] = 1.0f - (float)(i % 5) / 2.0f;
    }
    expect_status("hact_op_from_name(silu)", hact_op_from_name("silu", &silu), HACT_OK);
    expect_status("hact_op_from_name(tanh)", hact_op_from_name("tanh", &tanh_op), HACT_OK);
    expect_status("hact_glu_from_name(swiglu)", hact_glu_from_name("swiglu", &swiglu), HACT_OK);
    if (failures) return 1;

    /* silu: y = x sigmoid(x); dx = dy sigmoid(x) (1 + x (1 - sigmoid(x))) */
    expect_status("silu forward", hact_forward(silu, HACT_F32, x, y, N, NULL), HACT_OK);
    expect_status("silu backward", hact_backward(silu, HACT_F32, x, dy, dx, N, NULL), HACT_OK);
    for (i = 0; i < N; ++i) {
        const double s = sigmoid(x[i]);
        expect_close("silu", i, x[i], y[i], x[i] * s);
        expect_close_to("silu'", i, x[i], dx[i], dy[i] * s * (1.0 + x[i] * (1.0 - s)),
                        dy[i] * fmax(s, fabs(x[i] * s * (1.0 - s))));
    }
    /* tanh: dx = dy (1 - tanh^2) */
    expect_status("tanh forward", hact_forward(tanh_op, HACT_F32, x, y, N, NULL), HACT_OK);
    expect_status("tanh backward", hact_backward(tanh_op, HACT_F32, x, dy, dx, N, NULL), HACT_OK);
    for (i = 0; i < N; ++i) {
        const double t = tanh(x[i]);
        expect_close("tanh", i, x[i], y[i], t);
        expect_close_to("tanh'", i, x[i], dx[i], dy[i] * (1.0 - t * t), dy[i]); /* terms 1, t^2 */
    }
    /* SwiGLU: out = silu(x) * b */
    expect_status("swiglu forward", hact_glu_forward(swiglu, HACT_F32, x, b, out, N, NULL), HACT_OK);
    for (i = 0; i < N; ++i) expect_close("swiglu", i, x[i], out[i], x[i] * sigmoid(x[i]) * b[i]);

    /* Errors: a status and a message, nothing written. */
    memset(y, 0, sizeof y);
    expect_status("hact_forward(x = NULL)", hact_forward(silu, HACT_F32, NULL, y, N, NULL),
                  HACT_ERR_INVALID_ARGUMENT);
    expect_status("hact_op_from_name(\"no_such_op\")", hact_op_from_name("no_such_op", &unknown),
                  HACT_ERR_UNKNOWN_OP);
    for (i = 0; i < N; ++i) {
        if (y[i] != 0.0f) {
            ++failures;
            fprintf(stderr, "a refused call wrote y[%zu]\n", i);
            break;
        }
    }

    if (failures) {
        fprintf(stderr, "consumer_c: %d wrong result(s)\n", failures);
        return 1;
    }
    printf("consumer_c: hact %s (%s variant): silu, tanh (forward, backward), swiglu and the "
           "error path right\n", hact_version_string(), hact_isa_name(hact_get_isa()));
    return 0;
}

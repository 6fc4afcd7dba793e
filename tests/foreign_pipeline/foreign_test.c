/* hact in someone else's program. This program has a Halide pipeline of its own
 * (hact_foreign_pipeline, generated here with its own Halide runtime) and installs its own Halide
 * runtime hooks: error handler, malloc/free, do_par_for, print, thread count. Checks, in order:
 *   1. the foreign pipeline computes right and goes through every hook (counted);
 *   2. hact's calls (first calls: hact initialises its runtime and installs its own error handler
 *      now; 2^20 elements: its thread pool runs; a thread count of its own) compute right
 *      against a double reference, refuse bad input with hact statuses and hact_last_error(),
 *      and never reach the foreign hooks (counters unchanged);
 *   3. afterwards the foreign hooks are still the ones installed (hact replaced none, nor the
 *      foreign thread count), the foreign pipeline's errors go to its handler (not to hact's:
 *      hact_last_error() keeps hact's message), and its allocations and loops still reach its
 *      hooks.
 * Linked once with libhact.a and once with libhact.so. Exits 1 on the first failed check. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <HalideRuntime.h>
#include <hact/hact.h>

#include "hact_foreign_pipeline.h"

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "FAILED at line %d: %s: ", __LINE__, #cond);                       \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

/* ---- the program's own Halide runtime hooks, counted -------------------------------------- */
static atomic_int n_errors, n_mallocs, n_frees, n_par_fors, n_prints;
static char last_error[1024];

static void my_error(void *uc, const char *msg) {
    (void)uc;
    atomic_fetch_add(&n_errors, 1);
    snprintf(last_error, sizeof last_error, "%s", msg);
}
static void *my_malloc(void *uc, size_t size) {
    atomic_fetch_add(&n_mallocs, 1);
    return halide_default_malloc(uc, size);
}
static void my_free(void *uc, void *ptr) {
    atomic_fetch_add(&n_frees, 1);
    halide_default_free(uc, ptr);
}
static int my_do_par_for(void *uc, halide_task_t task, int min, int size, uint8_t *closure) {
    atomic_fetch_add(&n_par_fors, 1);
    return halide_default_do_par_for(uc, task, min, size, closure);
}
static void my_print(void *uc, const char *msg) {
    (void)uc;
    atomic_fetch_add(&n_prints, 1);
    printf("  [foreign print] %s", msg);
}

typedef struct counts { int errors, mallocs, frees, par_fors, prints; } counts;
static counts snapshot(void) {
    counts c = {atomic_load(&n_errors), atomic_load(&n_mallocs), atomic_load(&n_frees),
                atomic_load(&n_par_fors), atomic_load(&n_prints)};
    return c;
}
static int same(counts a, counts b) { return memcmp(&a, &b, sizeof a) == 0; }
static void show(const char *when, counts c) {
    printf("%s: errors %d, mallocs %d, frees %d, par_fors %d, prints %d\n", when, c.errors,
           c.mallocs, c.frees, c.par_fors, c.prints);
}

/* ---- the foreign pipeline ----------------------------------------------------------------- */
static int run_foreign(int32_t *in, int32_t in_extent, int32_t *out, int32_t out_extent, int verbose) {
    halide_dimension_t din = {0, in_extent, 1, 0}, dout = {0, out_extent, 1, 0};
    halide_buffer_t bin = {0}, bout = {0};
    bin.host = (uint8_t *)in;
    bin.type = (struct halide_type_t){halide_type_int, 32, 1};
    bin.dimensions = 1;
    bin.dim = &din;
    bout = bin;
    bout.host = (uint8_t *)out;
    bout.dim = &dout;
    return hact_foreign_pipeline(&bin, verbose, &bout);
}

static void check_foreign_result(const int32_t *in, const int32_t *out, int32_t n) {
    for (int32_t i = 0; i < n; ++i)
        CHECK(out[i] == 3 * in[i] + 1, "foreign output[%d] = %d, expected %d", i, out[i], 3 * in[i] + 1);
}

/* ---- hact, against double references ------------------------------------------------------- */
static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
/* within 1e-6 of the result's magnitude, or of mag where larger (a derivative near a root: hact's
 * accuracy contract counts ULPs of |dy| times the largest term of f' there) */
static void check_close_to(const char *what, size_t i, double x, float got, double want, double mag) {
    CHECK(fabs(got - want) <= 1e-6 * fmax(fabs(want), mag) + 1e-30,
          "%s[%zu] (x = %.9g) = %.9g, expected %.9g", what, i, x, got, want);
}
static void check_close(const char *what, size_t i, double x, float got, double want) {
    check_close_to(what, i, x, got, want, 0.0);
}

int main(void) {
    enum { FN = 1 << 18 };          /* foreign pipeline: 64 tasks of 4096 */
    const size_t HN = (size_t)1 << 20; /* hact: above its 2^16 threshold, so its pool runs */
    int32_t *fin = malloc(FN * sizeof *fin), *fout = malloc(FN * sizeof *fout);
    float *x = malloc(HN * sizeof *x), *y = malloc(HN * sizeof *y), *dy = malloc(HN * sizeof *dy),
          *dx = malloc(HN * sizeof *dx), *b = malloc(HN * sizeof *b);
    CHECK(fin && fout && x && y && dy && dx && b, "out of memory");
    for (int32_t i = 0; i < FN; ++i) fin[i] = i - FN / 2;
    for (size_t i = 0; i < HN; ++i) {
        x[i] = -12.0f + 24.0f * (float)i / (float)HN;
        dy[i] = 0.5f + (float)(i % 13) / 8.0f;
        b[i] = 1.0f - (float)(i % 3) / 2.0f;
    }

    /* 1. The program installs its hooks before anything of hact has run. */
    halide_set_error_handler(my_error);
    halide_set_custom_malloc(my_malloc);
    halide_set_custom_free(my_free);
    halide_set_custom_do_par_for(my_do_par_for);
    halide_set_custom_print(my_print);
    halide_set_num_threads(3);

    CHECK(run_foreign(fin, FN, fout, FN, 1) == 0, "foreign pipeline failed: %s", last_error);
    check_foreign_result(fin, fout, FN);
    const counts c1 = snapshot();
    show("foreign pipeline", c1);
    CHECK(c1.errors == 0, "unexpected error: %s", last_error);
    CHECK(c1.mallocs >= 1 && c1.frees == c1.mallocs, "the heap intermediate did not go through the hooks");
    CHECK(c1.par_fors >= 1, "the parallel loops did not go through the do_par_for hook");
    CHECK(c1.prints == 1, "the print did not go through the print hook");

    /* 2. hact: correct results, its own errors, none of the foreign hooks. */
    hact_op silu, swish, tanh_op;
    hact_glu swiglu;
    CHECK(hact_op_from_name("silu", &silu) == HACT_OK, "%s", hact_last_error());
    CHECK(hact_op_from_name("swish", &swish) == HACT_OK, "%s", hact_last_error());
    CHECK(hact_op_from_name("tanh", &tanh_op) == HACT_OK, "%s", hact_last_error());
    CHECK(hact_glu_from_name("swiglu", &swiglu) == HACT_OK, "%s", hact_last_error());
    printf("hact %s, %s variant\n", hact_version_string(), hact_isa_name(hact_get_isa()));

    CHECK(hact_forward(silu, HACT_F32, x, y, HN, NULL) == HACT_OK, "%s", hact_last_error());
    CHECK(hact_backward(silu, HACT_F32, x, dy, dx, HN, NULL) == HACT_OK, "%s", hact_last_error());
    for (size_t i = 0; i < HN; ++i) {
        const double s = sigmoid(x[i]);
        check_close("silu", i, x[i], y[i], x[i] * s);
        check_close_to("silu'", i, x[i], dx[i], dy[i] * s * (1.0 + x[i] * (1.0 - s)),
                       dy[i] * fmax(s, fabs(x[i] * s * (1.0 - s))));
    }
    /* hact's own thread count: must not become the program's */
    CHECK(hact_set_num_threads(2) == HACT_OK, "%s", hact_last_error());
    CHECK(hact_forward(tanh_op, HACT_F32, x, y, HN, NULL) == HACT_OK, "%s", hact_last_error());
    for (size_t i = 0; i < HN; ++i) check_close("tanh", i, x[i], y[i], tanh(x[i]));
    CHECK(hact_glu_forward(swiglu, HACT_F32, x, b, y, HN, NULL) == HACT_OK, "%s", hact_last_error());
    for (size_t i = 0; i < HN; ++i) check_close("swiglu", i, x[i], y[i], x[i] * sigmoid(x[i]) * b[i]);
    hact_params p = hact_default_params(swish), grad;
    p.beta = 1.25f;
    CHECK(hact_backward_params(swish, HACT_F32, x, dy, HN, &p, &grad) == HACT_OK, "%s", hact_last_error());
    double dbeta = 0.0;
    for (size_t i = 0; i < HN; ++i) {
        const double s = sigmoid(1.25 * x[i]);
        dbeta += dy[i] * (double)x[i] * x[i] * s * (1.0 - s);
    }
    CHECK(fabs(grad.beta - dbeta) <= 1e-5 * fabs(dbeta), "swish dbeta = %.9g, expected %.9g", grad.beta, dbeta);

    /* bad input: hact statuses and messages */
    hact_op unknown;
    CHECK(hact_forward(silu, HACT_F32, NULL, y, HN, NULL) == HACT_ERR_INVALID_ARGUMENT, "NULL x accepted");
    CHECK(strlen(hact_last_error()) > 0, "no message for NULL x");
    CHECK(hact_op_from_name("no_such_op", &unknown) == HACT_ERR_UNKNOWN_OP, "unknown op accepted");
    p.beta = NAN;
    CHECK(hact_forward(swish, HACT_F32, x, y, HN, &p) == HACT_ERR_BAD_PARAMS, "beta = NaN accepted");
    char hact_message[512];
    snprintf(hact_message, sizeof hact_message, "%s", hact_last_error());
    CHECK(strlen(hact_message) > 0, "no message for beta = NaN");
    printf("hact refused beta = NaN: %s\n", hact_message);

    const counts c2 = snapshot();
    show("after hact's calls", c2);
    CHECK(same(c1, c2), "hact's calls reached the program's Halide hooks");
    CHECK(hact_get_num_threads() == 2, "hact's thread count is %d, expected 2", hact_get_num_threads());
    CHECK(halide_get_num_threads() == 3, "the program's Halide thread count became %d (set 3)",
          halide_get_num_threads());

    /* 3. The program's hooks are still in place... */
    CHECK(halide_set_error_handler(my_error) == my_error, "the error handler was replaced");
    CHECK(halide_set_custom_malloc(my_malloc) == my_malloc, "the custom malloc was replaced");
    CHECK(halide_set_custom_free(my_free) == my_free, "the custom free was replaced");
    CHECK(halide_set_custom_do_par_for(my_do_par_for) == my_do_par_for, "the do_par_for hook was replaced");
    CHECK(halide_set_custom_print(my_print) == my_print, "the print hook was replaced");
    /* ...its errors go to its handler, and hact's message stays hact's... */
    const int rc = run_foreign(fin, FN / 2, fout, FN, 0);
    const counts c3 = snapshot();
    CHECK(rc != 0, "a too-small input was accepted by the foreign pipeline");
    CHECK(c3.errors == c2.errors + 1, "the foreign error did not reach the program's handler");
    CHECK(strstr(last_error, "input") != NULL, "unexpected foreign error message: %s", last_error);
    printf("foreign pipeline refused a short input (%d): %s\n", rc, last_error);
    CHECK(strcmp(hact_last_error(), hact_message) == 0,
          "a foreign Halide error changed hact_last_error() to \"%s\"", hact_last_error());
    /* ...and its allocations and loops still reach its hooks. */
    memset(fout, 0, FN * sizeof *fout);
    CHECK(run_foreign(fin, FN, fout, FN, 1) == 0, "foreign pipeline failed: %s", last_error);
    check_foreign_result(fin, fout, FN);
    const counts c4 = snapshot();
    show("foreign pipeline again", c4);
    CHECK(c4.mallocs > c3.mallocs && c4.frees == c4.mallocs, "the malloc/free hooks stopped being called");
    CHECK(c4.par_fors > c3.par_fors, "the do_par_for hook stopped being called");
    CHECK(c4.prints == c3.prints + 1, "the print hook stopped being called");
    CHECK(c4.errors == c3.errors, "unexpected error: %s", last_error);

    /* hact after the foreign error: still fine */
    CHECK(hact_forward(silu, HACT_F32, x, y, HN, NULL) == HACT_OK, "%s", hact_last_error());
    for (size_t i = 0; i < HN; i += 4097) check_close("silu", i, x[i], y[i], x[i] * sigmoid(x[i]));
    CHECK(same(c4, snapshot()), "hact's calls reached the program's Halide hooks");

    printf("ok: hact and a foreign Halide pipeline share one program, each with its own runtime\n");
    free(fin), free(fout), free(x), free(y), free(dy), free(dx), free(b);
    return 0;
}

/* 10. The public header from strict C99 (-std=c99 -pedantic -Wall -Wextra -Werror), linked
 * against the bundled libhact.a (hact_c_abi_c99) and against libhact.so (hact_c_abi_c99_shared): calls every public function and checks what C can check without
 * a reference (registry tables, statuses, ISA and thread settings, a few values). Exits non-zero
 * on any failed check. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hact/hact.h"

static int failures = 0;
#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                              \
        }                                                                            \
    } while (0)

/* The registry, expanded in C: names, masks and PyTorch defaults (designated initialisers). */
#define HACT_DEFAULTS(...) {__VA_ARGS__}
#define HACT_OP(name, learnable, reads, defaults) \
    static hact_params defaults_##name(void) {     \
        hact_params p = defaults;                  \
        return p;                                  \
    }
#include "hact/activations.def"
#undef HACT_OP
static const struct {
    const char *name;
    unsigned learnable, reads;
    hact_params (*defaults)(void);
} registry[] = {
#define HACT_OP(name, learnable, reads, defaults) {#name, learnable, reads, defaults_##name},
#include "hact/activations.def"
#undef HACT_OP
};
#define NUM_OPS ((int)(sizeof registry / sizeof registry[0]))

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

static void test_registry(void) {
    int i;
    CHECK(hact_op_count() == NUM_OPS);
    CHECK(hact_op_count() == (int)hact_op_count_);
    for (i = 0; i < NUM_OPS; ++i) {
        hact_op op = (hact_op)-1;
        hact_params d = hact_default_params((hact_op)i), want = registry[i].defaults();
        CHECK(hact_op_name((hact_op)i) != NULL && strcmp(hact_op_name((hact_op)i), registry[i].name) == 0);
        CHECK(hact_op_from_name(registry[i].name, &op) == HACT_OK && op == (hact_op)i);
        CHECK(hact_op_params((hact_op)i) == registry[i].reads);
        CHECK(hact_op_learnable_params((hact_op)i) == registry[i].learnable);
        CHECK(memcmp(&d, &want, sizeof d) == 0);
    }
    CHECK(hact_op_name((hact_op)NUM_OPS) == NULL);
    CHECK(hact_op_name((hact_op)-1) == NULL);
    {
        hact_op op;
        CHECK(hact_op_from_name("no_such_op", &op) == HACT_ERR_UNKNOWN_OP);
        CHECK(hact_last_error()[0] != '\0');
        CHECK(hact_op_from_name(NULL, &op) == HACT_ERR_INVALID_ARGUMENT);
    }
    {
        hact_params z = hact_default_params((hact_op)999);
        CHECK(z.beta == 0.0f && z.scale == 0.0f && z.alpha == 0.0f);
        CHECK(hact_op_params((hact_op)999) == 0u && hact_op_learnable_params((hact_op)999) == 0u);
    }
    /* swish's defaults are PyTorch's. */
    {
        hact_op sw;
        CHECK(hact_op_from_name("swish", &sw) == HACT_OK);
        CHECK(hact_default_params(sw).beta == 1.0f && hact_default_params(sw).scale == 1.0f);
    }
}

static void test_compute(void) {
    enum { N = 37 };
    float x[N], y[N], y_inplace[N], dy[N], dx[N];
    int i, op;
    for (i = 0; i < N; ++i) {
        x[i] = 0.5f * (float)i - 9.0f;
        dy[i] = 1.0f;
    }
    for (op = 0; op < NUM_OPS; ++op) {
        hact_params p = hact_default_params((hact_op)op), g;
        CHECK(hact_forward((hact_op)op, HACT_F32, x, y, N, NULL) == HACT_OK);
        CHECK(hact_backward((hact_op)op, HACT_F32, x, dy, dx, N, &p) == HACT_OK);
        memset(&g, 0xff, sizeof g);
        CHECK(hact_backward_params((hact_op)op, HACT_F32, x, dy, N, &p, &g) == HACT_OK);
        CHECK(registry[op].learnable != 0 || (g.beta == 0.0f && g.alpha == 0.0f && g.scale == 0.0f));
        for (i = 0; i < N; ++i) {
            CHECK(isfinite(y[i]) && isfinite(dx[i]));
            y_inplace[i] = x[i];
        }
        CHECK(hact_forward((hact_op)op, HACT_F32, y_inplace, y_inplace, N, &p) == HACT_OK);
        for (i = 0; i < N; ++i) CHECK(same_bits(y_inplace[i], y[i]));
        {   /* float64: double arrays in, double arrays out */
            double xd[2], yd[2] = {NAN, NAN};
            xd[0] = x[0];
            xd[1] = x[1];
            CHECK(hact_forward((hact_op)op, HACT_F64, xd, yd, 2, NULL) == HACT_OK);
            CHECK(isfinite(yd[0]) && isfinite(yd[1]) && fabs(yd[0] - (double)y[0]) <= 1e-5 * fabs(yd[0]) + 1e-30);
        }
        /* Errors: status, message, nothing written. */
        {
            float before = y[0];
            CHECK(hact_forward((hact_op)op, HACT_F32, NULL, y, N, NULL) == HACT_ERR_INVALID_ARGUMENT);
            CHECK(strstr(hact_last_error(), registry[op].name) != NULL);
            CHECK(hact_forward((hact_op)op, HACT_F32, x, y, (size_t)-1, NULL) == HACT_ERR_INVALID_ARGUMENT);
            CHECK(hact_forward((hact_op)op, (hact_dtype)99, x, y, N, NULL) == HACT_ERR_INVALID_ARGUMENT);
            CHECK(hact_backward((hact_op)op, HACT_F32, x, dy, x + 1, N - 1, NULL) == HACT_ERR_INVALID_ARGUMENT);
            CHECK(same_bits(before, y[0]));
        }
    }
    CHECK(hact_forward((hact_op)999, HACT_F32, x, y, N, NULL) == HACT_ERR_UNKNOWN_OP);
    CHECK(hact_backward((hact_op)-1, HACT_F32, x, dy, dx, N, NULL) == HACT_ERR_UNKNOWN_OP);
    {
        hact_params g;
        CHECK(hact_backward_params((hact_op)999, HACT_F32, x, dy, N, NULL, &g) == HACT_ERR_UNKNOWN_OP);
    }
    /* silu(-0) = -0, silu(0) = 0.5 * 0 (spec: signed zero). */
    {
        hact_op silu;
        float z[2] = {-0.0f, 0.0f}, r[2];
        CHECK(hact_op_from_name("silu", &silu) == HACT_OK);
        CHECK(hact_forward(silu, HACT_F32, z, r, 2, NULL) == HACT_OK);
        CHECK(r[0] == 0.0f && signbit(r[0]) && r[1] == 0.0f && !signbit(r[1]));
    }
}

/* Strided tensors from C: a transposed view, a .chunk() slice, the parameter gradient of a
 * contiguous tensor (the flat call's bits), in place, and a shape mismatch. */
static void test_strided(void) {
    enum { R = 4, C = 6 };
    float buf[R * 2 * C], out[C * R], flat_in[C * R], flat_out[C * R], ones[R * C];
    int64_t shape_t[2] = {C, R}, strides_t[2] = {1, 2 * C}; /* the first half's transpose */
    int64_t shape_c[2] = {R, C}, strides_c[2] = {2 * C, 1}; /* a chunk: columns C..2C-1 */
    hact_tensor x, y, dy, dx;
    hact_params g, g_flat;
    hact_op silu, swish;
    int i, j;
    for (i = 0; i < R * 2 * C; ++i) buf[i] = 0.25f * (float)i - 6.0f;
    for (i = 0; i < R * C; ++i) ones[i] = 1.0f;
    CHECK(hact_op_from_name("silu", &silu) == HACT_OK);
    CHECK(hact_op_from_name("swish", &swish) == HACT_OK);

    x = hact_tensor_make(buf, HACT_F32, 2, shape_t, strides_t);
    y = hact_tensor_make(out, HACT_F32, 2, shape_t, NULL);
    CHECK(hact_forward_tensor(silu, &x, &y, NULL) == HACT_OK);
    for (i = 0; i < C; ++i)
        for (j = 0; j < R; ++j) flat_in[i * R + j] = buf[j * 2 * C + i];
    CHECK(hact_forward(silu, HACT_F32, flat_in, flat_out, C * R, NULL) == HACT_OK);
    for (i = 0; i < C * R; ++i) CHECK(same_bits(out[i], flat_out[i]));

    /* backward on the second chunk, in place (dx = x). */
    x = hact_tensor_make(buf + C, HACT_F32, 2, shape_c, strides_c);
    dy = hact_tensor_make(ones, HACT_F32, 2, shape_c, NULL);
    for (i = 0; i < R; ++i)
        for (j = 0; j < C; ++j) flat_in[i * C + j] = buf[i * 2 * C + C + j];
    CHECK(hact_backward(silu, HACT_F32, flat_in, ones, flat_out, R * C, NULL) == HACT_OK);
    CHECK(hact_backward_tensor(silu, &x, &dy, &x, NULL) == HACT_OK);
    for (i = 0; i < R; ++i)
        for (j = 0; j < C; ++j) {
            CHECK(same_bits(buf[i * 2 * C + C + j], flat_out[i * C + j]));
            CHECK(same_bits(buf[i * 2 * C + j], 0.25f * (float)(i * 2 * C + j) - 6.0f)); /* untouched */
        }

    /* dbeta of a contiguous tensor: the flat call's bits. */
    x = hact_tensor_make(flat_in, HACT_F32, 2, shape_c, NULL);
    CHECK(hact_backward_params_tensor(swish, &x, &dy, NULL, &g) == HACT_OK);
    CHECK(hact_backward_params(swish, HACT_F32, flat_in, ones, R * C, NULL, &g_flat) == HACT_OK);
    CHECK(memcmp(&g, &g_flat, sizeof g) == 0);

    /* Errors: a shape mismatch names the dimension; an integer dtype; CUDA memory. */
    dx = hact_tensor_make(out, HACT_F32, 2, shape_t, NULL);
    CHECK(hact_backward_tensor(silu, &x, &dy, &dx, NULL) == HACT_ERR_INVALID_ARGUMENT);
    CHECK(strstr(hact_last_error(), "dimension 0") != NULL);
    y = hact_tensor_make(out, HACT_F32, 2, shape_c, NULL);
    y.dtype.code = HACT_DL_INT;
    x.dtype = y.dtype;
    CHECK(hact_forward_tensor(silu, &x, &y, NULL) == HACT_ERR_UNSUPPORTED);
    x = hact_tensor_make(flat_in, HACT_F32, 2, shape_c, NULL);
    y = hact_tensor_make(out, HACT_F32, 2, shape_c, NULL);
    y.device.device_type = HACT_DEVICE_CUDA;
    CHECK(hact_forward_tensor(silu, &x, &y, NULL) == HACT_ERR_UNSUPPORTED);
    CHECK(strstr(hact_last_error(), "cuda") != NULL);
}

static void test_errors_and_status(void) {
    int s;
    for (s = HACT_OK; s <= HACT_ERR_DEVICE_UNAVAILABLE; ++s) {
        int t;
        const char *str = hact_status_string((hact_status)s);
        CHECK(str != NULL && str[0] != '\0');
        for (t = HACT_OK; t < s; ++t) CHECK(strcmp(str, hact_status_string((hact_status)t)) != 0);
    }
    CHECK(hact_last_error() != NULL);
}

static void test_isa_and_threads(void) {
    int i;
    hact_isa best = (hact_isa)0, isa;
    for (i = HACT_ISA_X86_64; i <= HACT_ISA_LAST; ++i) {
        const char *name = hact_isa_name((hact_isa)i);
        CHECK(name != NULL);
        CHECK(name != NULL && hact_isa_from_name(name, &isa) == HACT_OK && isa == (hact_isa)i);
        if (hact_isa_available((hact_isa)i)) {
            float x = 1.0f, y = 0.0f;
            best = (hact_isa)i;
            CHECK(hact_set_max_isa((hact_isa)i) == HACT_OK);
            CHECK(hact_get_isa() == (hact_isa)i);
            CHECK(hact_forward((hact_op)0, HACT_F32, &x, &y, 1, NULL) == HACT_OK);
        }
    }
    CHECK(best != 0);
    CHECK(hact_set_max_isa(HACT_ISA_LAST) == HACT_OK);
    CHECK(hact_get_isa() == best);
    CHECK(hact_set_max_isa((hact_isa)0) == HACT_ERR_INVALID_ARGUMENT);
    CHECK(hact_set_max_isa((hact_isa)99) == HACT_ERR_INVALID_ARGUMENT);
    CHECK(hact_get_isa() == best);
    CHECK(hact_isa_name((hact_isa)0) == NULL);
    CHECK(hact_isa_from_name("sse2", &isa) == HACT_ERR_INVALID_ARGUMENT);
    CHECK(hact_isa_available((hact_isa)99) == 0);

    CHECK(hact_set_num_threads(2) == HACT_OK);
    CHECK(hact_get_num_threads() == 2);
    CHECK(hact_set_num_threads(-1) == HACT_ERR_INVALID_ARGUMENT);
    CHECK(hact_get_num_threads() == 2);
    CHECK(hact_set_num_threads(0) == HACT_OK);
    CHECK(hact_get_num_threads() >= 1);
}

static void test_version(void) {
    CHECK(hact_version_number() == HACT_VERSION_NUMBER);
    CHECK(strcmp(hact_version_string(), HACT_VERSION_STRING) == 0);
}

int main(void) {
    test_registry();
    test_compute();
    test_strided();
    test_errors_and_status();
    test_isa_and_threads();
    test_version();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("C99 ABI test: all checks passed (%d ops, %s variant)\n", NUM_OPS, hact_isa_name(hact_get_isa()));
    return 0;
}

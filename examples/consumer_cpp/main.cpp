// A C++ consumer of an installed hact (examples/consumer_cpp), compiled with pkg-config:
//   c++ -O2 -o consumer_cpp main.cpp $(pkg-config --cflags --libs hact)          (libhact.a)
//   c++ -O2 -o consumer_cpp_shared main.cpp $(pkg-config --cflags --libs hact-shared)
//       -Wl,-rpath,$(pkg-config --variable=libdir hact-shared)                     (libhact.so)
// softplus forward and backward, swish's forward and its beta gradient, ReGLU on a tensor split
// in halves, and the error path, on 2^17 elements (the size where hact splits a call over its
// thread pool), each checked against a double-precision reference. Exits 0 when every result is
// right, 1 otherwise.
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <hact/hact.h>

namespace {

// hact_status -> exception, with the library's message.
struct hact_error : std::runtime_error {
    hact_status status;
    hact_error(hact_status s, const std::string &what)
        : std::runtime_error(what + ": " + hact_status_string(s) + ": " + hact_last_error()), status(s) {}
};
void check(hact_status s, const char *what) {
    if (s != HACT_OK) throw hact_error(s, what);
}
hact_op op_named(const char *name) {
    hact_op op;
    check(hact_op_from_name(name, &op), name);
    return op;
}

int failures = 0;
void expect_close(const char *what, std::size_t i, double got, double want, double rel = 1e-6) {
    if (!(std::fabs(got - want) <= rel * std::fabs(want) + 1e-30) && failures++ < 10)
        std::fprintf(stderr, "%s[%zu]: got %.9g, expected %.9g\n", what, i, got, want);
}
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

int main() try {
    const std::size_t n = std::size_t(1) << 17;
    std::vector<float> x(n), dy(n), y(n), dx(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = -10.0f + 20.0f * float(i) / float(n);
        dy[i] = 0.25f + float(i % 11) / 8.0f;
    }

    // softplus (PyTorch's defaults: beta 1, threshold 20): log(1 + e^x), derivative sigmoid(x)
    const hact_op softplus = op_named("softplus");
    check(hact_forward(softplus, HACT_F32, x.data(), y.data(), n, nullptr), "softplus forward");
    check(hact_backward(softplus, HACT_F32, x.data(), dy.data(), dx.data(), n, nullptr), "softplus backward");
    for (std::size_t i = 0; i < n; ++i) {
        expect_close("softplus", i, y[i], std::log1p(std::exp(double(x[i]))));
        expect_close("softplus'", i, dx[i], dy[i] * sigmoid(x[i]));
    }

    // swish with beta = 1.5: y = x sigmoid(beta x); d/dbeta summed over the tensor
    const hact_op swish = op_named("swish");
    hact_params p = hact_default_params(swish);
    p.beta = 1.5f;
    hact_params grad{};
    check(hact_forward(swish, HACT_F32, x.data(), y.data(), n, &p), "swish forward");
    check(hact_backward_params(swish, HACT_F32, x.data(), dy.data(), n, &p, &grad), "swish dbeta");
    double dbeta = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double s = sigmoid(1.5 * x[i]);
        expect_close("swish", i, y[i], x[i] * s);
        dbeta += dy[i] * double(x[i]) * x[i] * s * (1.0 - s);
    }
    expect_close("swish dbeta", 0, grad.beta, dbeta, 1e-5);

    // ReGLU on x viewed as [outer = 64, 2 * half, inner = 16], F.glu's order: first * relu(second).
    // One rounding of an exact product: the result must equal the reference bit for bit.
    hact_glu reglu;
    check(hact_glu_from_name("reglu", &reglu), "reglu");
    const std::size_t outer = 64, inner = 16, half = n / (outer * 2 * inner);
    std::vector<float> g(n / 2);
    check(hact_glu_split_forward(reglu, HACT_F32, x.data(), g.data(), outer, half, inner,
                                 HACT_GATE_DEFAULT, nullptr), "reglu split forward");
    for (std::size_t o = 0; o < outer; ++o)
        for (std::size_t h = 0; h < half; ++h)
            for (std::size_t k = 0; k < inner; ++k) {
                const float a = x[(o * 2 * half + h) * inner + k];
                const float b = x[(o * 2 * half + half + h) * inner + k];
                const float want = float(double(a) * (b > 0.0f ? b : 0.0f));
                const std::size_t i = (o * half + h) * inner + k;
                if (g[i] != want && failures++ < 10)
                    std::fprintf(stderr, "reglu[%zu]: got %.9g, expected %.9g\n", i, g[i], want);
            }

    // The error path: a non-finite parameter the op reads is refused with a status and a message.
    p.beta = NAN;
    try {
        check(hact_forward(swish, HACT_F32, x.data(), y.data(), n, &p), "swish(beta = NaN)");
        std::fprintf(stderr, "swish with beta = NaN was accepted\n");
        ++failures;
    } catch (const hact_error &e) {
        std::printf("  refused as it should be: %s\n", e.what());
        if (e.status != HACT_ERR_BAD_PARAMS || std::string(hact_last_error()).empty()) {
            std::fprintf(stderr, "expected HACT_ERR_BAD_PARAMS and a message\n");
            ++failures;
        }
    }

    if (failures) {
        std::fprintf(stderr, "consumer_cpp: %d wrong result(s)\n", failures);
        return 1;
    }
    std::printf("consumer_cpp: hact %s (%s variant, %d threads): softplus, swish + dbeta, reglu "
                "and the error path right on %zu elements\n", hact_version_string(),
                hact_isa_name(hact_get_isa()), hact_get_num_threads(), n);
    return 0;
} catch (const std::exception &e) {
    std::fprintf(stderr, "consumer_cpp: %s\n", e.what());
    return 1;
}

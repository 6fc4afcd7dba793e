// Anchor loops, in their own translation unit compiled with -O3 -march=native -ffast-math
// (bench/CMakeLists.txt): what a compiler gives you for this machine from plain C++.
//
// plain_silu_f32: SiLU forward written the obvious way. Without -ffast-math GCC 12.2 does not
// vectorize it (expf may set errno: "statement clobbers memory"); with it, GCC calls glibc's
// libmvec vector expf (_ZGVeN16v_expf on AVX-512), which is the compiler-vectorized anchor.
//
// add3_f32: the 3-stream roofline kernel (read a and b, write c); GCC vectorizes it (AVX-512).
// copy_f32: the 2-stream roofline kernel, a plain vectorized loop with ordinary loads and stores
// like every kernel measured against it (glibc's memcpy takes other paths for large sizes:
// measured here at half the bandwidth of this loop at 128 MiB).
#include <cmath>
#include <cstddef>

void plain_silu_f32(const float *x, float *y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] = x[i] / (1.0f + std::exp(-x[i]));
}

void add3_f32(const float *__restrict a, const float *__restrict b, float *__restrict c,
              std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) c[i] = a[i] + b[i];
}

// Not turned into a memcpy call (-fno-tree-loop-distribute-patterns on this file).
void copy_f32(const float *__restrict a, float *__restrict b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) b[i] = a[i];
}

// mul3_f32: c = a * b, the multiply of an unfused SwiGLU (silu(a) then the product).
void mul3_f32(const float *__restrict a, const float *__restrict b, float *__restrict c, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) c[i] = a[i] * b[i];
}

// copy5_f32: read three streams, write two (the roofline of a GLU backward: a, b, dy -> da, db).
void copy5_f32(const float *__restrict a, const float *__restrict b, const float *__restrict c,
               float *__restrict d, float *__restrict e, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        d[i] = a[i] + c[i];
        e[i] = b[i] + c[i];
    }
}

extern const char anchor_loops_compiler[] = "GCC " __VERSION__ " -O3 -march=native -ffast-math -fno-tree-loop-distribute-patterns";

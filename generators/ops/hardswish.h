// hardswish(x) = x * min(max(x + 3, 0), 6) / 6;
// hardswish'(x) = 0 if x <= -3, x/3 + 1/2 if -3 < x < 3, 1 if x >= 3 (current PyTorch/oneDNN).
//
// Float32, strictly evaluated (the same roundings in every loop and tail), four roundings at most:
// x + 3 (exact for x in [-3, -1.5] by Sterbenz, so no cancellation near the root at -3), the
// product, and the product by 1/6 rounded: 2.2 ULP forward, 2.3 backward (random dy) in the
// accuracy sweep (2.25 and 1.33 at dy = 1 over every float32). A correctly rounded division by
// 6 gave 1.9 ULP at half the speed on an Intel Xeon (AVX-512 FP16 generation), where vdivps was
// the loop's bottleneck (avx512, one thread, alternating builds: forward 2.7-2.8 against 5.6-5.7
// us per 32K elements and 170 against 350-410 ns per 2K; backward 3.5-3.8 against 5.8 us and
// 210 against 370 ns). On AMD Zen 4 the division had not been the bottleneck: there a division
// by two FMAs (correctly rounded too) was 5-12% slower than vdivps; an earlier float64
// evaluation ran at 0.35-0.6x oneDNN's speed.
#pragma once

namespace hact::ops {

struct hardswish : OpBase {
    // x >= 3: x itself (+inf included). x <= -3: -0, as PyTorch's x * 0 gives for finite x, and
    // the limit at -inf (never -inf * 0 = NaN). hardswish(-0) = -0 * 3 / 6 = -0.
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        Expr y = strict_apply({x}, [](auto v) {
            auto k = [&](double c) { return like(v[0], c); };
            Expr mid = (v[0] * (v[0] + k(3.0))) * k(1.0 / 6.0);
            return Halide::select(v[0] >= k(3.0), v[0], v[0] <= k(-3.0), k(-0.0), mid);
        });
        return keep_nan(x, y);
    }
    // dy * (2x + 3) * (1/6) between the kinks (2x exact; 2x + 3 exact for x in [-3, -0.75], so the
    // root at -1.5 is exact), dy at and above 3, dy * 0 (strict: NaN stays NaN) at and below -3.
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        Expr dx = strict_apply({x, dy}, [](auto v) {
            auto k = [&](double c) { return like(v[0], c); };
            Expr mid = (v[1] * (v[0] * k(2.0) + k(3.0))) * k(1.0 / 6.0);
            return Halide::select(v[0] <= k(-3.0), v[1] * k(0.0), v[0] >= k(3.0), v[1], mid);
        });
        return keep_nan(x, dx);
    }

    // float64: the math above is type-generic (comparisons, selects, constants of the type).
    static Expr forward64(const Expr &x, const Params &p) { return forward(x, p); }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &p) { return backward(x, dy, p); }
};

}  // namespace hact::ops

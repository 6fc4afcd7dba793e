// gelu(x) = x Phi(x) (PyTorch approximate='none'); gelu'(x) = Phi(x) + x phi(x).
//
// Core (|x| < 3/4 forward, |x| < 1 backward, covering the root of gelu' near -0.75): minimax
// polynomials Phi(x) - 1/2 = x S(x^2) (degree 4, 0.04 ULP) and gelu'(x) - 1/2 = x D(x^2) (degree 6,
// 0.002 ULP): gelu = fma(x^2, S, x/2), gelu' = fma(x, D, 1/2).
// Tail, from the normal tail Phi(-a) = e^(-a^2/2) m(a), a = |x| (sf::normal_tail):
//   W = a Phi(-a) = e^(-a^2/2) 4 v f(q), rounded once (sf::exp_times_product)
//   gelu(x) = -W for x < 0 (relative-accurate down to the last subnormal result, x = -14.5),
//             x - W for x >= 0
//   gelu'(x) = Phi(x) + x phi(x) = [x >= 0] + s e^(-a^2/2) (a/sqrt(2 pi) - m(a)), s = sign(x):
//   dy e^(-a^2/2) (rounded once), then one fma. The root of gelu' near x = -0.75 is where
//   a/sqrt(2 pi) - m(a) cancels; the error there is that of the largest term.
// Choices (the spec is silent): gelu(-0) = -0; gelu(-inf) = -0 (as for finite x below -14.5);
// gelu'(-inf) = 0 (dy * 0 in effect: NaN for a NaN dy), gelu'(+inf) = 1.
#pragma once

#include "special_functions.h"

namespace hact::ops {

struct gelu : OpBase {
    static constexpr float kCoreFwd = 0.75f;
    static constexpr float kCoreBwd = 1.0f;
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        using Halide::select;
        // core: x/2 + x^2 S(x^2)
        Expr s = x * x;
        Expr S = f32(0x1.afc39ap-14f);
        S = sf::fma(S, s, f32(-0x1.35aab2p-10f));
        S = sf::fma(S, s, f32(0x1.46c620p-7f));
        S = sf::fma(S, s, f32(-0x1.105820p-4f));
        S = sf::fma(S, s, f32(0x1.988454p-2f));
        Expr core = sf::fma(s, S, x * f32(0.5f));
        // gelu(x) has the sign of x: copied, so that gelu(-0) = -0 (the FMA gives +0)
        core = from_bits(bits(core) | (bits(x) & Expr(0x80000000u)));
        // tail
        sf::NormalTail t = sf::normal_tail(Halide::abs(x));
        Expr w = sf::exp_times_product(t.e, t.v * f32(4.0f), t.f);  // 2^-58-scaled where deep
        Expr neg = x < f32(0.0f);
        Expr tail = select(neg, sf::unscale(t.e, -w), x - t.e.deep_or(w, f32(0.0f)));
        return keep_nan(x, select(Halide::abs(x) < f32(kCoreFwd), core, tail));
    }
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        using Halide::select;
        const float c_hi = 0x1.988454p-2f, c_lo = -0x1.857936p-27f;  // 1/sqrt(2 pi)
        // core: 1/2 + x D(x^2)
        Expr s = x * x;
        static const float dc[] = {0x1.988454p-1f, -0x1.105838p-2f, 0x1.ea382ap-5f, -0x1.373ad4p-7f,
                                   0x1.2e1f6cp-10f, -0x1.cff308p-14f, 0x1.e856a8p-18f};
        Expr D = f32(dc[6]);
        for (int i = 5; i >= 0; --i) D = sf::fma(D, s, f32(dc[i]));
        Expr core = strict_apply({dy, sf::fma(x, D, f32(0.5f))}, [](auto v) { return v[0] * v[1]; });
        sf::NormalTail t = sf::normal_tail(Halide::abs(x));
        Expr neg = x < f32(0.0f);
        // k = a/sqrt(2 pi) - m(a), with the sign of x
        Expr k = sf::fma(t.a, f32(c_hi), sf::fma(t.a, f32(c_lo), -t.m()));
        Expr de = t.e.value_times(dy);  // dy e^(-a^2/2), 2^-58-scaled where deep
        Expr dx = sf::fma(select(neg, -de, t.e.deep_or(de, f32(0.0f))), k,
                                select(neg, f32(0.0f), dy));
        dx = sf::unscale(t.e, dx, neg);
        dx = select(Halide::abs(x) < f32(kCoreBwd), core, dx);
        // below -15.4 (and at -inf) |gelu'| < 2^-167: flush (dy * 0 keeps a NaN dy)
        dx = select(x < f32(-sf::kNormalTailMax), times_zero(dy), dx);
        return keep_nan(x, dx);
    }
};

}  // namespace hact::ops

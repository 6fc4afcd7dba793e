/* Does AVX512_BF16's VCVTNEPS2BF16 round float32 to bfloat16 as hact must (nearest even,
 * subnormals kept)? It does not: it treats float32 subnormal inputs as zero, so every bfloat16
 * result below 2^-126 (silu(-100) = -3.7e-42, gelu and sigmoid tails) would become 0 where the
 * exhaustive tests (tests/test_narrow.cpp) want the correctly rounded subnormal.
 * Measured on AMD EPYC (Zen 4), 2026-12-06: 6 of the 16 lanes below differ, all of them subnormal.
 *   gcc -O1 -mavx512f -mavx512bf16 -mavx512vl experiments/bf16_native_convert.c && ./a.out
 * (needs a CPU with avx512_bf16; docs/design.md, "Storage types", says what hact does instead) */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    const float in[16] = {1e-39f, -3e-39f, 1.17549435e-38f, 5.877472e-39f, 1.0f, 1.00390625f,
                          1.01171875f, __builtin_nanf("1"), 2.5e-40f, 1e-45f, 3.3895314e38f, 3.39e38f,
                          -0.0f, 1e-38f, 9.2e-41f, 1.5f};
    __m256bh r = _mm512_cvtneps_pbh(_mm512_loadu_ps(in));
    uint16_t out[16];
    memcpy(out, &r, sizeof out);
    int differ = 0;
    for (int i = 0; i < 16; ++i) {
        uint32_t u;
        memcpy(&u, &in[i], 4);
        /* round to nearest even on the bits (hact's store; quiet NaN as the instruction gives) */
        const uint16_t want = (u & 0x7fffffffu) > 0x7f800000u ? (uint16_t)((u >> 16) | 0x40)
                                                              : (uint16_t)((u + 0x7fff + ((u >> 16) & 1)) >> 16);
        differ += out[i] != want;
        printf("%-14g VCVTNEPS2BF16 %04x  nearest even %04x%s\n", in[i], out[i], want,
               out[i] == want ? "" : "   <- differs");
    }
    printf("%d of 16 differ\n", differ);
    return 0;
}

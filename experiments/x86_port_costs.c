/* What a 512-bit instruction costs on the benchmark machine: the numbers that bound the open
 * performance bars of issues 3 and 4 (silu >= 2x oneDNN's swish, gelu >= oneDNN's). Independent
 * chains of one instruction, in registers (inline assembly: the compiler cannot move or merge
 * them), timed over 10^7..10^8 repetitions; ns per instruction, and the clock implied by the FMA
 * latency (4 cycles on Intel since Skylake-SP).
 *   gcc -O2 -mavx512f experiments/x86_port_costs.c -o /tmp/ports && /tmp/ports
 * Measured on the Intel Xeon VM of stops 20-24 (avx512_fp16 and AMX in /proc/cpuinfo: a Sapphire
 * Rapids-class core; 2 vCPUs), 2026-12-07:
 *   zmm FMA: 0.130 ns each with 16 chains, 1.06 ns latency (3.8 GHz): two 512-bit FMA pipes
 *   zmm vpaddd / vpandd 0.12 ns; 8 FMAs + 8 vpandd 0.130 ns per operation, as 16 FMAs: logic
 *     and integer operations take the same two ports (so do compares, blends and shifts)
 *   zmm vpermps 0.24 ns (one port, shared with FMA: 8 FMAs + 8 vpermps 0.138 ns per operation);
 *   register moves (vmovaps zmm, zmm) 0.045 ns: eliminated at rename
 *   zmm vdivps 2.65 ns each (about 10 cycles: one divider), overlapping with other work
 * So a kernel runs at (its 512-bit operations) / 2 cycles per 16 elements, and at least one
 * division's 10 cycles: silu's forward (22 operations and one division: 11 cycles a vector)
 * cannot go below ~0.18 ns per element at 3.8 GHz even with perfect scheduling (it runs at
 * 0.23), where the (a) bar asks 0.185 at 2^15 elements;
 * Halide 21 emits no vrcp14ps for a division (its fast_inverse is vrcpps on ymm halves: four
 * operations, then Newton steps). gelu's forward (~50 operations) against oneDNN's ~30 needs
 * oneDNN's table lookup (vpermps), which Halide 21 cannot emit on x86. */
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define ONE(op, d) op " %%zmm0, %%zmm30, %%zmm" #d "\n"
#define C8(op) ONE(op, 1) ONE(op, 2) ONE(op, 3) ONE(op, 4) ONE(op, 5) ONE(op, 6) ONE(op, 7) ONE(op, 8)
#define C16(op) C8(op) ONE(op, 9) ONE(op, 10) ONE(op, 11) ONE(op, 12) ONE(op, 13) ONE(op, 14) ONE(op, 15) ONE(op, 16)
#define CLOBBER "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", \
                "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20"
#define RUN(name, count, body)                                                   \
    do {                                                                         \
        const long reps = 20000000;                                              \
        const double t0 = now();                                                 \
        for (long r = 0; r < reps; ++r) __asm__ volatile(body ::: CLOBBER);       \
        printf("%-44s %.3f ns\n", name, (now() - t0) / (reps * (double)(count)) * 1e9); \
    } while (0)

int main(void) {
    const float one = 1.0f, ratio = 1.5f;
    /* zmm0 = 1, zmm30 = 1: FMAs stay finite (1 + 1 * 1 grows by 1 per step) */
    __asm__ volatile("vbroadcastss %0, %%zmm0\n vbroadcastss %0, %%zmm30" ::"m"(one) : "xmm0", "xmm30");
    RUN("vfmadd231ps zmm, 16 chains (per op)", 32, C16("vfmadd231ps") C16("vfmadd231ps"));
    RUN("vpaddd zmm, 16 chains (per op)", 16, C16("vpaddd"));
    RUN("vpandd zmm, 16 chains (per op)", 16, C16("vpandd"));
    RUN("8 vfmadd231ps + 8 vpandd (per op)", 16, C8("vfmadd231ps") C8("vpandd"));
    RUN("8 vfmadd231ps + 8 vpermps (per op)", 16, C8("vfmadd231ps") C8("vpermps"));
    RUN("vpermps zmm, 16 chains (per op)", 16, C16("vpermps"));
    RUN("chain of 16 vmovaps zmm (per move)", 16,
        "vmovaps %%zmm17, %%zmm18\n vmovaps %%zmm18, %%zmm19\n vmovaps %%zmm19, %%zmm20\n vmovaps %%zmm20, %%zmm17\n"
        "vmovaps %%zmm17, %%zmm18\n vmovaps %%zmm18, %%zmm19\n vmovaps %%zmm19, %%zmm20\n vmovaps %%zmm20, %%zmm17\n"
        "vmovaps %%zmm17, %%zmm18\n vmovaps %%zmm18, %%zmm19\n vmovaps %%zmm19, %%zmm20\n vmovaps %%zmm20, %%zmm17\n"
        "vmovaps %%zmm17, %%zmm18\n vmovaps %%zmm18, %%zmm19\n vmovaps %%zmm19, %%zmm20\n vmovaps %%zmm20, %%zmm17\n");
    RUN("vfmadd231ps zmm latency (one chain)", 16,
        ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1)
        ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1)
        ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1)
        ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1) ONE("vfmadd231ps", 1));
    __asm__ volatile("vbroadcastss %0, %%zmm30" ::"m"(ratio) : "xmm30");
    RUN("vdivps zmm, 8 independent (per op)", 8, C8("vdivps"));
    return 0;
}

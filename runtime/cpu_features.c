/* What the running CPU and OS support, probed once. x86-64: cpuid + xgetbv (the OS must save the
 * vector state, or AVX/AVX-512 instructions fault even where cpuid lists them). AArch64 Linux and
 * Android: the kernel's hardware capabilities, getauxval(AT_HWCAP). */
#include "internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

static unsigned long long xgetbv0(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

unsigned hacti_cpu_isa_mask(void) {
    unsigned mask = 1u << HACT_ISA_X86_64;
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return mask;
    const int sse41 = (c >> 19) & 1, fma = (c >> 12) & 1, osxsave = (c >> 27) & 1,
              avx = (c >> 28) & 1, f16c = (c >> 29) & 1, movbe = (c >> 22) & 1, popcnt = (c >> 23) & 1;
    if (!osxsave || !avx) return mask;
    const unsigned long long xcr0 = xgetbv0();
    const int os_avx = (xcr0 & 0x6) == 0x6;            /* XMM and YMM state */
    const int os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0; /* opmask, ZMM_Hi256, Hi16_ZMM */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return mask;
    const int avx2 = (b >> 5) & 1, bmi = ((b >> 3) & 1) && ((b >> 8) & 1) /* BMI1, BMI2 */;
    const int avx512 = ((b >> 16) & 1) /* F */ && ((b >> 17) & 1) /* DQ */ &&
                       ((b >> 28) & 1) /* CD */ && ((b >> 30) & 1) /* BW */ &&
                       ((b >> 31) & 1) /* VL */;
    /* Halide compiles the AVX2 and AVX-512 kernels for a Haswell-level CPU (x86-64-v3 and up),
     * whose scalar code may use BMI1/BMI2 (andn is in them), LZCNT, MOVBE and POPCNT: every CPU
     * with AVX2 has them, but a virtual machine or an emulator may hide one, and the kernel would
     * fault instead of running the baseline variant. */
    unsigned ea = 0, eb = 0, ec = 0, ed = 0;
    const int lzcnt = __get_cpuid(0x80000001u, &ea, &eb, &ec, &ed) && ((ec >> 5) & 1);
    if (os_avx && sse41 && avx2 && fma && f16c && bmi && lzcnt && movbe && popcnt) {
        mask |= 1u << HACT_ISA_AVX2;
        if (os_avx512 && avx512) mask |= 1u << HACT_ISA_AVX512;
    }
    return mask;
}
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>

/* Bits of AT_HWCAP (Linux arch/arm64/include/uapi/asm/hwcap.h), spelled out so that older C
 * libraries' headers need not have them. */
#define HACTI_HWCAP_ASIMD (1ul << 1)
#define HACTI_HWCAP_FPHP (1ul << 9)
#define HACTI_HWCAP_ASIMDHP (1ul << 10)
#define HACTI_HWCAP_ASIMDDP (1ul << 20)

unsigned hacti_cpu_isa_mask(void) {
    const unsigned long hw = getauxval(AT_HWCAP);
    unsigned mask = 0;
    if (!(hw & HACTI_HWCAP_ASIMD)) return mask; /* no NEON: nothing hact built runs */
    mask |= 1u << HACT_ISA_NEON;
    const unsigned long v82 = HACTI_HWCAP_FPHP | HACTI_HWCAP_ASIMDHP | HACTI_HWCAP_ASIMDDP;
    if ((hw & v82) == v82) mask |= 1u << HACT_ISA_NEON_FP16;
    return mask;
}
#elif defined(__aarch64__)
/* Other AArch64 systems (macOS, Windows): NEON is part of the architecture; the ARMv8.2 variant
 * is not chosen without a way to ask. */
unsigned hacti_cpu_isa_mask(void) { return 1u << HACT_ISA_NEON; }
#else
unsigned hacti_cpu_isa_mask(void) { return 0; }
#endif

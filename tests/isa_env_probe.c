/* 9. HACT_MAX_ISA: prints the variant hact runs on and checks it against argv[1], an ISA name
 * (the expected cap; ctest sets HACT_MAX_ISA to it) or "best" (no cap, or an ignored bad name:
 * the best available variant). Exit 0: as expected; 77: this CPU cannot run the variant (ctest
 * SKIP_RETURN_CODE); 1: wrong variant. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hact/hact.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <isa name|best>\n", argv[0]);
        return 1;
    }
    const char *env = getenv("HACT_MAX_ISA");
    hact_isa got = hact_get_isa(), want;
    printf("HACT_MAX_ISA=%s: hact_get_isa() = %s\n", env ? env : "(unset)",
           hact_isa_name(got) ? hact_isa_name(got) : "(none)");
    if (strcmp(argv[1], "best") == 0) {
        int best = 0;
        for (int i = HACT_ISA_X86_64; i <= HACT_ISA_LAST; ++i)
            if (hact_isa_available((hact_isa)i)) best = i;
        if (!best) {
            printf("SKIP: no variant runs on this CPU\n");
            return 77;
        }
        want = (hact_isa)best;
    } else {
        if (hact_isa_from_name(argv[1], &want) != HACT_OK) {
            fprintf(stderr, "unknown ISA name '%s': %s\n", argv[1], hact_last_error());
            return 1;
        }
        if (!hact_isa_available(want)) {
            printf("SKIP: CPU lacks %s (or this build does not include it)\n", argv[1]);
            return 77;
        }
    }
    if (got != want) {
        fprintf(stderr, "FAIL: expected %s, running %s\n", hact_isa_name(want),
                hact_isa_name(got) ? hact_isa_name(got) : "(none)");
        return 1;
    }
    /* The cap holds for the kernels too: a call works and the variant stays. */
    {
        float x[3] = {-1.0f, 0.0f, 1.0f}, y[3];
        hact_status s = hact_forward((hact_op)0, HACT_F32, x, y, 3, NULL);
        if (s != HACT_OK || hact_get_isa() != want) {
            fprintf(stderr, "FAIL: forward %s, variant now %s\n", hact_status_string(s),
                    hact_isa_name(hact_get_isa()));
            return 1;
        }
    }
    printf("OK\n");
    return 0;
}

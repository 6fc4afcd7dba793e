/* The op tables (names, defaults, parameter masks), expanded from the registry. */
#include <string.h>

#include "internal.h"

#define HACT_DEFAULTS(...) {__VA_ARGS__}

static const struct {
    const char *name;
    unsigned learnable, reads;
    hact_params defaults;
} ops[hact_op_count_] = {
#define HACT_OP(name, learnable, reads, defaults) [hact_op_##name] = {#name, learnable, reads, defaults},
#include "hact/activations.def"
#undef HACT_OP
};

int hact_op_count(void) { return (int)hact_op_count_; }

static int valid(hact_op op) { return (int)op >= 0 && op < hact_op_count_; }

const char *hact_op_name(hact_op op) { return valid(op) ? ops[op].name : NULL; }

hact_status hact_op_from_name(const char *name, hact_op *op) {
    if (!name || !op) return hacti_fail(HACT_ERR_INVALID_ARGUMENT, "hact_op_from_name: NULL argument");
    for (int i = 0; i < hact_op_count_; ++i) {
        if (strcmp(name, ops[i].name) == 0) {
            *op = (hact_op)i;
            return HACT_OK;
        }
    }
    return hacti_fail(HACT_ERR_UNKNOWN_OP, "unknown op name '%s'", name);
}

hact_params hact_default_params(hact_op op) {
    hact_params zero = {0};
    return valid(op) ? ops[op].defaults : zero;
}

unsigned hact_op_params(hact_op op) { return valid(op) ? ops[op].reads : 0u; }
unsigned hact_op_learnable_params(hact_op op) { return valid(op) ? ops[op].learnable : 0u; }

unsigned hact_version_number(void) { return HACT_VERSION_NUMBER; }
const char *hact_version_string(void) { return HACT_VERSION_STRING; }

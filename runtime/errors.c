/* Status strings and the thread-local message behind hact_last_error(). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static _Thread_local char last_error[1024];
static _Thread_local char kernel_message[1024];

hact_status hacti_fail(hact_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

/* Installed as Halide's error handler: keeps the message instead of printing it. Kernel errors
 * are raised on the calling thread (argument checks run before any parallel loop). */
void hacti_halide_error(void *user_context, const char *msg) {
    (void)user_context;
    snprintf(kernel_message, sizeof kernel_message, "%s", msg ? msg : "");
    size_t len = strlen(kernel_message);
    while (len > 0 && kernel_message[len - 1] == '\n') kernel_message[--len] = '\0';
}

void hacti_clear_kernel_message(void) { kernel_message[0] = '\0'; }
const char *hacti_kernel_message(void) { return kernel_message; }

const char *hact_last_error(void) { return last_error; }

const char *hact_status_string(hact_status s) {
    switch (s) {
    case HACT_OK: return "ok";
    case HACT_ERR_INVALID_ARGUMENT: return "invalid argument";
    case HACT_ERR_UNKNOWN_OP: return "unknown op";
    case HACT_ERR_UNSUPPORTED: return "unsupported by this build";
    case HACT_ERR_BAD_PARAMS: return "bad parameters";
    case HACT_ERR_KERNEL: return "kernel error";
    case HACT_ERR_OUT_OF_MEMORY: return "out of memory";
    case HACT_ERR_INTERNAL: return "internal error";
    case HACT_ERR_DEVICE_UNAVAILABLE: return "device unavailable";
    }
    return "unknown status";
}

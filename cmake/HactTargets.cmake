# The instruction-set variants hact compiles, and the Halide target of each. The runtime's ISA enum
# (hact_isa in include/hact/hact.h) and runtime/cpu_features.c must know every name used here.
# Adding a target family means: a line here, a schedule file in schedules/, a detection rule in
# runtime/cpu_features.c. No activation changes.
set(HACT_X86_TARGET_x86_64 "x86-64-linux")
set(HACT_X86_TARGET_avx2 "x86-64-linux-sse41-avx-avx2-fma-f16c")
set(HACT_X86_TARGET_avx512 "x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake")

set(HACT_ISAS "")
set(HACT_DTYPES f32)
if (CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set(HACT_ISAS x86_64 avx2 avx512)
    foreach (_isa IN LISTS HACT_ISAS)
        set(HACT_TARGET_${_isa} "${HACT_X86_TARGET_${_isa}}")
    endforeach ()
    # One Halide runtime for every x86 variant: the runtime does not depend on the ISA features.
    set(HACT_RUNTIME_TARGET "x86-64-linux")
else ()
    message(FATAL_ERROR "hact: no target family for ${CMAKE_SYSTEM_PROCESSOR} yet (x86-64 only)")
endif ()
message(STATUS "hact ISAs: ${HACT_ISAS}")

# The instruction-set variants hact compiles, and the Halide target of each, by target family.
# The runtime's ISA enum (hact_isa in include/hact/hact.h), runtime/dispatch.c's names and
# runtime/cpu_features.c must know every variant named here; schedules/ has one file per family.
# Adding a target family means: a block here, a schedule file, a detection rule. No activation
# changes.
#
# A build generates the variants of one family: the family of the machine it builds for (x86-64,
# or AArch64 when cross-compiling with cmake/toolchains/aarch64-linux-gnu.cmake), or exactly one
# Halide target that the user names with -DHACT_TARGET=<target> (scripts/regenerate.sh).
set(HACT_X86_ISAS x86_64 avx2 avx512)
set(HACT_TARGET_x86_64 "x86-64-linux")
set(HACT_TARGET_avx2 "x86-64-linux-sse41-avx-avx2-fma-f16c")
set(HACT_TARGET_avx512 "x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake")

# AArch64: 128-bit NEON with 32 registers everywhere; ARMv8.2-A adds FP16 arithmetic and the dot
# product (chosen at run time from getauxval(AT_HWCAP)).
set(HACT_ARM_ISAS neon neon_fp16)
set(HACT_TARGET_neon "arm-64-linux")
set(HACT_TARGET_neon_fp16 "arm-64-linux-armv82a-arm_fp16-arm_dot_prod")

set(HACT_DTYPES f32 bf16 f16 f64)
# CUDA kernels: every dtype (float64's math calls libdevice there, the C library on CPUs:
# generators/float64.h).
set(HACT_DEVICE_DTYPES f32 bf16 f16 f64)
set(HACT_TARGET "" CACHE STRING
    "Generate for this one Halide target only (e.g. arm-64-android); empty: the build machine's family")

# hact_isa_slot_of(<out> <halide target>): the runtime variant a custom target fills: the most
# capable one whose features the target has (the runtime then runs it where the CPU has them).
function(hact_isa_slot_of out target)
    if (target MATCHES "^x86-64-")
        if (target MATCHES "-avx512(-|$)")
            set(slot avx512)
        elseif (target MATCHES "-avx2(-|$)")
            set(slot avx2)
        else ()
            set(slot x86_64)
        endif ()
    elseif (target MATCHES "^arm-64-")
        if (target MATCHES "-arm_fp16(-|$)")
            set(slot neon_fp16)
        else ()
            set(slot neon)
        endif ()
    else ()
        message(FATAL_ERROR "hact: no schedule family for Halide target '${target}': hact generates "
                            "for x86-64-<os>-... and arm-64-<os>-... (64-bit x86 and AArch64)")
    endif ()
    set(${out} ${slot} PARENT_SCOPE)
endfunction()

# Instruction-set features of Halide target strings. A custom target fills a variant whose run-time
# check (runtime/cpu_features.c) covers the features of that variant's own target string above
# (plus the AArch64 baselines they imply); any other would be compiled into the kernels unchecked
# (an illegal instruction on a CPU without it, where the promise is HACT_ERR_UNSUPPORTED): refused.
set(HACT_HALIDE_ISA_FEATURES sse41 avx avx2 fma fma4 f16c avx512 avx512_knl avx512_skylake
    avx512_cannonlake avx512_sapphirerapids avx512_zen4 avx512_zen5 avxvnni avx10_1 x86apx
    armv7s armv8a armv81a armv82a armv83a armv84a armv85a armv86a armv87a armv88a armv89a
    arm_dot_prod arm_fp16 sve sve2)
# hact_target_features(<out> <halide target>): the features after <arch>-<bits>-<os>.
function(hact_target_features out target)
    string(REPLACE "-" ";" _parts "${target}")
    list(LENGTH _parts _count)
    set(_features "")
    if (_count GREATER 3)
        list(SUBLIST _parts 3 -1 _features)
    endif ()
    set(${out} ${_features} PARENT_SCOPE)
endfunction()

if (HACT_TARGET)
    hact_isa_slot_of(_slot "${HACT_TARGET}")
    hact_target_features(_checked "${HACT_TARGET_${_slot}}")
    if (_slot MATCHES "^neon")
        list(APPEND _checked armv8a)  # the AArch64 baseline; armv82a implies armv81a
        if ("armv82a" IN_LIST _checked)
            list(APPEND _checked armv81a)
        endif ()
    endif ()
    hact_target_features(_features "${HACT_TARGET}")
    foreach (_f IN LISTS _features)
        if (_f IN_LIST HACT_HALIDE_ISA_FEATURES AND NOT _f IN_LIST _checked)
            string(REPLACE ";" ", " _ok "${_checked}")
            message(FATAL_ERROR "hact: Halide target '${HACT_TARGET}' fills the '${_slot}' variant, whose "
                                "run-time CPU check covers only [${_ok}]: '${_f}' would be compiled in "
                                "unchecked (a CPU without it would fault). Leave it out, or add a "
                                "variant that checks it (cmake/HactTargets.cmake, runtime/cpu_features.c).")
        endif ()
    endforeach ()
    set(HACT_ISAS ${_slot})
    set(HACT_TARGET_${_slot} "${HACT_TARGET}")
    set(HACT_RUNTIME_TARGET "${HACT_TARGET}")
    set(_cuda_default OFF)
elseif (CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set(HACT_ISAS ${HACT_X86_ISAS})
    # One Halide runtime for every variant: the runtime does not depend on the ISA features.
    set(HACT_RUNTIME_TARGET "x86-64-linux")
    set(_cuda_default ON)
elseif (CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
    set(HACT_ISAS ${HACT_ARM_ISAS})
    set(HACT_RUNTIME_TARGET "arm-64-linux")
    set(_cuda_default OFF)
else ()
    message(FATAL_ERROR "hact: no target family for ${CMAKE_SYSTEM_PROCESSOR} (x86-64 and AArch64); "
                        "name a Halide target with -DHACT_TARGET=...")
endif ()
message(STATUS "hact ISAs: ${HACT_ISAS}")

# GPU variants ("devices"): kernels whose loops run on a GPU, called through hact_cuda_* with
# device pointers. Generating them needs no GPU and no CUDA toolkit (Halide emits PTX itself);
# the Halide runtime loads libcuda.so.1 when the first CUDA call runs, so a program linked with
# hact runs on machines without a driver (the hact_cuda_* calls then report
# HACT_ERR_DEVICE_UNAVAILABLE).
#   cuda: PTX for compute capability 6.1 (Pascal). The driver JIT-compiles it once per GPU model
#         (cached in ~/.nv/ComputeCache) for every later architecture: Volta 7.0, Turing 7.5,
#         Ampere 8.x, Ada 8.9, Hopper 9.0 (Halide 21 has no capability feature above 8.6, and
#         elementwise code gains nothing from newer PTX). user_context carries the caller's
#         CUDA context and stream into Halide's runtime (runtime/cuda.c).
option(HACT_CUDA "Generate CUDA kernels (PTX; no GPU or toolkit needed to build)" ${_cuda_default})
set(HACT_DEVICES "")
if (HACT_CUDA)
    list(APPEND HACT_DEVICES cuda)
    list(GET HACT_ISAS 0 _base)
    string(REGEX MATCH "^[a-z0-9_]+-[0-9]+-[a-z]+" _host_part "${HACT_TARGET_${_base}}")
    set(HACT_TARGET_cuda "${_host_part}-cuda-cuda_capability_61-user_context")
    set(HACT_RUNTIME_TARGET "${HACT_RUNTIME_TARGET}-cuda")
endif ()
message(STATUS "hact devices: ${HACT_DEVICES}")

# The instruction-set variants hact compiles, and the Halide target of each. The runtime's ISA enum
# (hact_isa in include/hact/hact.h) and runtime/cpu_features.c must know every name used here.
# Adding a target family means: a line here, a schedule file in schedules/, a detection rule in
# runtime/cpu_features.c. No activation changes.
set(HACT_X86_TARGET_x86_64 "x86-64-linux")
set(HACT_X86_TARGET_avx2 "x86-64-linux-sse41-avx-avx2-fma-f16c")
set(HACT_X86_TARGET_avx512 "x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake")

set(HACT_ISAS "")
set(HACT_DTYPES f32 bf16 f16)
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
option(HACT_CUDA "Generate CUDA kernels (PTX; no GPU or toolkit needed to build)" ON)
set(HACT_DEVICES "")
if (HACT_CUDA)
    list(APPEND HACT_DEVICES cuda)
    set(HACT_TARGET_cuda "x86-64-linux-cuda-cuda_capability_61-user_context")
    set(HACT_RUNTIME_TARGET "${HACT_RUNTIME_TARGET}-cuda")
endif ()
message(STATUS "hact devices: ${HACT_DEVICES}")

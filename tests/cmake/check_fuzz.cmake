# The libFuzzer target over the C ABI (tests/fuzz): configure and build it with clang as a project
# of its own (the main build may use gcc), linking the kernel archives the main build generated,
# then fuzz for a bounded time from the committed seed corpus. New inputs go to WORK_DIR/corpus
# (the committed corpus is only read); a crash or failed check fails the test and leaves the
# input in WORK_DIR (reproduce: WORK_DIR/build/hact_fuzz_abi <file>).
# Usage: cmake -DFUZZ_SOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=... [-DMAKE_PROGRAM=...]
#              -DCLANG=... -DCLANGXX=... -DHACT_SOURCE_DIR=... -DHACT_GENERATED_DIR=...
#              -DHALIDE_INCLUDE_DIR=... -DKERNEL_LIST=... -DCORPUS=... -DSECONDS=...
#              -P check_fuzz.cmake
cmake_minimum_required(VERSION 3.20)
# A skip says why (ctest: SKIP_REGULAR_EXPRESSION "HACT_SKIP").
if (NOT CLANG OR NOT CLANGXX)
    message("HACT_SKIP: no clang/clang++ found (scripts/setup.sh installs clang and libclang-rt-14-dev): the fuzzer is not built")
    return()
endif ()
execute_process(COMMAND "${CLANG}" -print-file-name=libclang_rt.fuzzer-x86_64.a
                OUTPUT_VARIABLE _rt OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND "${CLANG}" --print-runtime-dir OUTPUT_VARIABLE _rtdir OUTPUT_STRIP_TRAILING_WHITESPACE)
if (NOT EXISTS "${_rt}" AND NOT EXISTS "${_rtdir}/libclang_rt.fuzzer-x86_64.a")
    message("HACT_SKIP: ${CLANG} has no libFuzzer runtime (libclang_rt.fuzzer-x86_64.a; Debian: libclang-rt-14-dev)")
    return()
endif ()

function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if (NOT rc EQUAL 0)
        list(JOIN ARGN " " cmd)
        message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
    endif ()
endfunction()

set(build "${WORK_DIR}/build")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(args -S "${FUZZ_SOURCE_DIR}" -B "${build}" -G "${GENERATOR}" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    "-DCMAKE_C_COMPILER=${CLANG}" "-DCMAKE_CXX_COMPILER=${CLANGXX}"
    "-DHACT_SOURCE_DIR=${HACT_SOURCE_DIR}" "-DHACT_GENERATED_DIR=${HACT_GENERATED_DIR}"
    "-DHALIDE_INCLUDE_DIR=${HALIDE_INCLUDE_DIR}" "-DKERNEL_LIST=${KERNEL_LIST}")
if (MAKE_PROGRAM)
    list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif ()
run("${CMAKE_COMMAND}" ${args})
run("${CMAKE_COMMAND}" --build "${build}")

# Fuzz: new inputs into WORK_DIR/corpus, the committed corpus read only.
set(new_corpus "${WORK_DIR}/corpus")
file(REMOVE_RECURSE "${new_corpus}")
file(MAKE_DIRECTORY "${new_corpus}")
file(GLOB _seeds "${CORPUS}/*")
list(LENGTH _seeds _nseeds)
message(STATUS "fuzzing for ${SECONDS} s from ${_nseeds} seed inputs (${CORPUS})")
execute_process(
    COMMAND "${build}/hact_fuzz_abi" -max_total_time=${SECONDS} -timeout=60 -rss_limit_mb=4096
            -print_final_stats=1 -artifact_prefix=${WORK_DIR}/ "${new_corpus}" "${CORPUS}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" _runs "${err}")
string(REGEX MATCH "stat::average_exec_per_sec: *[0-9]+" _rate "${err}")
string(REGEX MATCH "stat::new_units_added: *[0-9]+" _new "${err}")
message(STATUS "${_runs}; ${_rate}; ${_new}")
if (NOT rc EQUAL 0)
    string(LENGTH "${err}" _len)
    if (_len GREATER 12000)
        math(EXPR _from "${_len} - 12000")
        string(SUBSTRING "${err}" ${_from} -1 err)
    endif ()
    message(FATAL_ERROR "the fuzzer failed (${rc}); the input is in ${WORK_DIR} (crash-*), "
                        "reproduce with ${build}/hact_fuzz_abi <file>:\n${err}")
endif ()

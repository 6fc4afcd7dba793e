# 12. Install hact into a fresh prefix, then configure, build and run tests/consumer/ against it
# with the same cmake and generator, once with libhact.a and once with libhact.so; the programs
# must not need libHalide at run time.
# Usage: cmake -DHACT_BUILD_DIR=... -DCONSUMER_SOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=...
#              [-DMAKE_PROGRAM=...] [-DC_COMPILER=...] -P check_consumer.cmake
cmake_minimum_required(VERSION 3.20)
function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if (NOT rc EQUAL 0)
        list(JOIN ARGN " " cmd)
        message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
    endif ()
    set(run_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
set(build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

run("${CMAKE_COMMAND}" --install "${HACT_BUILD_DIR}" --prefix "${prefix}")
foreach (f IN ITEMS include/hact/hact.h include/hact/activations.def)
    if (NOT EXISTS "${prefix}/${f}")
        message(FATAL_ERROR "install did not write ${f}")
    endif ()
endforeach ()

set(args -S "${CONSUMER_SOURCE_DIR}" -B "${build}" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release
    # Only the install prefix: no Halide, no build tree.
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
if (MAKE_PROGRAM)
    list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif ()
if (C_COMPILER)
    list(APPEND args "-DCMAKE_C_COMPILER=${C_COMPILER}")
endif ()
run("${CMAKE_COMMAND}" ${args})
run("${CMAKE_COMMAND}" --build "${build}")
foreach (f IN ITEMS libhact.a libhact.so libhact.so.0)
    if (NOT EXISTS "${prefix}/lib/${f}" AND NOT EXISTS "${prefix}/lib64/${f}")
        message(FATAL_ERROR "install did not write lib/${f}")
    endif ()
endforeach ()

find_program(LDD ldd)
if (NOT LDD)
    message(FATAL_ERROR "ldd not found: cannot check the apps' dynamic dependencies")
endif ()
# app: libhact.a; app_shared: the installed libhact.so (found through the build RPATH CMake sets).
foreach (name IN ITEMS app app_shared)
    set(app "${build}/${name}")
    run("${app}")
    message(STATUS "${name}: ${run_output}")
    # No dynamic dependency on Halide.
    run("${LDD}" "${app}")
    string(TOLOWER "${run_output}" deps)
    if (deps MATCHES "halide")
        message(FATAL_ERROR "${name} links libHalide:\n${run_output}")
    endif ()
    if (NOT deps MATCHES "libc\\.so")
        message(FATAL_ERROR "unexpected ldd output (no libc):\n${run_output}")
    endif ()
    if (name STREQUAL "app_shared" AND NOT run_output MATCHES "libhact\\.so\\.0 => ${prefix}/")
        message(FATAL_ERROR "app_shared does not load the installed libhact.so.0:\n${run_output}")
    endif ()
    message(STATUS "${name}'s dynamic dependencies:\n${run_output}")
endforeach ()

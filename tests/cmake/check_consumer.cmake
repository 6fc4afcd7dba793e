# 12. The installed package, as users get it: install hact into a fresh prefix, move the prefix
# (the CMake package and the pkg-config files must be relocatable), check what it holds, then
# build and run the two examples against it:
#   examples/consumer_c    CMake, find_package(hact): hact::hact (libhact.a), hact::hact_shared
#   examples/consumer_cpp  GNU make + pkg-config: hact.pc (libhact.a), hact-shared.pc (libhact.so)
# Static programs must need neither libhact.so nor libHalide at run time; shared ones must need
# libhact.so.0 (and the native run must load the installed one).
#
# Usage: cmake -DHACT_BUILD_DIR=... -DEXAMPLES_DIR=<repo>/examples -DWORK_DIR=... -DGENERATOR=...
#              -DVERSION=<x.y.z> -DLIBDIR=<lib> -DPKG_CONFIG=... -DMAKE=<GNU make> -DREADELF=...
#              [-DMAKE_PROGRAM=...] [-DC_COMPILER=...] [-DCXX_COMPILER=...]
#              [-DEMULATOR=<program|args>]       run the programs through it (e.g. qemu-aarch64|-L|...)
#              [-DCONSUMER_CMAKE_ARGS=<list>]    extra configure arguments (e.g. a toolchain file)
#              -P check_consumer.cmake
# A cross variant passes its cross compilers, an EMULATOR and the cross build's HACT_BUILD_DIR;
# the ldd check (native loader) is then left out, the readelf checks stay.
cmake_minimum_required(VERSION 3.20)
string(REPLACE "|" ";" EMULATOR "${EMULATOR}")  # ctest passes the emulator's words joined by "|"
foreach (v IN ITEMS HACT_BUILD_DIR EXAMPLES_DIR WORK_DIR GENERATOR VERSION LIBDIR PKG_CONFIG MAKE READELF)
    if (NOT ${v})
        message(FATAL_ERROR "check_consumer.cmake: -D${v}=... is required")
    endif ()
endforeach ()

function(run)
    cmake_parse_arguments(R "" "WORKING_DIRECTORY" "" ${ARGN})
    if (NOT R_WORKING_DIRECTORY)
        set(R_WORKING_DIRECTORY "${WORK_DIR}")
    endif ()
    execute_process(COMMAND ${R_UNPARSED_ARGUMENTS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                    WORKING_DIRECTORY "${R_WORKING_DIRECTORY}")
    list(JOIN R_UNPARSED_ARGUMENTS " " cmd)
    if (NOT rc EQUAL 0)
        message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
    endif ()
    message(STATUS "$ ${cmd}\n${out}${err}")
    set(run_output "${out}" PARENT_SCOPE)
endfunction()

string(TIMESTAMP t0 "%s")
set(staged "${WORK_DIR}/staged")
set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# ---- install, then move the tree: nothing may point back at where it was installed ------------
run("${CMAKE_COMMAND}" --install "${HACT_BUILD_DIR}" --prefix "${staged}")
file(RENAME "${staged}" "${prefix}")
set(libdir "${prefix}/${LIBDIR}")
foreach (f IN ITEMS include/hact/hact.h include/hact/activations.def include/hact/glu.def
                   ${LIBDIR}/libhact.a ${LIBDIR}/libhact.so ${LIBDIR}/libhact.so.0 ${LIBDIR}/libhact.so.${VERSION}
                   ${LIBDIR}/cmake/hact/hactConfig.cmake ${LIBDIR}/cmake/hact/hactConfigVersion.cmake
                   ${LIBDIR}/pkgconfig/hact.pc ${LIBDIR}/pkgconfig/hact-shared.pc)
    if (NOT EXISTS "${prefix}/${f}")
        message(FATAL_ERROR "the install did not write ${f}")
    endif ()
endforeach ()
file(GLOB_RECURSE installed RELATIVE "${prefix}" "${prefix}/*")
foreach (f IN LISTS installed)
    if (f MATCHES "\\.(cmake|pc)$")
        file(READ "${prefix}/${f}" text)
        string(FIND "${text}" "${staged}" at_staged)
        string(FIND "${text}" "${HACT_BUILD_DIR}" at_build)
        if (at_staged GREATER -1 OR at_build GREATER -1)
            message(FATAL_ERROR "${f} names the staging prefix or the build tree:\n${text}")
        endif ()
    endif ()
endforeach ()

# ---- pkg-config sees only this prefix -------------------------------------------------------
set(pc_env "${CMAKE_COMMAND}" -E env "PKG_CONFIG_LIBDIR=${libdir}/pkgconfig" --unset=PKG_CONFIG_PATH
    --unset=PKG_CONFIG_SYSROOT_DIR)
run(${pc_env} "${PKG_CONFIG}" --modversion hact hact-shared)
string(REGEX REPLACE "[\r\n]+$" "" got "${run_output}")
if (NOT got STREQUAL "${VERSION}\n${VERSION}")
    message(FATAL_ERROR "pkg-config --modversion hact hact-shared: '${got}', expected ${VERSION} twice")
endif ()
run(${pc_env} "${PKG_CONFIG}" --variable=prefix hact)
string(STRIP "${run_output}" pc_prefix)
get_filename_component(pc_prefix "${pc_prefix}" REALPATH)
get_filename_component(real_prefix "${prefix}" REALPATH)
if (NOT pc_prefix STREQUAL real_prefix)
    message(FATAL_ERROR "hact.pc's prefix is ${pc_prefix}, expected the moved prefix ${real_prefix}")
endif ()
run(${pc_env} "${PKG_CONFIG}" --libs hact)
if (NOT run_output MATCHES "-l:libhact\\.a" OR NOT run_output MATCHES "-lm")
    message(FATAL_ERROR "pkg-config --libs hact: expected -l:libhact.a and -lm, got ${run_output}")
endif ()

# ---- examples/consumer_c through CMake -------------------------------------------------------
set(args -S "${EXAMPLES_DIR}/consumer_c" -B "${WORK_DIR}/consumer_c" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release
    # Only the install prefix: no Halide, no build tree.
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
if (MAKE_PROGRAM)
    list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif ()
if (C_COMPILER)
    list(APPEND args "-DCMAKE_C_COMPILER=${C_COMPILER}")
endif ()
run("${CMAKE_COMMAND}" ${args} ${CONSUMER_CMAKE_ARGS})
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/consumer_c")

# ---- examples/consumer_cpp through make + pkg-config -----------------------------------------
file(MAKE_DIRECTORY "${WORK_DIR}/consumer_cpp")
set(make_args -f "${EXAMPLES_DIR}/consumer_cpp/Makefile" "PKG_CONFIG=${PKG_CONFIG}")
if (CXX_COMPILER)
    list(APPEND make_args "CXX=${CXX_COMPILER}")
endif ()
run(${pc_env} "${MAKE}" ${make_args} WORKING_DIRECTORY "${WORK_DIR}/consumer_cpp")

# ---- run them; what each needs at run time ---------------------------------------------------
set(programs consumer_c/consumer_c consumer_c/consumer_c_shared
             consumer_cpp/consumer_cpp consumer_cpp/consumer_cpp_shared)
foreach (p IN LISTS programs)
    set(exe "${WORK_DIR}/${p}")
    run(${EMULATOR} "${exe}")
    run("${READELF}" -d "${exe}")
    string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*" needed_lines "${run_output}")
    set(needed "")
    foreach (l IN LISTS needed_lines)
        if (l MATCHES "\\[(.*)\\]")
            list(APPEND needed "${CMAKE_MATCH_1}")
        endif ()
    endforeach ()
    string(TOLOWER "${needed}" lower)
    if (lower MATCHES "halide")
        message(FATAL_ERROR "${p} needs libHalide: ${needed}")
    endif ()
    if (NOT needed MATCHES "libc\\.so")
        message(FATAL_ERROR "${p}: unexpected readelf -d output (no libc.so NEEDED): ${needed}\n${run_output}")
    endif ()
    if (p MATCHES "_shared$")
        if (NOT "libhact.so.0" IN_LIST needed)
            message(FATAL_ERROR "${p} does not need libhact.so.0: ${needed}")
        endif ()
        if (NOT EMULATOR)
            find_program(LDD ldd REQUIRED)
            run("${LDD}" "${exe}")
            # (the path may read <libdir>/pkgconfig/../../lib: pkg-config's ${pcfiledir}-based libdir)
            set(loaded "")
            if (run_output MATCHES "libhact\\.so\\.0 => ([^ \n]+)")
                get_filename_component(loaded "${CMAKE_MATCH_1}" REALPATH)
            endif ()
            get_filename_component(installed_so "${libdir}/libhact.so.0" REALPATH)
            if (NOT loaded STREQUAL installed_so)
                message(FATAL_ERROR "${p} does not load the installed libhact.so.0:\n${run_output}")
            endif ()
        endif ()
    elseif (needed MATCHES "libhact")
        message(FATAL_ERROR "${p} is linked to libhact.a yet needs ${needed}")
    endif ()
    message(STATUS "${p}: NEEDED ${needed}")
endforeach ()
string(TIMESTAMP t1 "%s")
math(EXPR dt "${t1} - ${t0}")
message(STATUS "installed consumers: 4 programs built and run against ${prefix} in ${dt} s")

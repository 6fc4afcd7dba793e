# hact_foreign_pipeline_symbols: the program that links hact with a foreign Halide pipeline sees
# one definition of each Halide runtime symbol, the program's own; hact's copy is there but local.
#  - STATIC_EXE (libhact.a): every halide_* and Halide::Runtime::* symbol has at most one global
#    definition, the hooks below exactly one; and each of those hooks also has a local
#    definition (hact's private runtime, linked in from libhact.a).
#  - SHARED_EXE (libhact.so): exactly one global definition of each hook, none local (hact's
#    runtime is inside libhact.so, whose dynamic symbols hact_shared_symbols_prefixed checks).
#  - LIBHACT_A: no undefined halide_* or Halide::Runtime symbol (one would bind to the program's
#    runtime), and no COMDAT group (a linker keeps one group per signature name, local or not:
#    it would drop hact's copy of a Halide helper for the program's, or the program's for hact's).
# Usage: cmake -DNM=... -DREADELF=... -DSTATIC_EXE=... -DSHARED_EXE=... -DLIBHACT_A=...
#              -P check_halide_symbols.cmake
cmake_minimum_required(VERSION 3.20)
set(hooks halide_error halide_set_error_handler halide_malloc halide_free halide_set_custom_malloc
          halide_do_par_for halide_set_custom_do_par_for halide_set_num_threads halide_print)
set(pattern "^(halide_|_ZN6Halide7Runtime)")

function(nm_lines out)
    execute_process(COMMAND "${NM}" ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err)
    if (NOT rc EQUAL 0)
        message(FATAL_ERROR "${NM} ${ARGN} failed (${rc}): ${err}")
    endif ()
    string(REPLACE "\n" ";" lines "${text}")
    set(${out} "${lines}" PARENT_SCOPE)
endfunction()

function(check_exe exe expect_local)
    nm_lines(lines --defined-only "${exe}")
    set(globals "")
    set(locals "")
    foreach (line IN LISTS lines)
        if (line MATCHES "^[0-9a-fA-F]+ ([A-Za-z]) (.+)$")
            set(type "${CMAKE_MATCH_1}")
            set(name "${CMAKE_MATCH_2}")
            if (name MATCHES "${pattern}")
                if (type MATCHES "^[A-Z]$")
                    list(APPEND globals "${name}")
                else ()
                    list(APPEND locals "${name}")
                endif ()
            endif ()
        endif ()
    endforeach ()
    list(LENGTH globals nglobal)
    list(LENGTH locals nlocal)
    if (nglobal LESS 20)
        message(FATAL_ERROR "${exe}: only ${nglobal} global Halide runtime symbols: where is the program's runtime?")
    endif ()
    set(unique ${globals})
    list(REMOVE_DUPLICATES unique)
    list(LENGTH unique nunique)
    if (NOT nunique EQUAL nglobal)
        foreach (n IN LISTS unique)
            list(REMOVE_ITEM globals "${n}")
        endforeach ()
        message(FATAL_ERROR "${exe}: more than one global definition of: ${globals}")
    endif ()
    foreach (h IN LISTS hooks)
        if (NOT h IN_LIST unique)
            message(FATAL_ERROR "${exe}: no global definition of ${h}")
        endif ()
        if (expect_local AND NOT h IN_LIST locals)
            message(FATAL_ERROR "${exe}: no local (hact's) definition of ${h}: hact's runtime is not private")
        elseif (NOT expect_local AND h IN_LIST locals)
            message(FATAL_ERROR "${exe}: an unexpected local definition of ${h}")
        endif ()
    endforeach ()
    message(STATUS "${exe}: ${nglobal} global Halide runtime symbols, each defined once; ${nlocal} local ones")
endfunction()

check_exe("${STATIC_EXE}" ON)
check_exe("${SHARED_EXE}" OFF)

nm_lines(lines --undefined-only "${LIBHACT_A}")
set(bad "")
foreach (line IN LISTS lines)
    if (line MATCHES "^ +[A-Za-z] (.+)$" AND CMAKE_MATCH_1 MATCHES "${pattern}")
        list(APPEND bad "${CMAKE_MATCH_1}")
    endif ()
endforeach ()
if (bad)
    message(FATAL_ERROR "${LIBHACT_A} leaves Halide runtime symbols undefined (they would bind to "
                        "the program's runtime): ${bad}")
endif ()
message(STATUS "${LIBHACT_A}: no undefined Halide runtime symbol")

execute_process(COMMAND "${READELF}" -g "${LIBHACT_A}" RESULT_VARIABLE rc OUTPUT_VARIABLE groups ERROR_VARIABLE err)
if (NOT rc EQUAL 0)
    message(FATAL_ERROR "${READELF} -g failed (${rc}): ${err}")
endif ()
if (groups MATCHES "COMDAT group")
    message(FATAL_ERROR "${LIBHACT_A} has COMDAT groups:\n${groups}")
endif ()
if (NOT groups MATCHES "no section groups")
    message(FATAL_ERROR "unexpected readelf -g output:\n${groups}")
endif ()
message(STATUS "${LIBHACT_A}: no COMDAT group")

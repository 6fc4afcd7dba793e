# HACT_KERNELS_ONLY: the kernels generated for HACT_TARGET, packaged so that a toolchain for that
# target finishes libhact.a (scripts/regenerate.sh drives this). Nothing here is compiled for the
# target: `cmake --install` writes
#   lib/libhact_kernels.a    every kernel and one Halide runtime (objects for HACT_TARGET)
#   include/hact/            the public header and the registry (.def) files
#   src/                     the C runtime's sources, the kernel list (generated/), the Halide
#                            runtime headers and a CMakeLists.txt that builds lib/libhact.a
#                            (kernels + runtime, only hact_* global) with the target's compiler
#   hact-target.txt          the Halide target and the runtime variant it fills
include(GNUInstallDirs)
set(_kernels_archive ${PROJECT_BINARY_DIR}/package/libhact_kernels.a)
set(_archives "")
foreach (lib IN LISTS HACT_KERNEL_LIBRARIES ITEMS hact_halide_runtime)
    list(APPEND _archives $<TARGET_FILE:${lib}>)
endforeach ()
# One archive from the kernels' archives (one object each) and the runtime's: the members are
# extracted and archived again, in any object format (ELF, Mach-O, COFF), with llvm-ar where it
# is installed (it writes the symbol index of every format), else the toolchain's ar.
find_program(HACT_LLVM_AR NAMES llvm-ar llvm-ar-18 llvm-ar-17 llvm-ar-16 llvm-ar-15 llvm-ar-14)
set(_ar ${CMAKE_AR})
if (HACT_LLVM_AR)
    set(_ar ${HACT_LLVM_AR})
endif ()
# The inputs' paths, one per line (a list on the command line would be split into arguments).
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/package/kernel_archives.txt CONTENT "$<JOIN:${_archives},\n>\n")
add_custom_command(
    OUTPUT ${_kernels_archive}
    COMMAND ${CMAKE_COMMAND} -DAR=${_ar} -DOUTPUT=${_kernels_archive}
            -DINPUTS_FILE=${PROJECT_BINARY_DIR}/package/kernel_archives.txt
            -P ${PROJECT_SOURCE_DIR}/cmake/package/merge_archives.cmake
    DEPENDS ${HACT_KERNEL_LIBRARIES} hact_halide_runtime ${PROJECT_SOURCE_DIR}/cmake/package/merge_archives.cmake
    COMMENT "Archiving the kernels for ${HACT_TARGET} into libhact_kernels.a"
    VERBATIM)
add_custom_target(hact_kernel_package ALL DEPENDS ${_kernels_archive})

list(GET HACT_ISAS 0 _slot)
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/package/hact-target.txt
     CONTENT "halide_target=${HACT_TARGET}\nhact_isa=${_slot}\nhact_version=${PROJECT_VERSION}\n")
install(FILES ${_kernels_archive} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_BINARY_DIR}/package/hact-target.txt DESTINATION .)
install(FILES include/hact/hact.h include/hact/activations.def include/hact/glu.def
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hact)
file(GLOB _runtime_sources ${PROJECT_SOURCE_DIR}/runtime/*.c ${PROJECT_SOURCE_DIR}/runtime/*.h
     ${PROJECT_SOURCE_DIR}/runtime/libhact.map)
install(FILES ${_runtime_sources} DESTINATION src/runtime)
install(FILES ${PROJECT_BINARY_DIR}/generated/hact_kernels.inc ${PROJECT_BINARY_DIR}/generated/hact_isas.inc
        DESTINATION src/generated)
install(FILES cmake/package/CMakeLists.txt cmake/HactBundle.cmake DESTINATION src)
# Halide's runtime headers (the C runtime includes HalideRuntime.h and HalideRuntimeCuda.h), from
# the Halide package this build uses.
find_file(HACT_HALIDE_RUNTIME_H HalideRuntime.h HINTS ${HalideHelpers_DIR}/../../../include NO_DEFAULT_PATH)
if (NOT HACT_HALIDE_RUNTIME_H)
    message(FATAL_ERROR "hact: HalideRuntime.h not found beside ${HalideHelpers_DIR}")
endif ()
get_filename_component(_halide_include ${HACT_HALIDE_RUNTIME_H} DIRECTORY)
file(GLOB _halide_runtime_headers ${_halide_include}/HalideRuntime*.h)
install(FILES ${_halide_runtime_headers} DESTINATION src/halide)

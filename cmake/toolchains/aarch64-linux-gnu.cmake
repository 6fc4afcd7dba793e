# Cross-compiling hact for AArch64 Linux with Debian's cross toolchain (g++-aarch64-linux-gnu);
# the programs run under qemu-user (qemu-aarch64) when it is installed, so ctest runs the whole
# suite on an x86-64 machine. scripts/cross_build.sh uses this file.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(_triple aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${_triple}-gcc)
set(CMAKE_CXX_COMPILER ${_triple}-g++)
set(CMAKE_FIND_ROOT_PATH /usr/${_triple})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Packages: the target's from its sysroot, and the build machine's (Halide's CMake helpers, the
# host build's generator programs), which are independent of the target.
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
find_program(HACT_QEMU_AARCH64 qemu-aarch64)
if (HACT_QEMU_AARCH64)
    # -L: the target's dynamic loader and libraries.
    set(CMAKE_CROSSCOMPILING_EMULATOR ${HACT_QEMU_AARCH64} -L /usr/${_triple})
endif ()

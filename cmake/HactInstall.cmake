# install: lib/libhact.a, lib/libhact.so (+ its soname links), include/hact/{hact.h,activations.def,glu.def},
# the find_package(hact) files, and the pkg-config files lib/pkgconfig/hact.pc (libhact.a, like
# hact::hact) and hact-shared.pc (libhact.so, like hact::hact_shared). docs/linking.md.
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)
install(FILES ${HACT_STATIC_LIBRARY} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS hact_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/hact/hact.h ${PROJECT_SOURCE_DIR}/include/hact/activations.def
              ${PROJECT_SOURCE_DIR}/include/hact/glu.def
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hact)
# PATH_VARS: the directories as seen from the installed config file, relative where they are
# relative, kept where absolute (-DCMAKE_INSTALL_LIBDIR=/abs/lib, as Nix passes).
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/hactConfig.cmake.in
    ${PROJECT_BINARY_DIR}/hactConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hact
    PATH_VARS CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hactConfigVersion.cmake
    COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hactConfig.cmake ${PROJECT_BINARY_DIR}/hactConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hact)

# pkg-config. "hact" is the static library, as hact::hact is: -l:libhact.a, because with -lhact
# the linker takes libhact.so whenever it lies beside the archive. The archive's own needs
# (libpthread, libdl, libm) are in Libs, not Libs.private: linking the archive always needs them,
# with or without --static. "hact-shared" is libhact.so, which records those needs itself
# (DT_NEEDED), so it adds nothing. The prefix is ${pcfiledir}-relative, so an installed tree can
# be moved (and `cmake --install --prefix` is honoured); an absolute CMAKE_INSTALL_LIBDIR or
# INCLUDEDIR is written as it is.
if (IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(HACT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
    set(HACT_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
    set(HACT_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else ()
    file(RELATIVE_PATH _hact_pc_up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
    string(REGEX REPLACE "/$" "" _hact_pc_up "${_hact_pc_up}")
    set(HACT_PC_PREFIX "\${pcfiledir}/${_hact_pc_up}")
    set(HACT_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
    set(HACT_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif ()
set(HACT_PC_NAME hact)
set(HACT_PC_COMMENT "hact, static: libhact.a (kernels + one private Halide runtime; only hact_* global).")
set(HACT_PC_DESCRIPTION "Halide-generated activation functions and derivatives (static library)")
set(HACT_PC_LIBS "-L\${libdir} -l:libhact.a -lpthread")
foreach (_lib IN LISTS CMAKE_DL_LIBS)
    string(APPEND HACT_PC_LIBS " -l${_lib}")
endforeach ()
string(APPEND HACT_PC_LIBS " -lm")
configure_file(${CMAKE_CURRENT_LIST_DIR}/hact.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/hact.pc @ONLY)
set(HACT_PC_NAME hact-shared)
set(HACT_PC_COMMENT "hact, shared: libhact.so (the same code; only hact_* exported).")
set(HACT_PC_DESCRIPTION "Halide-generated activation functions and derivatives (shared library)")
set(HACT_PC_LIBS "-L\${libdir} -lhact")
configure_file(${CMAKE_CURRENT_LIST_DIR}/hact.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/hact-shared.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/hact.pc ${PROJECT_BINARY_DIR}/pkgconfig/hact-shared.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

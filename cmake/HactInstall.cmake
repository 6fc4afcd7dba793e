# install: lib/libhact.a, lib/libhact.so (+ its soname links), include/hact/{hact.h,activations.def,glu.def},
# and the find_package(hact) files.
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)
install(FILES ${HACT_STATIC_LIBRARY} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS hact_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/hact/hact.h ${PROJECT_SOURCE_DIR}/include/hact/activations.def
              ${PROJECT_SOURCE_DIR}/include/hact/glu.def
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hact)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/hactConfig.cmake.in
    ${PROJECT_BINARY_DIR}/hactConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hact)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hactConfigVersion.cmake
    COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hactConfig.cmake ${PROJECT_BINARY_DIR}/hactConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hact)

# hact_bundle(<output archive> <bundle object> INPUTS <archives>... DEPENDS <targets>...)
# Links the archives (the C runtime, the kernels, one Halide runtime) into one relocatable object
# whose only global symbols are hact_* (the public API), and archives it: a program that links it
# next to its own Halide code (or another hact) gets no clash and no replaced runtime hooks.
# Used by runtime/CMakeLists.txt and by the package that scripts/regenerate.sh writes.
function(hact_bundle archive object)
    cmake_parse_arguments(ARG "" "" "INPUTS;DEPENDS" ${ARGN})
    get_filename_component(dir "${archive}" DIRECTORY)
    add_custom_command(
        OUTPUT ${archive} ${object}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
        COMMAND ${CMAKE_LINKER} -r -o ${object} --whole-archive ${ARG_INPUTS} --no-whole-archive
        # Localising is not enough: Halide's runtime puts some C++ helpers (PrinterBase, the
        # parking-lot vtables) in COMDAT groups, and a linker keeps one group per signature name
        # whatever its binding, so with a program's own Halide runtime it kept theirs and dropped
        # ours (references to discarded sections). -R .group makes those sections ordinary ones.
        COMMAND ${CMAKE_OBJCOPY} --wildcard --keep-global-symbol=hact_* --remove-section=.group ${object}
        COMMAND ${CMAKE_COMMAND} -E rm -f ${archive}
        COMMAND ${CMAKE_AR} rcs ${archive} ${object}
        DEPENDS ${ARG_DEPENDS}
        COMMENT "Bundling ${archive} (kernels + runtime; only hact_* global)"
        COMMAND_EXPAND_LISTS VERBATIM)
endfunction()

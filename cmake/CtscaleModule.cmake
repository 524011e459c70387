# ctscale_add_module(<name> [SOURCES <files...>] [USES <modules...>] [LIBRARIES <targets...>])
#
# One module of src/ (docs/architecture.md): the library target ctscale_<name> (alias
# ctscale::<name>) with its sources, linked to the ctscale modules it USES and to external
# LIBRARIES. These calls are the single source of truth of the module graph.
#
# Modules are shared libraries linked with -z defs: a module's library must resolve every
# symbol it uses from the modules it is allowed to use (its USES, and theirs), so an
# include across a forbidden boundary fails to link. Sanitizer and fuzzing builds, whose
# runtimes live in the executables, build static modules without that check.
# A module without SOURCES is header-only (an INTERFACE target).
if(CTSCALE_SANITIZE OR CTSCALE_FUZZ)
  set(CTSCALE_MODULE_TYPE STATIC)
else()
  set(CTSCALE_MODULE_TYPE SHARED)
endif()
# Programs find the modules in ../lib of the build and install trees alike.
set(CMAKE_INSTALL_RPATH "\$ORIGIN/../lib;\$ORIGIN")

function(ctscale_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;USES;LIBRARIES" ${ARGN})
  set(target ctscale_${name})
  if(M_SOURCES)
    add_library(${target} ${CTSCALE_MODULE_TYPE} ${M_SOURCES})
    set(scope PUBLIC)
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ctscale-${name}
      LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib ARCHIVE_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib)
    if(CTSCALE_MODULE_TYPE STREQUAL "SHARED")
      target_link_options(${target} PRIVATE -Wl,-z,defs)
      # Calls within a module stay direct (and inlinable), as in a static build.
      target_compile_options(${target} PRIVATE -fno-semantic-interposition)
      install(TARGETS ${target} LIBRARY DESTINATION lib)
    endif()
  else()
    add_library(${target} INTERFACE)
    set(scope INTERFACE)
  endif()
  add_library(ctscale::${name} ALIAS ${target})
  target_include_directories(${target} ${scope} ${PROJECT_SOURCE_DIR}/include)
  list(TRANSFORM M_USES PREPEND ctscale_)
  target_link_libraries(${target} ${scope} ${M_USES} ${M_LIBRARIES})
endfunction()

# ctscale_add_program(<name> <source> USES <modules...>): a program in bin/, installed.
function(ctscale_add_program name source)
  cmake_parse_arguments(P "" "" "USES" ${ARGN})
  add_executable(${name} ${source})
  list(TRANSFORM P_USES PREPEND ctscale_)
  target_link_libraries(${name} PRIVATE ${P_USES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  install(TARGETS ${name} RUNTIME DESTINATION bin)
endfunction()

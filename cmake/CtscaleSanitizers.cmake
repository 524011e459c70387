# CTSCALE_SANITIZE=address,undefined (any -fsanitize= list) instruments every target of the
# build; scripts/test-sanitizers.sh uses it in build-asan/. UBSan findings abort (no
# recovery), so a test that triggers one fails instead of printing and passing.
set(CTSCALE_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined (empty: none)")
if(CTSCALE_SANITIZE)
  add_compile_options(-fsanitize=${CTSCALE_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${CTSCALE_SANITIZE})
  if(CTSCALE_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  message(STATUS "ctscale: building with -fsanitize=${CTSCALE_SANITIZE}")
endif()

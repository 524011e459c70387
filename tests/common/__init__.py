"""Helpers shared by the Python tests (docs/testing.md):

- programs: where the build's programs are (CTSCALE_BIN_DIR, CTSCALE_MPIEXEC), the Open MPI
  environment, and running them (under mpiexec or alone), the validator included;
- scratch: unittest bases with a temporary directory per class or per test;
- hdf5_files: checkpoints and token streams in the ctscale HDF5 formats;
- safetensors_files: safetensors checkpoints, well-formed or malformed.
"""

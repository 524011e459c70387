# Tests of ctscale-import (included from tests/CMakeLists.txt).
ctscale_add_test(NAME test_import_parsers
  SOURCES import/test_safetensors_header.cpp import/test_name_table.cpp import/test_npy_header.cpp
  RANKS 1 LABELS unit)
ctscale_add_script_test(NAME import_safetensors COMMAND /usr/bin/python3 tests/import/test_import_safetensors.py
  LABELS "python;mpi" TIMEOUT 600)
ctscale_add_script_test(NAME import_errors COMMAND /usr/bin/python3 tests/import/test_import_errors.py
  LABELS "python;mpi" TIMEOUT 600)
ctscale_add_script_test(NAME import_tokens COMMAND /usr/bin/python3 tests/import/test_import_tokens.py
  LABELS "python;mpi" TIMEOUT 600)
ctscale_add_script_test(NAME import_onnx COMMAND /usr/bin/python3 tests/import/test_import_onnx.py
  LABELS python TIMEOUT 300)
ctscale_add_script_test(NAME import_ppocr COMMAND /usr/bin/python3 tests/import/test_ppocr.py
  LABELS "python;mpi;network" TIMEOUT 900)

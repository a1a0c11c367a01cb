"""A generated corpus for the scale runs (1k to 100k chunks), its questions, and an embedder
that embeds each text once: the vectors are cached on disk, so only the first run at a size
pays for embedding it (~15 minutes for 100k chunks on 2 cores).

Each paragraph is one chunk for both pipelines: paragraphs are 30-45 tokens, separated by the
splitter's paragraph separator, and chunked at CHUNK_TOKENS, so no two fit in one chunk.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from pathlib import Path

import numpy as np

CHUNK_TOKENS, CHUNK_OVERLAP = 64, 0
PARAGRAPHS_PER_FILE = 100
SEPARATOR = "\n\n\n"  # SentenceSplitter's paragraph separator
SEED = 7


def vocabulary() -> list[str]:
    """Whole English words of MiniLM's vocabulary, most frequent first (its ids follow frequency)."""
    from tokenizers import Tokenizer

    from rag.models.embedder import _tokenizer_file

    vocab = Tokenizer.from_file(str(_tokenizer_file())).get_vocab()
    return [w for w, _ in sorted(vocab.items(), key=lambda item: item[1]) if w.isalpha() and w.isascii() and len(w) > 2]


def paragraphs(count: int) -> list[str]:
    """`count` paragraphs of three sentences; the first n are the same for every count."""
    rng = random.Random(SEED)
    words = vocabulary()
    # Zipf-like: common words in most paragraphs, rare ones in few, as in real text.
    cumulative = list(itertools.accumulate(1.0 / (rank + 10) for rank in range(len(words))))
    out = []
    for n in range(count):
        sentences = []
        for _ in range(3):
            picked = rng.choices(words, cum_weights=cumulative, k=rng.randint(7, 9))
            sentences.append(f"{' '.join(picked).capitalize()} in {1700 + rng.randrange(320)}.")
        out.append(f"Record {n}: " + " ".join(sentences))
    return out


def write_corpus(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    texts = paragraphs(count)
    for start in range(0, count, PARAGRAPHS_PER_FILE):
        (root / f"records-{start // PARAGRAPHS_PER_FILE:05d}.txt").write_text(
            SEPARATOR.join(texts[start : start + PARAGRAPHS_PER_FILE]) + "\n"
        )
    return root


def questions(count: int, corpus_size: int) -> list[str]:
    """Questions built from words of random paragraphs, as a user half-remembering one would ask."""
    rng = random.Random(SEED + 1)
    texts = paragraphs(corpus_size)
    asked = []
    for _ in range(count):
        sentence = rng.choice(texts[rng.randrange(corpus_size)].split(": ", 1)[1].split(". "))
        words = sentence.rstrip(".").split()
        asked.append(f"What happened with the {' '.join(words[:5]).lower()}?")
    return asked


class CachedEmbedder:
    """An embedder that looks each text up in a cache file first, and embeds only the misses."""

    def __init__(self, embedder, cache: Path) -> None:
        self._embedder = embedder
        self.name, self.dimension = embedder.name, embedder.dimension
        self.token_ids = embedder.token_ids
        self._cache = cache
        self._rows: dict[str, int] = {}
        self._vectors = np.zeros((0, embedder.dimension), dtype=np.float32)
        self.misses = 0
        if cache.exists():
            with np.load(cache) as stored:
                self._vectors = stored["vectors"]
                self._rows = {key.decode(): row for row, key in enumerate(stored["keys"])}

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.sha1(text.encode()).hexdigest() for text in texts]
        missing = list({key: text for key, text in zip(keys, texts) if key not in self._rows}.items())
        if missing:
            fresh = self._embedder.embed([text for _, text in missing])
            self._rows.update({key: len(self._vectors) + i for i, (key, _) in enumerate(missing)})
            self._vectors = np.concatenate([self._vectors, fresh.astype(np.float32)])
            self.misses += len(missing)
        return self._vectors[[self._rows[key] for key in keys]] if keys else np.zeros((0, self.dimension), dtype=np.float32)

    def save(self) -> None:
        """Keys and vectors in one file, replaced whole: a run killed mid-write leaves the old one."""
        if not self.misses:
            return
        self._cache.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self._rows, key=self._rows.get), dtype="S40")
        partial = self._cache.with_name(self._cache.name + ".partial")
        with open(partial, "wb") as handle:
            np.savez(handle, keys=keys, vectors=self._vectors)
        partial.replace(self._cache)
        self.misses = 0

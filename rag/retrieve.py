"""Hybrid retrieval: vector and BM25 candidates fused by reciprocal rank, near-duplicates collapsed."""

from __future__ import annotations

from dataclasses import replace

from rag.embedder import OnnxEmbedder
from rag.index import Index
from rag.text import words
from rag.types import Passage

RRF_K = 60  # the constant from Cormack et al.; damps the weight of the very top ranks
CANDIDATES = 20  # per retriever, before fusion
NEAR_DUPLICATE = 0.8  # share of the shorter passage's words that another passage already holds


def retrieve(index: Index, embedder: OnnxEmbedder, query: str, k: int) -> list[Passage]:
    pool = max(CANDIDATES, 2 * k)
    by_vector = index.search_vectors(embedder.embed([query])[0].tolist(), pool)
    by_keyword = index.search_keywords(query, pool)
    return collapse_near_duplicates(reciprocal_rank_fusion([by_vector, by_keyword]), k)


def reciprocal_rank_fusion(rankings: list[list[Passage]]) -> list[Passage]:
    scores: dict[str, float] = {}
    passages: dict[str, Passage] = {}
    for ranking in rankings:
        for rank, passage in enumerate(ranking, start=1):
            scores[passage.id] = scores.get(passage.id, 0.0) + 1.0 / (RRF_K + rank)
            passages.setdefault(passage.id, passage)
    order = sorted(scores, key=lambda pid: (-scores[pid], pid))
    return [replace(passages[pid], score=scores[pid]) for pid in order]


def collapse_near_duplicates(ranked: list[Passage], k: int) -> list[Passage]:
    """The first k passages, skipping any that mostly repeats one already chosen."""
    chosen: list[tuple[Passage, set[str]]] = []
    for passage in ranked:
        vocabulary = set(words(passage.text))
        if any(_containment(vocabulary, other) >= NEAR_DUPLICATE for _, other in chosen):
            continue
        chosen.append((passage, vocabulary))
        if len(chosen) == k:
            break
    return [passage for passage, _ in chosen]


def _containment(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))

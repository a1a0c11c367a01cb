"""Hybrid retrieval: vector and BM25 candidates fused by their scores, re-ranked to cover every part
of the question, near-duplicates collapsed; the document the best passage names by title second."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

from rag.models.embedder import Embedder
from rag.store.index import Index
from rag.text import content_words, words
from rag.types import Passage

CANDIDATES = 30  # per retriever, before fusion
# Share of the fused score that comes from BM25, set on the public sets in ../shared/bench:
# keywords are the stronger signal with the small MiniLM embedder.
KEYWORD_WEIGHT = 0.55
# Bonus for a passage holding question words the passages ranked above it lack, as a share of the
# question's words: a second-hop page shares few words with the first but holds the rest.
COVERAGE_WEIGHT = 0.5
# Share of the shorter passage's words that another passage already holds. Lower, news articles
# from one template (source, author, URL lines) were taken for copies of each other.
NEAR_DUPLICATE = 0.95


def retrieve(index: Index, embedder: Embedder, query: str, k: int) -> list[Passage]:
    pool = max(CANDIDATES, 2 * k)
    # The question is embedded and searched for on another thread while BM25 runs on this one
    # (onnxruntime and Chroma let go of the GIL): 5.9 ms instead of 6.5 at 10k chunks.
    by_vector = _vector_side().submit(lambda: index.search_vectors(embedder.embed([query])[0].tolist(), pool))
    by_keyword = index.search_keywords(query, pool)
    fused = fuse_scores(by_vector.result(), by_keyword)
    return with_linked_document(index, query, collapse_near_duplicates(cover_the_question(query, fused), k), k)


@functools.cache
def _vector_side() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(1, thread_name_prefix="vector-search")


def fuse_scores(by_vector: list[Passage], by_keyword: list[Passage]) -> list[Passage]:
    """Mix each retriever's scores, taken relative to its best hit (missing counts as 0).

    Unlike rank fusion, a passage BM25 finds far better than the rest keeps its lead when the
    vector side ranks it low, and a near tie in one retriever stays a near tie.
    """
    vector, keyword = _relative(by_vector), _relative(by_keyword)
    passages = {p.id: p for p in by_vector + by_keyword}
    scores = {pid: KEYWORD_WEIGHT * keyword.get(pid, 0.0) + (1 - KEYWORD_WEIGHT) * vector.get(pid, 0.0) for pid in passages}
    order = sorted(scores, key=lambda pid: (-scores[pid], pid))
    return [passages[pid].scored(scores[pid]) for pid in order]


def with_linked_document(index: Index, query: str, ranked: list[Passage], k: int) -> list[Passage]:
    """Put second the passage, of a document linked to the first passage's by title, that adds
    the most question words to the first: a bridge question's second hop ("the city where she
    was born" -> that city's page), which the question's own words do not find."""
    if not ranked:
        return ranked
    first = ranked[0]
    linked = index.linked(first, besides=query)
    if not linked:
        return ranked
    asked = content_words(query)
    known = _passage_words(first.text) & asked
    second = max(linked, key=lambda chunk: len((_passage_words(chunk.text) & asked) - known))
    rest = [passage for passage in ranked[1:] if passage.id != second.id]
    # Scored as the passage it goes before, so that scores still fall down the list.
    return [first, second.scored(rest[0].score if rest else first.score), *rest][:k]


def _relative(ranking: list[Passage]) -> dict[str, float]:
    best = max((p.score for p in ranking), default=0.0)
    return {p.id: p.score / best for p in ranking} if best > 0 else {}


def cover_the_question(query: str, ranked: list[Passage]) -> Iterator[Passage]:
    """Re-rank greedily: each next passage is the one whose score, plus a bonus for the question
    words it adds to those already covered, is highest. A question about two things ("Were X and
    Y both ...?") then gets passages on both instead of ten on whichever scored higher.

    Lazily: retrieval takes only the first few, and each pick weighs every passage left.
    """
    wanted = content_words(query)
    if not wanted:
        yield from ranked
        return
    remaining = [(passage, _passage_words(passage.text) & wanted) for passage in ranked]
    covered: set[str] = set()
    while remaining:
        best = max(
            range(len(remaining)),
            key=lambda i: remaining[i][0].score + COVERAGE_WEIGHT * len(remaining[i][1] - covered) / len(wanted),
        )
        passage, found = remaining.pop(best)
        covered |= found
        yield passage


@functools.lru_cache(maxsize=16384)
def _passage_words(text: str) -> frozenset[str]:
    """The same chunks come back for question after question in a chat or an eval run."""
    return frozenset(content_words(text))


def collapse_near_duplicates(ranked: Iterable[Passage], k: int) -> list[Passage]:
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

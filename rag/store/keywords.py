"""The keyword index (BM25 by bm25s) and the table of chunks it was built from.

Both retrievers read their passages from that table: a vector search then asks Chroma for ids
and distances only (fetching 30 chunks' texts and metadata from Chroma took longer than the
search itself), and the keyword side holds no copy of LlamaIndex's node records.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import MISSING, astuple, fields
from pathlib import Path

from rag.text import stemmer
from rag.types import Passage

CHUNKS_FILE = "chunks.json"
COLUMNS_FILE = "columns.json"  # the Passage field of each column of the chunk table
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)
# The chunk's place is indexed with its text, as LlamaIndex's BM25 retriever did when the
# retrieval weights were tuned: a source named after its subject ("Arthur's Magazine.txt") is found by it.
METADATA_KEYS = ("source", "line_start", "line_end", "page_start", "page_end", "heading")
_FIELD = {field.name: i for i, field in enumerate(fields(Passage))}  # where each is in a chunk's tuple
# The saved table's columns are named (COLUMNS_FILE), so a table written before a Passage field
# was added, moved or dropped is still read by name. Tables saved before that hold these.
_UNNAMED_COLUMNS = ("id", "source", "text", "line_start", "line_end", "score", "page_start", "page_end", "heading", "link")


class KeywordIndex:
    def __init__(self, bm25, chunks: list[tuple]) -> None:
        self._bm25 = bm25
        # A tuple a chunk (a Passage's fields), made a Passage when found: at 100k chunks,
        # 40 MB less than holding Passages.
        self._chunks = chunks
        self._rows = {chunk[0]: row for row, chunk in enumerate(chunks)}

    @classmethod
    def build(cls, passages: list[Passage]) -> KeywordIndex:
        import bm25s

        texts = [keyword_text(passage) for passage in passages]
        tokens = bm25s.tokenize(texts, stopwords="english", stemmer=stemmer(), token_pattern=TOKEN_PATTERN, show_progress=False)
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
        return cls(bm25, [astuple(passage) for passage in passages])

    @classmethod
    def saved(cls, directory: Path) -> bool:
        """Whether `directory` holds a keyword index this version can read."""
        return (directory / CHUNKS_FILE).exists() and _columns(directory) is not None

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex | None:
        """None where no keyword index was saved, or one whose chunk table lacks a column a
        Passage needs (the index then builds one from the stored chunks)."""
        columns = _columns(directory)
        if columns is None or not (directory / CHUNKS_FILE).exists():
            return None
        import bm25s

        rows = json.loads((directory / CHUNKS_FILE).read_text(encoding="utf-8"))
        return cls(bm25s.BM25.load(str(directory), show_progress=False), _in_field_order(rows, columns))

    def save(self, directory: Path) -> None:
        self._bm25.save(str(directory), show_progress=False)
        (directory / COLUMNS_FILE).write_text(json.dumps(list(_FIELD)), encoding="utf-8")
        (directory / CHUNKS_FILE).write_text(json.dumps(self._chunks, ensure_ascii=False), encoding="utf-8")

    def search(self, query: str, n: int, sources: frozenset[str] | None = None) -> list[Passage]:
        """The n best chunks for the query; of the chunks of `sources` only, when given."""
        import numpy as np

        # As bm25s.tokenize splits and stems (without its progress bar's cost); no stopwords are
        # dropped from a question, as LlamaIndex's retriever dropped none.
        known = self._bm25.get_tokens_ids(stemmer().stemWords(_TOKEN.findall(query.lower())))
        if not known:
            return []
        # Scores of every chunk, then the top n of those holding a question word: bm25s's own
        # retrieve costs a millisecond more per question in progress-bar and batching machinery,
        # and partitioning all 100k scores took most of what was left.
        scores = self._bm25.get_scores_from_ids(known)
        matching = np.flatnonzero(scores > 0)
        if sources is not None:
            matching = matching[np.isin(matching, self._rows_of(sources))]
        n = min(n, len(matching))
        if not n:
            return []
        top = matching[np.argpartition(-scores[matching], n - 1)[:n]]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self._passage(row).scored(float(scores[row])) for row in top]

    def headed_chunks(self) -> Iterator[tuple[str, str, int, str]]:
        """(source, text, first line, heading trail) of every chunk: what document titles are read from."""
        source, text, line, heading = (_FIELD[name] for name in ("source", "text", "line_start", "heading"))
        return ((chunk[source], chunk[text], chunk[line], chunk[heading]) for chunk in self._chunks)

    def chunks_of(self, source: str) -> list[Passage]:
        return [self._passage(row) for row in self._rows_of_source.get(source, ())]

    @functools.cached_property
    def _rows_of_source(self) -> dict[str, list[int]]:
        rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(self._chunks):
            rows.setdefault(chunk[_FIELD["source"]], []).append(row)
        return rows

    def _rows_of(self, sources: frozenset[str]) -> list[int]:
        return [row for source in sources for row in self._rows_of_source.get(source, ())]

    def ids(self) -> list[str]:
        return list(self._rows)

    def get(self, ids: list[str]) -> dict[str, Passage]:
        """The chunks of these ids that the table holds."""
        return {chunk_id: self._passage(self._rows[chunk_id]) for chunk_id in ids if chunk_id in self._rows}

    def _passage(self, row: int) -> Passage:
        return Passage(*self._chunks[row])


def _columns(directory: Path) -> list[str] | None:
    """The Passage field of each column of the saved chunk table; None if one a Passage cannot
    do without is missing."""
    path = directory / COLUMNS_FILE
    columns = json.loads(path.read_text(encoding="utf-8")) if path.exists() else list(_UNNAMED_COLUMNS)
    required = {field.name for field in fields(Passage) if field.default is MISSING}
    return columns if required <= set(columns) else None


def _in_field_order(rows: list[list], columns: list[str]) -> list[tuple]:
    """Saved rows as tuples of today's Passage fields: a column no longer known is dropped, a
    field added since takes its default."""
    if columns == list(_FIELD):
        return [tuple(row) for row in rows]
    where = {name: i for i, name in enumerate(columns)}
    defaults = {field.name: field.default for field in fields(Passage)}
    return [tuple(row[where[name]] if name in where else defaults[name] for name in _FIELD) for row in rows]


def keyword_text(passage: Passage) -> str:
    """The text BM25 indexes: the chunk's place, then its text, as LlamaIndex writes a node's
    content with its metadata."""
    from llama_index.core.schema import MetadataMode, TextNode

    return TextNode(text=passage.text, metadata=metadata(passage)).get_content(metadata_mode=MetadataMode.EMBED)


def metadata(passage: Passage) -> dict:
    """What the vector store files beside each chunk, in this order."""
    return {key: getattr(passage, key) for key in METADATA_KEYS}


def passage_from(chunk_id: str, text: str, stored: dict) -> Passage:
    """A passage from what the vector store files beside a chunk."""
    return Passage(
        id=chunk_id,
        source=str(stored.get("source", "")),
        text=text,
        line_start=int(stored.get("line_start", 0)),
        line_end=int(stored.get("line_end", 0)),
        page_start=int(stored.get("page_start", 0)),
        page_end=int(stored.get("page_end", 0)),
        heading=str(stored.get("heading", "")),
    )

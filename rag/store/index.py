"""The index: chunks embedded into Chroma plus a BM25 keyword index, and the manifest of the files
they came from. Searched here; written by rag/ingest/writer.py."""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.models.embedder import Embedder
from rag.store.chroma import VECTORS_DIR, delete_collection, open_collection
from rag.store.keywords import KeywordIndex, metadata, passage_from
from rag.store.manifest import Manifest
from rag.store.scope import Scope, scope
from rag.types import Passage

MANIFEST, KEYWORDS_DIR, LOCK_FILE = "manifest.json", "bm25", "ingest.lock"
READ_PAGE = 10_000  # chunks read back from Chroma per call


class IndexUnusable(RuntimeError):
    """The index cannot be used as it is; the message names the fix."""


class Index:
    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.dir = settings.index_dir
        self.settings = settings
        self.embedder = embedder
        self._manifest_path = self.dir / MANIFEST
        self._bm25_dir = self.dir / KEYWORDS_DIR
        self.manifest = Manifest.load(self._manifest_path)
        self._manifest_seen = _stamp(self._manifest_path)
        self._scopes: dict[tuple[str, ...], Scope | None] = {}
        self._chroma = None
        self._keywords: KeywordIndex | None = None
        self._loading = threading.Lock()
        self.check_embedder()

    def is_empty(self) -> bool:
        return not self.manifest.files

    def stats(self) -> dict:
        return {
            "index_dir": str(self.dir),
            "embedder": self.manifest.embedder or self.embedder.name,
            "dimension": self.manifest.dimension or self.embedder.dimension,
            "documents": len(self.manifest.files),
            "chunks": self.manifest.chunk_count(),
            "sources": sorted(entry.source for entry in self.manifest.files.values()),
        }

    def scope(self, globs: Sequence[str]) -> Scope | None:
        """The indexed documents `globs` match (rag/store/scope.py); None: all of them. Matched
        once per filter while the index is unchanged: an eval asks hundreds of questions in one."""
        key = tuple(globs)
        if key not in self._scopes:
            self._scopes[key] = scope(key, ((path, entry.source) for path, entry in self.manifest.files.items()))
        return self._scopes[key]

    def follow_writes(self) -> None:
        """Read the manifest again, and the keyword index when next searched, if another process
        (`rag ingest --watch`, a second session) has written to the index since: a long-lived
        reader (chat, the MCP server) then searches what the index holds now. One stat a question."""
        stamp = _stamp(self._manifest_path)
        if stamp == self._manifest_seen:
            return
        with self._loading:
            self.manifest = Manifest.load(self._manifest_path)
            self._manifest_seen = stamp
            self._scopes.clear()
            self._keywords = None

    def check_embedder(self, dimension: int | None = None) -> None:
        """Vectors from two embedders cannot be compared: refuse, and say how to re-index."""
        built_with, built_dimension = self.manifest.embedder, self.manifest.dimension
        dimension = dimension or self.embedder.dimension
        if not built_with:
            return
        if built_with != self.embedder.name or (built_dimension and dimension and built_dimension != dimension):
            now = f"{self.embedder.name}" + (f" ({dimension}-d)" if dimension else "")
            raise IndexUnusable(
                f"the index in {self.dir} was built with embedder {built_with} ({built_dimension or '?'}-d), "
                f"not {now}; re-index with `rag ingest --rebuild --index-dir {self.dir} PATH...`, "
                f"or set the embedder back"
            )

    # -- writing, for the ingest writer, which holds the writer lock ------------------------------

    def save_manifest(self) -> None:
        self.manifest.save(self._manifest_path)
        self._manifest_seen = _stamp(self._manifest_path)
        self._scopes.clear()

    def add(self, chunks: list[tuple[str, Passage]], vectors: np.ndarray) -> None:
        """Store chunks, each (the path of the file it comes from, the chunk as a passage), with their vectors."""
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        nodes = [
            TextNode(
                id_=passage.id,
                text=passage.text,
                embedding=vector.tolist(),
                metadata=metadata(passage),
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=path)},
            )
            for (path, passage), vector in zip(chunks, vectors)
        ]
        if nodes:
            self._store().add(nodes)

    def delete_chunks_of(self, paths: list[str]) -> None:
        """Every stored chunk of these files, in one call. By source document, not by the
        manifest's ids: this also catches chunks stored by a run that died before recording them."""
        if paths:
            # The metadata key llama-index's ChromaVectorStore files a node's source document under.
            self._collection().delete(where={"document_id": {"$in": paths}})

    def keyword_index_stale(self) -> bool:
        """Whether the saved keyword index misses chunks the manifest records (or is missing)."""
        missing = not self.is_empty() and not KeywordIndex.saved(self._bm25_dir)
        return missing or self.manifest.keywords != self.manifest.chunk_digest()

    def rebuild_keyword_index(self) -> None:
        keywords = self._keywords_of_stored_chunks()
        # Built beside the old one and swapped in, so that a reader (a chat session during the
        # ingest) finds one whole keyword index or the other.
        fresh, stale = self._bm25_dir.with_name("bm25.tmp"), self._bm25_dir.with_name("bm25.old")
        for leftover in (fresh, stale):
            shutil.rmtree(leftover, ignore_errors=True)
        if keywords is not None:
            fresh.mkdir()
            keywords.save(fresh)
        if self._bm25_dir.exists():
            self._bm25_dir.rename(stale)
        if keywords is not None:
            fresh.rename(self._bm25_dir)
        shutil.rmtree(stale, ignore_errors=True)
        self._keywords = keywords
        self.manifest.keywords = self.manifest.chunk_digest()
        self.save_manifest()

    def _keywords_of_stored_chunks(self) -> KeywordIndex | None:
        passages: list[Passage] = []
        # A page at a time: Chroma asks SQLite for all the ids of one call at once, which
        # fails past 32,766 of them.
        while True:
            page = self._collection().get(include=["documents", "metadatas"], limit=READ_PAGE, offset=len(passages))
            passages += [passage_from(*chunk) for chunk in zip(page["ids"], page["documents"], page["metadatas"])]
            if len(page["ids"]) < READ_PAGE:
                return KeywordIndex.build(passages) if passages else None

    # -- search -------------------------------------------------------------------------------

    def search_vectors(self, vector: list[float], n: int, within: Scope | None = None) -> list[Passage]:
        if self.is_empty():
            return []
        self.check_embedder(len(vector))
        where = within.chroma_where() if within else None
        found = self._collection().query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
        ids, distances = found["ids"][0], found["distances"][0]
        passages = self._passages(ids)
        # Chroma gives the cosine distance; report the cosine similarity.
        return [passages[chunk_id].scored(1.0 - distance) for chunk_id, distance in zip(ids, distances) if chunk_id in passages]

    def _passages(self, ids: list[str]) -> dict[str, Passage]:
        """From the keyword index's table; chunks stored since it was loaded (a chat session
        during an ingest) from Chroma."""
        keywords = self._keyword_index()
        found = keywords.get(ids) if keywords else {}
        missing = [chunk_id for chunk_id in ids if chunk_id not in found]
        if missing:
            stored = self._collection().get(ids=missing, include=["documents", "metadatas"])
            found |= {
                chunk_id: passage_from(chunk_id, text, meta)
                for chunk_id, text, meta in zip(stored["ids"], stored["documents"], stored["metadatas"])
            }
        return found

    def search_keywords(self, query: str, n: int, within: Scope | None = None) -> list[Passage]:
        keywords = None if self.is_empty() else self._keyword_index()
        return keywords.search(query, n, within.sources if within else None) if keywords else []

    def keyword_table(self) -> KeywordIndex | None:
        """The keyword index and its chunk table (None for an empty index), which the second hop looks titles up in."""
        return None if self.is_empty() else self._keyword_index()

    def _keyword_index(self) -> KeywordIndex | None:
        with self._loading:  # the vector search, on a thread of its own, reads passages from it too
            if self._keywords is None:
                # None saved (an ingest killed before its first one, or an older rag's format):
                # built from the stored chunks for this session; the next ingest saves one.
                self._keywords = KeywordIndex.load(self._bm25_dir) or self._keywords_of_stored_chunks()
            return self._keywords

    def _collection(self):
        """The Chroma collection, which searches go to directly: importing LlamaIndex's Chroma
        store takes a second that a cold `rag ask` does not need to spend."""
        if self._chroma is None:
            self._chroma = open_collection(self.settings, self.dir)
        return self._chroma

    def _store(self):
        """LlamaIndex's writer over the collection, for storing nodes."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self._collection())


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Which file is there now (it is replaced, never rewritten in place); None while there is none."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns, status.st_size


class IndexBusy(IndexUnusable):
    """Another process is writing to the index."""


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """One writer at a time. The lock is the kernel's (flock), so a killed writer never leaves
    a stale one behind; readers take no lock."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(f"another `rag ingest` is writing to {index_dir}; run this again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_index(settings: Settings) -> None:
    """Delete what an index holds (vectors, keyword index, manifest), leaving other files be."""
    index_dir = settings.index_dir
    with writer_lock(index_dir):
        if settings.chroma_url:
            delete_collection(settings, index_dir)
        for name in (VECTORS_DIR, KEYWORDS_DIR):
            shutil.rmtree(index_dir / name, ignore_errors=True)
        (index_dir / MANIFEST).unlink(missing_ok=True)

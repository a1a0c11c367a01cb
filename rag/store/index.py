"""The index: chunks embedded into Chroma plus a BM25 keyword index, kept in step with the files."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.ingest.corpus import FileEntry, Manifest, Skipped, SourceFile, find_files
from rag.ingest.formats import Extracted, Unreadable, extract
from rag.models.embedder import Embedder
from rag.store.chroma import VECTORS_DIR, delete_collection, open_collection
from rag.store.keywords import KeywordIndex, metadata, passage_from
from rag.types import Passage

MANIFEST, KEYWORDS_DIR, LOCK_FILE = "manifest.json", "bm25", "ingest.lock"
READ_PAGE = 10_000  # chunks read back from Chroma per call
BATCH_CHUNKS = 256  # chunks embedded, stored and recorded together (fewer: more padding per embedder batch)
OnProgress = Callable[[str, int, int], None]  # (file being embedded, characters done, characters to do)


class IndexUnusable(RuntimeError):
    """The index cannot be used as it is; the message names the fix."""


@dataclass
class IngestReport:
    indexed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_embedded: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)  # indexed, with a caveat
    seconds: float = 0.0


@dataclass(frozen=True)
class _Chunk:
    id: str
    text: str
    line_start: int
    line_end: int
    page: int = 0  # for paged formats; a chunk never crosses a page
    heading: str = ""  # markdown: the headings it sits under
    reached: int = 0  # characters of its file up to its end, for progress

    @property
    def embedding_text(self) -> str:
        return embedding_text(self.text, self.heading)

    def passage(self, source: str) -> Passage:
        return Passage(
            self.id, source, self.text, self.line_start, self.line_end, page_start=self.page, page_end=self.page, heading=self.heading
        )


def embedding_text(text: str, heading: str) -> str:
    """A chunk is embedded under its headings: "Install › Linux" says what its text is about."""
    return f"{heading}\n\n{text}" if heading else text


@dataclass
class _Part:
    """The chunks of one file that one batch holds."""

    file: SourceFile
    document: Extracted
    stored: list[str]  # ids of the file's chunks stored so far, shared by all its parts
    first: bool  # holds the file's first chunk: its old chunks are deleted before these are stored
    last: bool = False  # holds its last: the file is recorded once these are stored
    chunks: list[_Chunk] = field(default_factory=list)


class _Progress:
    """Characters of the changed files embedded so far: a bar that one huge file moves too."""

    def __init__(self, changed: list[tuple[SourceFile, Extracted]], callback: OnProgress | None) -> None:
        self.total = sum(document.size for _, document in changed)
        self.finished = 0  # characters of the files already recorded
        self.callback = callback

    def advance(self, batch: list[_Part]) -> None:
        current = 0
        for part in batch:
            if part.last:
                self.finished += part.document.size
                current = 0
            elif part.chunks:
                current = part.chunks[-1].reached
        if self.callback and batch:
            self.callback(batch[-1].file.source, min(self.finished + current, self.total), self.total)


class Index:
    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.dir = settings.index_dir
        self._settings = settings
        self._embedder = embedder
        self._manifest_path = self.dir / MANIFEST
        self._bm25_dir = self.dir / KEYWORDS_DIR
        self.manifest = Manifest.load(self._manifest_path)
        self._chroma = None
        self._keywords: KeywordIndex | None = None
        self._loading = threading.Lock()
        self._check_embedder()

    @property
    def chunking(self) -> str:
        return f"sentence/{self._settings.chunk_tokens}/{self._settings.chunk_overlap}"

    def is_empty(self) -> bool:
        return not self.manifest.files

    def stats(self) -> dict:
        return {
            "index_dir": str(self.dir),
            "embedder": self.manifest.embedder or self._embedder.name,
            "dimension": self.manifest.dimension or self._embedder.dimension,
            "documents": len(self.manifest.files),
            "chunks": self.manifest.chunk_count(),
        }

    def _check_embedder(self, dimension: int | None = None) -> None:
        """Vectors from two embedders cannot be compared: refuse, and say how to re-index."""
        built_with, built_dimension = self.manifest.embedder, self.manifest.dimension
        dimension = dimension or self._embedder.dimension
        if not built_with:
            return
        if built_with != self._embedder.name or (built_dimension and dimension and built_dimension != dimension):
            now = f"{self._embedder.name}" + (f" ({dimension}-d)" if dimension else "")
            raise IndexUnusable(
                f"the index in {self.dir} was built with embedder {built_with} ({built_dimension or '?'}-d), "
                f"not {now}; re-index with `rag ingest --rebuild --index-dir {self.dir} PATH...`, "
                f"or set the embedder back"
            )

    # -- ingest -------------------------------------------------------------------------------

    def ingest(self, paths: list[Path], on_progress: OnProgress | None = None) -> IngestReport:
        with _writer_lock(self.dir):
            return self._ingest(paths, on_progress)

    def _ingest(self, paths: list[Path], on_progress: OnProgress | None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files, report.skipped = find_files(paths)
        changed: list[tuple[SourceFile, Extracted]] = []
        for file in files:
            try:
                document = extract(file.path)
            except OSError as exc:
                report.skipped.append(Skipped(str(file.path), exc.strerror or str(exc)))
                continue
            except Unreadable as exc:
                report.skipped.append(Skipped(str(file.path), str(exc)))
                continue
            if document.warning:
                report.warnings.append(Skipped(str(file.path), document.warning))
            entry = self.manifest.files.get(str(file.path))
            if entry and entry.hash == document.digest and entry.chunking == self._chunking(document):
                report.unchanged += 1
            else:
                changed.append((file, document))

        seen = {str(f.path) for f in files}
        for path in [p for p in self.manifest.files if p not in seen and _under_any(p, paths)]:
            report.removed.append(self.manifest.files[path].source)
            self._remove(path)
        self._store_batches(self._batches(changed, report), report, _Progress(changed, on_progress))
        # Checked even when no file changed: a run killed after its last file was stored, but
        # before this, left a keyword index that misses those chunks (or none at all).
        missing = not self.is_empty() and not KeywordIndex.saved(self._bm25_dir)
        if missing or self.manifest.keywords != self.manifest.chunk_digest():
            self._rebuild_keyword_index()
        report.seconds = time.perf_counter() - started
        return report

    def _chunking(self, document: Extracted) -> str:
        return self.chunking + ("/headings" if document.heading_aware else "")

    def _batches(self, changed: list[tuple[SourceFile, Extracted]], report: IngestReport) -> Iterator[list[_Part]]:
        """The chunks of the changed files, BATCH_CHUNKS at a time, chunked as they are asked
        for: a file of any size is read a section at a time, and spans as many batches as it
        needs. One small file per embedder call made short files ingest at half the embedder's speed."""
        batch: list[_Part] = []
        size = 0
        for file, document in changed:
            part = _Part(file, document, stored=[], first=True)
            try:
                for chunk in self._chunks(file, document):
                    part.chunks.append(chunk)
                    size += 1
                    if size >= BATCH_CHUNKS:
                        yield batch + [part]
                        batch, size, part = [], 0, _Part(file, document, part.stored, first=False)
            except OSError as exc:  # gone or unreadable since it was hashed; what was stored is never recorded
                report.skipped.append(Skipped(str(file.path), exc.strerror or str(exc)))
                size -= len(part.chunks)
                continue
            part.last = True
            batch.append(part)
        if batch:
            yield batch

    def _chunks(self, file: SourceFile, document: Extracted) -> Iterator[_Chunk]:
        from llama_index.core.node_parser import SentenceSplitter

        splitter = SentenceSplitter(
            chunk_size=self._settings.chunk_tokens,
            chunk_overlap=self._settings.chunk_overlap,
            tokenizer=self._embedder.token_ids,
        )
        path_key = hashlib.sha1(str(file.path).encode()).hexdigest()[:12]
        n = done = 0
        for section in document.sections():
            offset = 0
            for text in splitter.split_text(section.text):
                # The splitter trims and may overlap; find each chunk where it now begins.
                found = section.text.find(text, offset)
                start = found if found >= 0 else offset
                offset = start + 1
                line_start = section.line + section.text.count("\n", 0, start)
                yield _Chunk(
                    id=f"{path_key}-{document.digest[:12]}-{n:04d}",
                    text=text,
                    line_start=line_start,
                    line_end=line_start + text.count("\n"),
                    page=section.page,
                    heading=section.heading,
                    reached=done + start + len(text),
                )
                n += 1
            done += len(section.text)

    def _store_batches(self, batches: Iterator[list[_Part]], report: IngestReport, progress: _Progress) -> None:
        """Embed each batch while the one before is stored and the one after is chunked: the
        embedder (onnxruntime) runs outside the GIL, so the rest of the pipeline hides behind it."""
        with ThreadPoolExecutor(1, thread_name_prefix="embed") as embedding:
            previous = None
            for batch in batches:
                vectors = embedding.submit(self._embed, batch)
                if previous:
                    self._store_batch(*previous, report, progress)
                previous = batch, vectors
            if previous:
                self._store_batch(*previous, report, progress)

    def _embed(self, batch: list[_Part]) -> np.ndarray:
        return self._embedder.embed([chunk.embedding_text for part in batch for chunk in part.chunks])

    def _store_batch(self, batch: list[_Part], vectors: Future, report: IngestReport, progress: _Progress) -> None:
        """Store a batch's chunks, then record the files whose last chunk it holds."""
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        vectors = vectors.result()
        chunks = [(part.file, chunk) for part in batch for chunk in part.chunks]
        if chunks:
            self._check_embedder(int(vectors.shape[1]))
        nodes = [
            TextNode(
                id_=chunk.id,
                text=chunk.text,
                embedding=vector.tolist(),
                metadata=metadata(chunk.passage(file.source)),
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=str(file.path))},
            )
            for (file, chunk), vector in zip(chunks, vectors)
        ]
        # Old and half-stored chunks of the files that begin here; their manifest entries are rewritten below.
        self._delete_chunks_of([str(part.file.path) for part in batch if part.first])
        if nodes:
            self._store().add(nodes)
        report.chunks_embedded += len(nodes)
        # The manifest is written only once all of a file's chunks are stored: a crash before
        # this leaves the file marked as not (or differently) indexed, so the next ingest redoes it.
        for part in batch:
            part.stored.extend(chunk.id for chunk in part.chunks)
            if part.last:
                self.manifest.files[str(part.file.path)] = FileEntry(
                    part.file.source, part.document.digest, part.stored, self._chunking(part.document)
                )
                report.indexed.append(part.file.source)
        self.manifest.embedder = self._embedder.name
        self.manifest.dimension = int(vectors.shape[1]) if chunks else self.manifest.dimension
        self.manifest.save(self._manifest_path)
        progress.advance(batch)

    def _remove(self, path: str) -> None:
        self._delete_chunks_of([path])
        if path in self.manifest.files:
            del self.manifest.files[path]
            self.manifest.save(self._manifest_path)

    def _delete_chunks_of(self, paths: list[str]) -> None:
        """Every stored chunk of these files, in one call. By source document, not by the
        manifest's ids: this also catches chunks stored by a run that died before recording them."""
        if paths:
            # The metadata key llama-index's ChromaVectorStore files a node's source document under.
            self._collection().delete(where={"document_id": {"$in": paths}})

    def _rebuild_keyword_index(self) -> None:
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
        self.manifest.save(self._manifest_path)

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

    def search_vectors(self, vector: list[float], n: int) -> list[Passage]:
        if self.is_empty():
            return []
        self._check_embedder(len(vector))
        found = self._collection().query(query_embeddings=[vector], n_results=n, include=["distances"])
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

    def search_keywords(self, query: str, n: int) -> list[Passage]:
        keywords = None if self.is_empty() else self._keyword_index()
        return keywords.search(query, n) if keywords else []

    def linked(self, passage: Passage, besides: str, search: int) -> list[Passage]:
        """Chunks of the documents linked to `passage`'s by title (see rag/retrieval/hops.py)."""
        keywords = None if self.is_empty() else self._keyword_index()
        return keywords.linked(passage, besides, search) if keywords else []

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
            self._chroma = open_collection(self._settings, self.dir)
        return self._chroma

    def _store(self):
        """LlamaIndex's writer over the collection, for storing nodes."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self._collection())


class IndexBusy(IndexUnusable):
    """Another process is writing to the index."""


@contextlib.contextmanager
def _writer_lock(index_dir: Path) -> Iterator[None]:
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
    with _writer_lock(index_dir):
        if settings.chroma_url:
            delete_collection(settings, index_dir)
        for name in (VECTORS_DIR, KEYWORDS_DIR):
            shutil.rmtree(index_dir / name, ignore_errors=True)
        (index_dir / MANIFEST).unlink(missing_ok=True)


def _under_any(path: str, roots: list[Path]) -> bool:
    target = Path(path)
    for root in roots:
        resolved = root.expanduser().resolve()
        if target == resolved or resolved in target.parents:
            return True
    return False

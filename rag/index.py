"""The index: chunks embedded into Chroma plus a BM25 keyword index, kept in step with the files."""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import hashlib
import math
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rag.chroma import VECTORS_DIR, delete_collection, open_collection
from rag.config import Settings
from rag.corpus import FileEntry, Manifest, Skipped, SourceFile, content_hash, find_files
from rag.embedder import Embedder
from rag.formats import Extracted, Unreadable, extract
from rag.types import Passage

MANIFEST, KEYWORDS_DIR, LOCK_FILE = "manifest.json", "bm25", "ingest.lock"
Prepared = tuple[SourceFile, str, list["_Chunk"]]  # a file to store, its content hash, its chunks
BATCH_CHUNKS = 256  # chunks embedded, stored and recorded together (fewer: more padding per embedder batch)
OnProgress = Callable[[str, int, int], None]  # (file being embedded, chunks done, chunks total)


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


class Index:
    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.dir = settings.index_dir
        self._settings = settings
        self._embedder = embedder
        self._manifest_path = self.dir / MANIFEST
        self._bm25_dir = self.dir / KEYWORDS_DIR
        self.manifest = Manifest.load(self._manifest_path)
        self._vector_store = None
        self._bm25 = None
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
        to_embed: list[tuple[SourceFile, Extracted, str]] = []
        for file in files:
            try:
                document = extract(file.path)
            except OSError as exc:
                report.skipped.append(Skipped(str(file.path), exc.strerror or str(exc)))
                continue
            except Unreadable as exc:
                report.skipped.append(Skipped(str(file.path), str(exc)))
                continue
            if not document.text.strip():
                report.skipped.append(Skipped(str(file.path), "no text in it"))
                continue
            if document.warning:
                report.warnings.append(Skipped(str(file.path), document.warning))
            digest = content_hash(document.text)
            entry = self.manifest.files.get(str(file.path))
            if entry and entry.hash == digest and entry.chunking == self.chunking:
                report.unchanged += 1
            else:
                to_embed.append((file, document, digest))

        seen = {str(f.path) for f in files}
        gone = [p for p in self.manifest.files if p not in seen and _under_any(p, paths)]
        chunked = [(file, digest, self._chunk(file, document, digest)) for file, document, digest in to_embed]
        total = sum(len(chunks) for _, _, chunks in chunked)
        for path in gone:
            report.removed.append(self.manifest.files[path].source)
            self._remove(path)
        for batch in _batches(chunked):
            self._replace(batch, report, total, on_progress)
        # Checked even when no file changed: a run killed after its last file was stored, but
        # before this, left a keyword index that misses those chunks.
        if self.manifest.keywords != self.manifest.chunk_digest():
            self._rebuild_keyword_index()
        report.seconds = time.perf_counter() - started
        return report

    def _chunk(self, file: SourceFile, document: Extracted, digest: str) -> list[_Chunk]:
        from llama_index.core import Document
        from llama_index.core.node_parser import SentenceSplitter

        splitter = SentenceSplitter(
            chunk_size=self._settings.chunk_tokens,
            chunk_overlap=self._settings.chunk_overlap,
            tokenizer=self._embedder.token_ids,
            include_metadata=False,
            include_prev_next_rel=False,
        )
        text = document.text
        line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        path_key = hashlib.sha1(str(file.path).encode()).hexdigest()[:12]
        chunks = []
        for page, offset, section in document.sections():
            for node in splitter.get_nodes_from_documents([Document(text=section, id_=str(file.path))]):
                start = offset + (node.start_char_idx if node.start_char_idx is not None else max(section.find(node.text), 0))
                end = start + len(node.text) if node.end_char_idx is None else offset + node.end_char_idx
                chunks.append(
                    _Chunk(
                        id=f"{path_key}-{digest[:12]}-{len(chunks):04d}",
                        text=node.text,
                        line_start=bisect.bisect_right(line_starts, start),
                        line_end=bisect.bisect_right(line_starts, max(end - 1, 0)),
                        page=page,
                    )
                )
        return chunks

    def _replace(self, batch: list[Prepared], report: IngestReport, total: int, on_progress: OnProgress | None) -> None:
        """Embed and store the chunks of a few files at once, then record those files."""
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        chunks = [(file, chunk) for file, _, file_chunks in batch for chunk in file_chunks]
        vectors = self._embedder.embed([chunk.text for _, chunk in chunks])
        if chunks:
            self._check_embedder(int(vectors.shape[1]))
        nodes = [
            TextNode(
                id_=chunk.id,
                text=chunk.text,
                embedding=vector.tolist(),
                metadata={
                    "source": file.source,
                    "line_start": chunk.line_start,
                    "line_end": chunk.line_end,
                    "page_start": chunk.page,
                    "page_end": chunk.page,
                },
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=str(file.path))},
            )
            for (file, chunk), vector in zip(chunks, vectors)
        ]
        for file, _, _ in batch:
            # Old and half-stored chunks of these files; their manifest entries are rewritten below.
            self._store().delete(ref_doc_id=str(file.path))
        if nodes:
            self._store().add(nodes)
        report.chunks_embedded += len(nodes)
        if on_progress:
            on_progress(batch[-1][0].source, report.chunks_embedded, total)
        # The manifest is written only once the chunks are stored: a crash before this line
        # leaves the files marked as not (or differently) indexed, so the next ingest redoes them.
        for file, digest, file_chunks in batch:
            self.manifest.files[str(file.path)] = FileEntry(file.source, digest, [c.id for c in file_chunks], self.chunking)
            report.indexed.append(file.source)
        self.manifest.embedder = self._embedder.name
        self.manifest.dimension = int(vectors.shape[1]) if chunks else self.manifest.dimension
        self.manifest.save(self._manifest_path)

    def _remove(self, path: str) -> None:
        # By source document, not by the manifest's ids: this also catches chunks stored by a
        # run that died before it could record them.
        self._store().delete(ref_doc_id=path)
        if path in self.manifest.files:
            del self.manifest.files[path]
            self.manifest.save(self._manifest_path)

    def _rebuild_keyword_index(self) -> None:
        from llama_index.core.vector_stores.types import VectorStoreQuery

        nodes = self._store().query(VectorStoreQuery(similarity_top_k=None)).nodes
        retriever = None
        if nodes:
            from llama_index.retrievers.bm25 import BM25Retriever

            retriever = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=min(10, len(nodes)), language="english")
        # Built beside the old one and swapped in, so that a reader (a chat session during the
        # ingest) finds one whole keyword index or the other.
        fresh, stale = self._bm25_dir.with_name("bm25.tmp"), self._bm25_dir.with_name("bm25.old")
        for leftover in (fresh, stale):
            shutil.rmtree(leftover, ignore_errors=True)
        if retriever is not None:
            retriever.persist(str(fresh), show_progress=False)
        if self._bm25_dir.exists():
            self._bm25_dir.rename(stale)
        if retriever is not None:
            fresh.rename(self._bm25_dir)
        shutil.rmtree(stale, ignore_errors=True)
        self._bm25 = retriever
        self.manifest.keywords = self.manifest.chunk_digest()
        self.manifest.save(self._manifest_path)

    # -- search -------------------------------------------------------------------------------

    def search_vectors(self, vector: list[float], n: int) -> list[Passage]:
        from llama_index.core.vector_stores.types import VectorStoreQuery

        if self.is_empty():
            return []
        self._check_embedder(len(vector))
        result = self._store().query(VectorStoreQuery(query_embedding=vector, similarity_top_k=n))
        # Chroma returns exp(-cosine distance); report plain cosine similarity instead.
        return [
            _passage(node, 1.0 + math.log(max(sim, 1e-12)))
            for node, sim in zip(result.nodes, result.similarities)
        ]

    def search_keywords(self, query: str, n: int) -> list[Passage]:
        bm25 = self._keyword_index()
        if bm25 is None:
            return []
        from llama_index.core.schema import QueryBundle

        bm25.similarity_top_k = min(n, len(bm25.corpus))
        return [_passage(hit.node, hit.score) for hit in bm25.retrieve(QueryBundle(query)) if hit.score > 0]

    def _keyword_index(self):
        if self._bm25 is None and (self._bm25_dir / "data.csc.index.npy").exists():
            from llama_index.retrievers.bm25 import BM25Retriever

            self._bm25 = BM25Retriever.from_persist_dir(str(self._bm25_dir), show_progress=False)
        return self._bm25

    def _store(self):
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vector_store = ChromaVectorStore(chroma_collection=open_collection(self._settings, self.dir))
        return self._vector_store


def _batches(chunked: list[Prepared]) -> Iterator[list[Prepared]]:
    """Files grouped until they hold BATCH_CHUNKS chunks: one small file per embedder call and
    per manifest write made a corpus of short files ingest at half the embedder's speed."""
    batch: list[Prepared] = []
    size = 0
    for item in chunked:
        batch.append(item)
        size += len(item[2])
        if size >= BATCH_CHUNKS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


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


def _passage(node, score: float) -> Passage:
    meta = node.metadata
    return Passage(
        id=node.node_id,
        source=str(meta.get("source", "")),
        text=node.get_content(),
        line_start=int(meta.get("line_start", 0)),
        line_end=int(meta.get("line_end", 0)),
        page_start=int(meta.get("page_start", 0)),
        page_end=int(meta.get("page_end", 0)),
        score=float(score),
    )

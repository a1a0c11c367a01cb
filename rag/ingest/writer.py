"""Bring an index in step with files: new and changed files chunked, embedded and stored, removed
ones deleted, unchanged ones left alone.

Crash-safe: a file's manifest entry is written only once all its chunks are stored, so a run
killed at any point and started again ends with the index a clean run would have built.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.ingest.chunking import Chunk, chunking, chunks
from rag.ingest.corpus import Skipped, SourceFile, find_files
from rag.ingest.formats import Extracted, Unreadable, extract
from rag.store.index import Index, writer_lock
from rag.store.manifest import FileEntry

BATCH_CHUNKS = 256  # chunks embedded, stored and recorded together (fewer: more padding per embedder batch)
OnProgress = Callable[[str, int, int], None]  # (file being embedded, characters done, characters to do)


@dataclass
class IngestReport:
    indexed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_embedded: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)  # indexed, with a caveat
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {
            "indexed": self.indexed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "chunks_embedded": self.chunks_embedded,
            "skipped": [vars(item) for item in self.skipped],
            "warnings": [vars(item) for item in self.warnings],
            "seconds": round(self.seconds, 3),
        }


def ingest(index: Index, paths: list[Path], on_progress: OnProgress | None = None, touched: set[Path] | None = None) -> IngestReport:
    """`touched`: when known (a watcher saw them), the only files that may differ from what the
    index records; the others under `paths` are not read again. Removed files are found either way."""
    with writer_lock(index.dir):
        return Writer(index).ingest(paths, on_progress, touched)


@dataclass
class _Part:
    """The chunks of one file that one batch holds."""

    file: SourceFile
    document: Extracted
    stored: list[str]  # ids of the file's chunks stored so far, shared by all its parts
    first: bool  # holds the file's first chunk: its old chunks are deleted before these are stored
    last: bool = False  # holds its last: the file is recorded once these are stored
    chunks: list[Chunk] = field(default_factory=list)


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


class Writer:
    """One ingest run over an index; the caller holds the writer lock."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.manifest = index.manifest

    def ingest(self, paths: list[Path], on_progress: OnProgress | None, touched: set[Path] | None = None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files, report.skipped = find_files(paths)
        changed: list[tuple[SourceFile, Extracted]] = []
        for file in files:
            if touched is not None and file.path not in touched and str(file.path) in self.manifest.files:
                report.unchanged += 1
                continue
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
            if entry and entry.hash == document.digest and entry.chunking == chunking(self.index.settings, document):
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
        if self.index.keyword_index_stale():
            self.index.rebuild_keyword_index()
        report.seconds = time.perf_counter() - started
        return report

    def _batches(self, changed: list[tuple[SourceFile, Extracted]], report: IngestReport) -> Iterator[list[_Part]]:
        """The chunks of the changed files, BATCH_CHUNKS at a time, chunked as they are asked
        for: a file of any size is read a section at a time, and spans as many batches as it
        needs. One small file per embedder call made short files ingest at half the embedder's speed."""
        batch: list[_Part] = []
        size = 0
        for file, document in changed:
            part = _Part(file, document, stored=[], first=True)
            try:
                for chunk in chunks(file, document, self.index.settings, self.index.embedder.token_ids):
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
        return self.index.embedder.embed([chunk.embedding_text for part in batch for chunk in part.chunks])

    def _store_batch(self, batch: list[_Part], vectors: Future, report: IngestReport, progress: _Progress) -> None:
        """Store a batch's chunks, then record the files whose last chunk it holds."""
        vectors = vectors.result()
        stored = [(part.file, chunk) for part in batch for chunk in part.chunks]
        if stored:
            self.index.check_embedder(int(vectors.shape[1]))
        # Old and half-stored chunks of the files that begin here; their manifest entries are rewritten below.
        self.index.delete_chunks_of([str(part.file.path) for part in batch if part.first])
        self.index.add([(str(file.path), chunk.passage(file.source)) for file, chunk in stored], vectors)
        report.chunks_embedded += len(stored)
        # The manifest is written only once all of a file's chunks are stored: a crash before
        # this leaves the file marked as not (or differently) indexed, so the next ingest redoes it.
        for part in batch:
            part.stored.extend(chunk.id for chunk in part.chunks)
            if part.last:
                self.manifest.files[str(part.file.path)] = FileEntry(
                    part.file.source, part.document.digest, part.stored, chunking(self.index.settings, part.document)
                )
                report.indexed.append(part.file.source)
        self.manifest.embedder = self.index.embedder.name
        self.manifest.dimension = int(vectors.shape[1]) if stored else self.manifest.dimension
        self.index.save_manifest()
        progress.advance(batch)

    def _remove(self, path: str) -> None:
        self.index.delete_chunks_of([path])
        if path in self.manifest.files:
            del self.manifest.files[path]
            self.index.save_manifest()


def _under_any(path: str, roots: list[Path]) -> bool:
    target = Path(path)
    for root in roots:
        resolved = root.expanduser().resolve()
        if target == resolved or resolved in target.parents:
            return True
    return False

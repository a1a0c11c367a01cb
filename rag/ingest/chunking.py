"""Documents cut into chunks the embedder takes whole, each knowing its lines, page and headings."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rag.config import Settings
from rag.ingest.corpus import SourceFile
from rag.ingest.formats import Extracted
from rag.types import Passage


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str
    line_start: int
    line_end: int
    page: int = 0  # for paged formats; a chunk never crosses a page
    heading: str = ""  # markdown: the headings it sits under
    reached: int = 0  # characters of its file up to its end, for progress

    @property
    def embedding_text(self) -> str:
        """A chunk is embedded under its headings: "Install › Linux" says what its text is about."""
        return f"{self.heading}\n\n{self.text}" if self.heading else self.text

    def passage(self, source: str) -> Passage:
        return Passage(
            self.id, source, self.text, self.line_start, self.line_end, page_start=self.page, page_end=self.page, heading=self.heading
        )


def chunking(settings: Settings, document: Extracted) -> str:
    """How a document was chunked, as the manifest records it: a file chunked another way is re-chunked."""
    return f"sentence/{settings.chunk_tokens}/{settings.chunk_overlap}" + ("/headings" if document.heading_aware else "")


def chunks(file: SourceFile, document: Extracted, settings: Settings, token_ids: Callable[[str], list[int]]) -> Iterator[Chunk]:
    """The document's chunks, a section at a time, so that a file of any size is read in pieces.
    Ids are stable (path, content hash, position): a file stored again replaces its chunks."""
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter(chunk_size=settings.chunk_tokens, chunk_overlap=settings.chunk_overlap, tokenizer=token_ids)
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
            yield Chunk(
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

"""Which documents a search may return: the indexed ones a user's `--source` globs match.

The globs are matched against the index's own list of documents once, and the search itself is
limited to those (Chroma's `where`, the keyword index's rows): the top k is filled from the
matching documents, never cut down from a top k over all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePath


class NoMatchingSource(ValueError):
    """No indexed document matches the filter; the message says what is indexed."""


@dataclass(frozen=True)
class Scope:
    sources: frozenset[str]  # the documents' names as users see them (Passage.source)

    def admits(self, source: str) -> bool:
        return source in self.sources

    def chroma_where(self) -> dict:
        """The filter Chroma applies before it ranks (the metadata key the index files sources under)."""
        return {"source": {"$in": sorted(self.sources)}}


def scope(globs: Sequence[str], documents: Iterable[tuple[str, str]]) -> Scope | None:
    """The documents, each (path, source name), that any glob matches by its source name, its
    file name or its path ("notes/*.md", "report.pdf", "/home/me/docs/*"); None where no glob
    is given: everything is searched."""
    globs = [glob for glob in globs if glob.strip()]
    if not globs:
        return None
    documents = list(documents)
    matching = frozenset(source for path, source in documents if any(_matches(glob, path, source) for glob in globs))
    if not matching:
        shown = ", ".join(repr(glob) for glob in globs)
        raise NoMatchingSource(f"--source {shown} matches none of the {len(documents)} indexed document(s); `rag status --json` lists them")
    return Scope(matching)


def _matches(glob: str, path: str, source: str) -> bool:
    return fnmatchcase(source, glob) or fnmatchcase(PurePath(source).name, glob) or fnmatchcase(path, glob)

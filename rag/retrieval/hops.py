"""Documents named by their titles: the second hop of a bridge question.

"How many people live in the town where Marta Quell was born?" finds her page, which says "born
in Harrow Vale"; the answer is on the page titled "Harrow Vale", which shares no word with the
question's subject. A document's title is the level-one heading it opens with (Wikipedia
exports, notes, docs sites), and another passage naming that title, capitalised as the title
is, links to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.ingest.formats import HEADING_TRAIL
from rag.text import content_words

_WORD = re.compile(r"\w+")


class Titles:
    """The title of every document that opens with a level-one heading, and a way to find the
    titles a text names."""

    def __init__(self, chunks: Iterable[tuple[str, str, int, str]]) -> None:
        """`chunks`: (source, text, first line, heading trail) of every stored chunk."""
        opening: dict[str, tuple[int, str]] = {}
        for source, text, line, heading in chunks:
            if heading and text.startswith("# ") and (source not in opening or line < opening[source][0]):
                opening[source] = (line, heading.split(HEADING_TRAIL)[0])
        self._title_of = {source: title for source, (_, title) in opening.items() if _names_something(title)}
        self._sources: dict[str, list[str]] = {}
        self._by_first_word: dict[str, set[str]] = {}
        for source, title in self._title_of.items():
            self._sources.setdefault(title, []).append(source)
            self._by_first_word.setdefault(_WORD.search(title).group(), set()).add(title)

    def __bool__(self) -> bool:
        return bool(self._title_of)

    def title_of(self, source: str) -> str | None:
        return self._title_of.get(source)

    def sources(self, title: str) -> list[str]:
        return self._sources.get(title, [])

    def named_in(self, text: str) -> set[str]:
        """The titles `text` names as whole words, with the title's own capitals."""
        found = set()
        for word in _WORD.finditer(text):
            for title in self._by_first_word.get(word.group(), ()):
                start = word.start() - _WORD.search(title).start()
                end = start + len(title)
                if start >= 0 and text.startswith(title, start) and not _word_char(text, start - 1) and not _word_char(text, end):
                    found.add(title)
        return found


def _names_something(title: str) -> bool:
    """Not a bare number or stopword: a page titled "2013" would be linked from every text naming the year."""
    return any(not word.isdigit() for word in content_words(title))


def _word_char(text: str, at: int) -> bool:
    return 0 <= at < len(text) and (text[at].isalnum() or text[at] == "_")

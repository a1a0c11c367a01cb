"""The second hop of a bridge question, all of it: documents named by their titles, the linked
passage put second in the ranking, its best sentence kept in front of the model, and the one
extra try over all sentences at once that a hop allows.

"How many people live in the town where Marta Quell was born?" finds her page, which says "born
in Harrow Vale"; the answer is on the page titled "Harrow Vale", which shares no word with the
question's subject. A document's title is the level-one heading it opens with (Wikipedia
exports, notes, docs sites), and another passage naming that title, capitalised as the title
is, links to it.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Protocol

from rag.ingest.formats import HEADING_TRAIL
from rag.question import Question
from rag.text import content_words, passage_words
from rag.types import Passage

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


class Table(Protocol):
    """The chunk table of the keyword index, where titles are looked up."""

    def headed_chunks(self) -> Iterable[tuple[str, str, int, str]]: ...

    def chunks_of(self, source: str) -> list[Passage]: ...

    def search(self, query: str, n: int) -> list[Passage]: ...


_TITLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # each table's titles, read once


def linked(table: Table | None, passage: Passage, besides: str, search: int) -> list[Passage]:
    """The chunks of the documents `passage` names by title, then the chunks that name its own
    document's title (among the `search` best keyword matches for it), each with `link` set to the
    title followed; titles `besides` names (the question: searched for already) are left out."""
    if table is None:
        return []
    if table not in _TITLES:
        _TITLES[table] = Titles(table.headed_chunks())
    titles = _TITLES[table]
    if not titles:
        return []
    named = [title for title in sorted(titles.named_in(passage.text)) if title not in besides]
    found = [replace(chunk, link=title) for title in named for source in titles.sources(title) for chunk in table.chunks_of(source)]
    own = titles.title_of(passage.source)
    if own and own not in besides:
        found += [replace(chunk, link=own) for chunk in table.search(own, search) if own in chunk.text]
    return [chunk for chunk in found if chunk.source != passage.source]


def with_linked_document(question: Question, ranked: list[Passage], k: int, find: Callable[[Passage], list[Passage]]) -> list[Passage]:
    """Put second the passage, of a document linked to the first passage's by title, that adds
    the most question words to the first: a bridge question's second hop ("the city where she
    was born" -> that city's page), which the question's own words do not find. `find` gives the
    chunks linked to a passage."""
    if not ranked:
        return ranked
    first = ranked[0]
    candidates = find(first)
    if not candidates:
        return ranked
    asked = question.words
    known = passage_words(first.text) & asked
    second = max(candidates, key=lambda chunk: len((passage_words(chunk.text) & asked) - known))
    rest = [passage for passage in ranked[1:] if passage.id != second.id]
    # Scored as the passage it goes before, so that scores still fall down the list.
    return [first, second.scored(rest[0].score if rest else first.score), *rest][:k]


def keep_a_hop(best: list[int], candidates: list[Passage], scores) -> list[int]:
    """The chosen sentences (indices into `candidates`, by score), with the best sentence of a
    page reached by a title link in the last place when none is among them: a bridge question's
    second hop ("who directed the film shot near Brackmoor" -> the film's page) shares few words
    with the question."""
    hop = [i for i, candidate in enumerate(candidates) if candidate.link]
    if hop and best and not any(candidates[i].link for i in best):
        best = [*best[:-1], max(hop, key=lambda i: scores[i])]
    return best


def followed(passages: list[Passage]) -> bool:
    """Whether retrieval followed a title link to any of these passages: only then may a second
    try over all of them at once find what no single sentence said ("He played for the Falcons"
    and the Falcons' page saying "based in Dunmore, West Arlen" answer "in what state did he
    play?" only together). Without a link, half of such tries answered questions the documents
    leave open."""
    return any(p.link for p in passages)

"""Plain-text helpers every stage shares: words, content words, sentence boundaries."""

from __future__ import annotations

import functools
import re

from rag.citations import MARKERS

_WORD = re.compile(r"\w+")
STOPWORDS = frozenset(
    """a an and are as at be been being but by did do does for from had has have he her his
    how i if in into is it its of on or she that the their them then there these they this
    those to was were what when where which who whom whose why will with would also than
    about after before over under while during said says according""".split()
)
# A sentence ends at . ! or ? (plus a closing quote and its citation markers) followed by space and
# a capital, quote or digit, or at a line break. "U.S. defense" is no boundary; "U.S. Army" is
# not either, thanks to the abbreviation check.
_BOUNDARY = re.compile(rf"([.!?][\"”’)]?{MARKERS})\s+(?=[A-Z\"“‘(\d])|\n+")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.){1,3}$|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|No|vs|etc)\.$")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_words(text: str) -> set[str]:
    """Stemmed words that carry meaning: no stopwords, no one- or two-letter words but numbers."""
    kept = [w for w in words(text) if w not in STOPWORDS and (len(w) > 2 or w.isdigit())]
    return set(stemmer().stemWords(kept))


def checked_words(text: str) -> set[str]:
    """content_words plus the digits each number word stands for, so that "a four-day visit"
    holds the 4 of "4 days" and does not hold the 3 of "three days". "One" is left out: it is
    as often a pronoun ("one of the ministers") as a count."""
    found = content_words(text)
    return found | {_numerals()[w] for w in found & _numerals().keys()}


@functools.cache
def _numerals() -> dict[str, str]:
    units = (
        "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
    )
    tens = "twenty thirty forty fifty sixty seventy eighty ninety".split()
    values = {word: str(n) for n, word in enumerate(units.split()) if word != "_"} | {word: str(20 + 10 * n) for n, word in enumerate(tens)}
    return {stemmer().stemWord(word): value for word, value in values.items()}


@functools.lru_cache(maxsize=16384)
def passage_words(text: str) -> frozenset[str]:
    """content_words, remembered: the same chunks come back for question after question in a chat or an eval run."""
    return frozenset(content_words(text))


@functools.cache
def stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def share(words: set[str], found: set[str]) -> float:
    """The share of `words` that `found` holds (0 for no words)."""
    return len(words & found) / len(words) if words else 0.0


def containment(a: set[str], b: set[str]) -> float:
    """The share of the smaller set that the other holds: how much one text repeats another."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in `text`, surrounding space excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start() + len(match.group(1) or "")
        if match.group(1) and _ABBREVIATION.search(text[start : match.start() + 1]):
            continue
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(text)))
    return [(a + _lead(text[a:b]), b - _trail(text[a:b])) for a, b in spans if text[a:b].strip()]


def _lead(piece: str) -> int:
    return len(piece) - len(piece.lstrip())


def _trail(piece: str) -> int:
    return len(piece) - len(piece.rstrip())

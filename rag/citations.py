"""The citation syntax, and only here: an answer cites the passage the model was shown as [n]
with "[n] text" (numbered from 1), and writes [n] before a sentence's closing punctuation."""

from __future__ import annotations

import re
from collections.abc import Iterable

MARKERS = r"(?:\s*\[\d+\])*"  # what may follow a sentence's closing punctuation and still belong to it
_MARKER = re.compile(r"\s*\[(\d+)\]")


def cite(sentence: str, sources: Iterable[int]) -> str:
    """The sentence with its [n] markers before the closing punctuation."""
    body = sentence.rstrip()
    end = body[-1] if body[-1] in ".!?" else "."
    written = markers(sources)
    return body.rstrip(".!?") + (f" {written}" if written else "") + end


def markers(sources: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in sources)


def cited_numbers(text: str) -> list[int]:
    """The n of every [n] marker in an answer, in order of appearance."""
    return [int(n) for n in _MARKER.findall(text)]


def without_citations(text: str) -> str:
    return _MARKER.sub("", text)


def numbered(texts: Iterable[str]) -> str:
    """Passages as the model is shown them to cite: "[1] text", a line each."""
    return "\n".join(f"[{n}] {' '.join(text.split())}" for n, text in enumerate(texts, start=1))

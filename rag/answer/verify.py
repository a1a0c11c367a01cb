"""Check every sentence of an answer against the passages it cites; repair or drop the rest.

A sentence must hold the kind of answer the question asks for (a date for "when", ...), and it
is supported when the passages it cites hold every number and name it adds to the question,
most of its words, and at least half of the words it adds. A sentence citing the wrong passage
is re-cited to the passages that do support it; a sentence no passage supports is dropped.
Words the question already holds prove nothing, so a sentence that only restates the question is
supported by nothing, except the verdict of a yes/no question, which needs passages that hold
what the question asks about.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from rag.question import answers_the_kind
from rag.text import content_words, split_sentences
from rag.types import Passage, Repair

MIN_SUPPORT = 0.6  # share of a claim's words its passages must hold
# Share of the words a claim adds to the question its passages must hold. Not more: a claim says
# "met" where its passage and the question say "meet", and the stemmer does not join the two.
NEW_SUPPORT = 0.5
# Share of the question's words the passages behind a yes/no verdict must hold. Lower: a long
# question ("Between the Northgate Courier's report of May 5 on X and Bytewire's of June 2 on Y,
# was there ...") names outlets and dates that sit in the article's header, not in the shown
# sentences.
VERDICT_SUPPORT = 0.2
MAX_SOURCES = 3  # a repaired sentence is re-cited to at most this many passages
_CITATION_RE = re.compile(r"\s*\[(\d+)\]")
_CAPITALISED = re.compile(r"(?<=\S\s)[A-Z]\w*")  # not the sentence's first word
# Words a yes/no verdict may add to the question and still only be the verdict.
_VERDICT = frozenset(content_words("yes no not both neither either nor same"))


@dataclass(frozen=True)
class Verified:
    sentences: tuple[tuple[str, tuple[int, ...]], ...]  # (text without markers, passage numbers)
    repaired: tuple[Repair, ...]
    removed: tuple[str, ...]


def cited_numbers(text: str) -> list[int]:
    """The n of every [n] marker in an answer, in order of appearance."""
    return [int(n) for n in _CITATION_RE.findall(text)]


def without_citations(text: str) -> str:
    return _CITATION_RE.sub("", text)


def verify(question: str, text: str, passages: list[Passage]) -> Verified:
    """The answer's supported sentences with the citations that hold them up."""
    kept: list[tuple[str, tuple[int, ...]]] = []
    repaired: list[Repair] = []
    removed: list[str] = []
    for begin, end in split_sentences(text):
        sentence = text[begin:end]
        body = " ".join(without_citations(sentence).split())
        if not body:
            continue
        claimed = tuple(dict.fromkeys(cited_numbers(sentence)))
        kept_text, sources, dropped = _check(question, body, claimed, passages)
        removed += dropped
        if not sources:
            continue
        if sources != claimed:
            repaired.append(Repair(kept_text, claimed, sources))
        kept.append((kept_text, sources))
    return Verified(tuple(kept), tuple(repaired), tuple(removed))


def _check(question: str, body: str, claimed: tuple[int, ...], passages: list[Passage]) -> tuple[str, tuple[int, ...], list[str]]:
    """The sentence, or its bare verdict, with the passages that support it (none: dropped),
    and the sentences dropped on the way."""
    answers = _is_verdict(body, question) or answers_the_kind(question, body)
    sources = _supporting(question, body, claimed, passages) if answers else ()
    if sources:
        return body, sources, []
    verdict = _verdict_word(body)
    if verdict and _numbers_shown(body, passages):
        # "Yes, the article implies X" where the paraphrase X does not hold up: the verdict
        # alone may. A number no passage states is invention, and the verdict goes with it.
        return verdict, _supporting(question, verdict, claimed, passages), [body]
    return body, (), [body]


def _supporting(question: str, body: str, claimed: tuple[int, ...], passages: list[Passage]) -> tuple[int, ...]:
    """The passage numbers that support the sentence: the cited ones when they do, else the
    fewest that do (keeping a cited passage that holds the rest of the sentence, the first hop
    of a chained answer), else ()."""
    verdict = _is_verdict(body, question)
    # A verdict ("Yes, both are animated") adds no words: it needs passages about what was asked.
    needed = content_words(question) if verdict else _new_words(body, question)
    if not needed:
        return ()
    valid = [n for n in claimed if 1 <= n <= len(passages)]
    said = content_words(body) | needed
    if valid and _holds(said, needed, valid, passages, verdict):
        # A cited passage stays if it holds some of what the sentence adds to the question:
        # one that shares only the question's words ("Lee", "meet") is not its source.
        cited = [n for n in valid if needed & _words(passages[n - 1])]
        sources = cited + _completing(needed, cited, passages)
    else:
        sources = _fewest_holding(needed, passages)
        if not sources or not _holds(said, needed, sources, passages, verdict):
            return ()
        held = _held_by(sources, passages)
        sources += [n for n in valid if n not in sources and (said - held) & _words(passages[n - 1])]
    # Names and numbers are what an answer most often invents ("Harrow Vale is in England" where
    # no passage names England), so each one the sentence adds must be in its passages. A
    # verdict may rightly deny the question's number.
    exact = _numbers(needed) | (_names(body) & needed)
    if not verdict and not exact <= _held_by(sources, passages):
        return ()
    return tuple(sorted(sources))


def _holds(said: set[str], needed: set[str], numbers: list[int], passages: list[Passage], verdict: bool) -> bool:
    found = _held_by(numbers, passages)
    if verdict:
        return _share(needed, found) >= VERDICT_SUPPORT
    return _share(needed, found) >= NEW_SUPPORT and _share(said - _VERDICT, found) >= MIN_SUPPORT


def _share(words: set[str], found: set[str]) -> float:
    return len(words & found) / len(words) if words else 0.0


def _completing(needed: set[str], cited: list[int], passages: list[Passage]) -> list[int]:
    """Passages holding the words the cited ones lack ("Xi and Li [1]" where [2] names Li)."""
    return _fewest_holding(needed - _held_by(cited, passages), passages, exclude=cited)


def _fewest_holding(needed: set[str], passages: list[Passage], exclude: Collection[int] = ()) -> list[int]:
    """Greedily, the passages (but the excluded) that together hold most of the needed words."""
    chosen: list[int] = []
    covered: set[str] = set()
    while needed - covered and len(chosen) < MAX_SOURCES:
        gains = {n: len((needed - covered) & _words(p)) for n, p in enumerate(passages, 1) if n not in chosen and n not in exclude}
        best = max(gains, key=lambda n: (gains[n], -n), default=None)
        if best is None or gains[best] == 0:
            break
        chosen.append(best)
        covered |= _words(passages[best - 1])
    return chosen


def _numbers_shown(body: str, passages: list[Passage]) -> bool:
    return _numbers(content_words(body)) <= _held_by(range(1, len(passages) + 1), passages)


def _names(body: str) -> set[str]:
    """The capitalised words of a sentence but its first, as content words: its names."""
    return content_words(" ".join(_CAPITALISED.findall(body)))


def _numbers(words: set[str]) -> set[str]:
    return {w for w in words if any(ch.isdigit() for ch in w)}


def _is_verdict(body: str, question: str) -> bool:
    """A yes/no verdict that adds nothing to the question but the yes or no."""
    return bool(_verdict_word(body)) and not _new_words(body, question)


def _verdict_word(body: str) -> str:
    """ "Yes." for a sentence opening with yes, "No." for one opening with no, else ""."""
    first = body.split(maxsplit=1)[0].strip(",.!").lower() if body.strip() else ""
    return first.capitalize() + "." if first in ("yes", "no") else ""


def _new_words(claim: str, question: str) -> set[str]:
    return content_words(claim) - content_words(question) - _VERDICT


def _words(passage: Passage) -> set[str]:
    """The passage's words under its headings: "Its offices are in Port Anselm" under
    "Wrenfield Trust" supports "The Wrenfield Trust has offices in Port Anselm"."""
    return content_words(passage.with_heading)


def _held_by(numbers: Iterable[int], passages: list[Passage]) -> set[str]:
    """The content words the passages numbered `numbers` hold together."""
    return set().union(*(_words(passages[n - 1]) for n in numbers))

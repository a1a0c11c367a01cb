"""Check every sentence of an answer against the passages it cites; repair or drop the rest.

A sentence must hold the kind of answer the question asks for (a date for "when", ...), and it
is supported when the passages it cites hold every number and name it adds to the question,
most of its words, at least half of the words it adds, and half of the question's words it
repeats, every number among them. A sentence citing the wrong passage is re-cited to
the passages that do support it; a sentence no passage supports is dropped.
Words the question already holds prove nothing, so a sentence that only restates the question is
supported by nothing, except the verdict of a yes/no question, which needs passages that hold
what the question asks about.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from rag.citations import cited_numbers, without_citations
from rag.policy import DEFAULT, Policy
from rag.question import Question
from rag.text import checked_words, content_words, share, split_sentences
from rag.types import Passage, Repair

_CAPITALISED = re.compile(r"(?<=\S\s)[A-Z]\w*")  # not the sentence's first word
# Words a yes/no verdict may add to the question and still only be the verdict.
_VERDICT = frozenset(content_words("yes no not both neither either nor same"))


@dataclass(frozen=True)
class Verified:
    sentences: tuple[tuple[str, tuple[int, ...]], ...]  # (text without markers, passage numbers)
    repaired: tuple[Repair, ...]
    removed: tuple[str, ...]


def verify(question: Question, text: str, passages: list[Passage], policy: Policy = DEFAULT) -> Verified:
    """The answer's supported sentences with the citations that hold them up."""
    shown = _Shown([checked_words(p.with_heading(policy.naming_heading_words)) for p in passages], policy)
    kept: list[tuple[str, tuple[int, ...]]] = []
    repaired: list[Repair] = []
    removed: list[str] = []
    for begin, end in split_sentences(text):
        sentence = text[begin:end]
        body = " ".join(without_citations(sentence).split())
        if not body:
            continue
        claimed = tuple(dict.fromkeys(cited_numbers(sentence)))
        kept_text, sources, dropped = _check(question, body, claimed, shown)
        removed += dropped
        if not sources:
            continue
        if sources != claimed:
            repaired.append(Repair(kept_text, claimed, sources))
        kept.append((kept_text, sources))
    return Verified(tuple(kept), tuple(repaired), tuple(removed))


@dataclass(frozen=True)
class _Shown:
    """The words of each passage shown to the model (passage n at n - 1), read under its heading:
    "Its offices are in Port Anselm" under "Wrenfield Trust" supports "The Wrenfield Trust has
    offices in Port Anselm"; and the policy that says how much of a claim they must hold."""

    words: list[set[str]]
    policy: Policy

    def held_by(self, numbers: Iterable[int]) -> set[str]:
        """The content words the passages numbered `numbers` hold together."""
        return set().union(*(self.words[n - 1] for n in numbers))

    def hold(self, said: set[str], needed: set[str], numbers: list[int], verdict: bool, restated: set[str] = frozenset()) -> bool:
        """Whether the passages numbered `numbers` hold enough of what a sentence says: of the
        words it adds to the question (`needed`), of all its words (`said`), and of the question's
        words it repeats (`restated`), every number among those included."""
        found = self.held_by(numbers)
        if verdict:
            return share(needed, found) >= self.policy.verdict_support
        return (
            share(needed, found) >= self.policy.new_support
            and share(said - _VERDICT, found) >= self.policy.min_support
            and (
                not restated
                or not self.policy.restated_support
                or (share(restated, found) >= self.policy.restated_support and _numbers(restated) <= found)
            )
        )

    def completing(self, needed: set[str], cited: list[int]) -> list[int]:
        """Passages holding the words the cited ones lack ("Xi and Li [1]" where [2] names Li)."""
        return self.fewest_holding(needed - self.held_by(cited), exclude=cited)

    def fewest_holding(self, needed: set[str], exclude: Collection[int] = ()) -> list[int]:
        """Greedily, the passages (but the excluded) that together hold most of the needed words."""
        chosen: list[int] = []
        covered: set[str] = set()
        while needed - covered and len(chosen) < self.policy.max_sources:
            gains = {n: len((needed - covered) & words) for n, words in enumerate(self.words, 1) if n not in chosen and n not in exclude}
            best = max(gains, key=lambda n: (gains[n], -n), default=None)
            if best is None or gains[best] == 0:
                break
            chosen.append(best)
            covered |= self.words[best - 1]
        return chosen

    def hold_the_numbers(self, body: str) -> bool:
        return _numbers(checked_words(body)) <= self.held_by(range(1, len(self.words) + 1))


def _check(question: Question, body: str, claimed: tuple[int, ...], shown: _Shown) -> tuple[str, tuple[int, ...], list[str]]:
    """The sentence, or its bare verdict, with the passages that support it (none: dropped),
    and the sentences dropped on the way."""
    answers = _is_verdict(body, question) or question.answered_in_kind(body)
    sources = _supporting(question, body, claimed, shown) if answers else ()
    if sources:
        return body, sources, []
    verdict = _verdict_word(body)
    if verdict and shown.hold_the_numbers(body):
        # "Yes, the article implies X" where the paraphrase X does not hold up: the verdict
        # alone may. A number no passage states is invention, and the verdict goes with it.
        return verdict, _supporting(question, verdict, claimed, shown), [body]
    return body, (), [body]


def _supporting(question: Question, body: str, claimed: tuple[int, ...], shown: _Shown) -> tuple[int, ...]:
    """The passage numbers that support the sentence: the cited ones when they do, else the
    fewest that do (keeping a cited passage that holds the rest of the sentence, the first hop
    of a chained answer), else ()."""
    verdict = _is_verdict(body, question)
    # A verdict ("Yes, both are animated") adds no words: it needs passages about what was asked.
    needed = set(question.words) if verdict else _new_words(body, question)
    if not needed:
        return ()
    valid = [n for n in claimed if 1 <= n <= len(shown.words)]
    said = checked_words(body) | needed
    # What the sentence repeats of the question it asserts too: "the 2021 Tour" from a passage
    # about the 2019 one, "the least important" from one that says the most important.
    restated = set() if verdict else said & question.words
    if valid and shown.hold(said, needed, valid, verdict, restated):
        # A cited passage stays if it holds some of what the sentence adds to the question:
        # one that shares only the question's words ("Lee", "meet") is not its source.
        cited = [n for n in valid if needed & shown.words[n - 1]]
        sources = cited + shown.completing(needed, cited)
    else:
        sources = shown.fewest_holding(needed)
        if not sources or not shown.hold(said, needed, sources, verdict, restated):
            return ()
        held = shown.held_by(sources)
        sources += [n for n in valid if n not in sources and (said - held) & shown.words[n - 1]]
    # Names and numbers are what an answer most often invents ("Harrow Vale is in England" where
    # no passage names England), so each one the sentence adds must be in its passages. A
    # verdict may rightly deny the question's number.
    exact = _numbers(needed) | (_names(body) & needed)
    if not verdict and not exact <= shown.held_by(sources):
        return ()
    return tuple(sorted(sources))


def _names(body: str) -> set[str]:
    """The capitalised words of a sentence but its first, as content words: its names."""
    return content_words(" ".join(_CAPITALISED.findall(body)))


def _numbers(words: set[str]) -> set[str]:
    return {w for w in words if any(ch.isdigit() for ch in w)}


def _is_verdict(body: str, question: Question) -> bool:
    """A yes/no verdict that adds nothing to the question but the yes or no."""
    return bool(_verdict_word(body)) and not _new_words(body, question)


def _verdict_word(body: str) -> str:
    """ "Yes." for a sentence opening with yes, "No." for one opening with no, else ""."""
    first = body.split(maxsplit=1)[0].strip(",.!").lower() if body.strip() else ""
    return first.capitalize() + "." if first in ("yes", "no") else ""


def _new_words(claim: str, question: Question) -> set[str]:
    return checked_words(claim) - question.words - _VERDICT

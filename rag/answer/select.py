"""Choose, among the verified claims, the ones that make the answer.

Drafting yields candidates: per-sentence extraction says something for nearly every sentence it
reads. What reaches the user is chosen:
- a claim that only restates the question's subject answers nothing ("Lee meets President Lee
  Jae-myung" to "Who does Lee meet?") and is set aside;
- a claim the model was unsure of (below `min_confidence`) is set aside;
- a question with one answer ("who won", "when", "how many") gets the answer the model was
  surest of, as one sentence citing every passage that gives it; a different answer to the same
  question that the model was nearly as sure of is kept as a conflict, shown beside the answer,
  never inside it;
- a question that asks for several things keeps every claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.policy import DEFAULT, Policy
from rag.question import DAYS, MONTHS, Question, Wanted
from rag.text import checked_words, content_words, share
from rag.types import Claim

_NAME_RUN = re.compile(r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")
_DATE_WORDS = frozenset(content_words(" ".join(MONTHS + DAYS)))


@dataclass(frozen=True)
class Selection:
    kept: tuple[Claim, ...]
    conflicts: tuple[Claim, ...] = ()
    set_aside: tuple[str, ...] = ()


def select(question: Question, claims: list[Claim], policy: Policy = DEFAULT) -> Selection:
    answering = [c for c in claims if not restates_subject(question, c.text)]
    sure = [c for c in answering if c.confidence is None or c.confidence >= policy.min_confidence]
    set_aside = [c.text for c in claims if c not in sure]
    if not question.expects_one or len(sure) < 2 or all(c.confidence is None for c in sure):
        # A draft without token probabilities is one the model composed whole: it chose already.
        return Selection(tuple(sure), (), tuple(set_aside))
    valued = _valued(question, sure)
    set_aside += [c.text for c in sure if all(c is not v[0] for v in valued)]
    groups = sorted(_same_answers(valued), key=_strength, reverse=True)
    best, rivals = groups[0], groups[1:]
    bar = policy.conflict_share * (_confidence(best) or 0.0)
    conflicts = [
        group[0]
        for group in rivals
        if (_confidence(group) is None or _confidence(group) >= bar) and _about_the_question(question, group[0])
    ]
    set_aside += [c.text for group in rivals for c in group if c not in conflicts]
    return Selection((_one_claim(question, best),), tuple(conflicts), tuple(set_aside))


def restates_subject(question: Question, claim: str) -> bool:
    """Whether all the claim adds to the question is a longer name for something the question
    names: "South Korean President Lee Jae-myung" for its "Lee". A question about what its
    subject is called is answered by exactly that."""
    if question.asks_name:
        return False
    added = content_words(claim) - question.words
    subject: set[str] = set()
    for run in _NAME_RUN.findall(claim):
        run_words = content_words(run)
        if run_words & question.names:
            subject |= run_words
    return bool(added) and added <= subject


def _about_the_question(question: Question, claim: Claim) -> bool:
    """A rival answer is a conflict only if it says something about what was asked: "Lee meets
    Xi on Monday" is no rival to "Lee took office in June" for "When did Lee take office?"."""
    return share(set(question.words), content_words(claim.text)) >= 0.5


def _valued(question: Question, claims: list[Claim]) -> list[tuple[Claim, set[str]]]:
    """Each claim with the answer it gives. Where the question asks for a thing, a name every
    claim adds is what they are all about (the actress a chained question passes through to
    the show she starred in), not the answer: a claim adding nothing else answers nothing, where
    another claim does. A person every claim names answers "who"; a date or a number they all
    give answers "when" or "how many"."""
    values = [_value(question, c.text) for c in claims]
    if question.asks_who or question.wants_a_date or question.wanted is Wanted.NUMBER:
        return list(zip(claims, values))
    shared = set.intersection(*values)
    distinct = [value - shared for value in values]
    if not any(distinct):
        return list(zip(claims, values))
    return [(claim, value) for claim, value in zip(claims, distinct) if value]


def _same_answers(valued: list[tuple[Claim, set[str]]]) -> list[list[Claim]]:
    """The claims grouped by the answer they give, each group in its claims' order."""
    groups: list[tuple[set[str], list[Claim]]] = []
    for claim, value in valued:
        group = next((g for g in groups if g[0] & value), None)
        if group is None:
            groups.append((set(value), [claim]))
        else:
            group[0].update(value)
            group[1].append(claim)
    return [claims for _, claims in groups]


def _value(question: Question, claim: str) -> set[str]:
    """What the claim gives as the answer: its numbers and dates for "when" and "how many",
    else the names it adds, else every word it adds."""
    added = checked_words(claim) - question.words
    if question.wants_a_date or question.wanted is Wanted.NUMBER:
        dated = {w for w in added if any(ch.isdigit() for ch in w)} | (added & _DATE_WORDS)
        if dated:
            return dated
    names = content_words(" ".join(_NAME_RUN.findall(claim))) & added
    return names or added


def _one_claim(question: Question, group: list[Claim]) -> Claim:
    """The claims that give the same answer as one sentence citing every passage that gives it:
    the most exact of them for a date or a number ("in May 1859" over "in 1859"), else the one
    the model was surest of."""
    exact = question.wants_a_date or question.wanted is Wanted.NUMBER
    best = max(group, key=lambda c: (len(_value(question, c.text)) if exact else 0, c.confidence or 0.0))
    return Claim(best.text, tuple(sorted({n for c in group for n in c.sources})), _confidence(group))


def _confidence(group: list[Claim]) -> float | None:
    known = [c.confidence for c in group if c.confidence is not None]
    return max(known) if known else None


def _strength(group: list[Claim]) -> tuple[float, int, int]:
    """Surest first; then the answer more passages give; then the one from the best-ranked passage."""
    sources = {n for c in group for n in c.sources}
    return (_confidence(group) or 0.0, len(sources), -min(sources, default=0))

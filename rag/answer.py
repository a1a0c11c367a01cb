"""Turn focused passages and a question into a cited Answer, checking every claim.

The model reads one passage at a time and either answers from it or says NONE; the pipeline,
not the model, attaches the citation, so every [n] points at the passage the claim came from.
A claim its passage does not support (a number it lacks, words it does not contain) is dropped;
when nothing supported remains, the answer is the abstention phrase.

This module alone knows the citation syntax ([n]) and the abstention phrase.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass

from rag import resources
from rag.llm import ChatModel, Messages
from rag.text import content_words
from rag.types import Answer, Citation, Passage

ABSTENTION = "The documents do not say."
NOTHING_HERE = "NONE"  # what the extraction prompt asks the model to say for an unhelpful passage

# Ways a small model says "not in this passage" besides the word it was asked for.
_DECLINE_RE = re.compile(
    rf"(?-i:\b{NOTHING_HERE}\b)|(do|does|did) not (say|mention|contain|specify|provide|state)|"
    r"\bnot (mentioned|stated|provided|specified|given)\b|\bno information\b",
    re.IGNORECASE,
)
_CITATION_RE = re.compile(r"\s*\[(\d+)\]")
MIN_SUPPORT = 0.6  # share of a claim's content words its passage must contain
SAME_CLAIM = 0.8  # claims sharing this much of their words are one claim with two citations
EXTRACT_MAX_TOKENS = 60


@dataclass
class _Claim:
    text: str
    sources: list[int]


@functools.cache
def _extract_prompt() -> tuple[str, tuple[tuple[str, str], ...]]:
    """The system text and the worked examples of prompts/extract.txt."""
    system, *examples = resources.prompt("extract").split("\n---\n")
    shots = []
    for example in examples:
        fields = dict(line.split(": ", 1) for line in example.strip().splitlines())
        shots.append((_ask(fields["Question"], fields["Sentence"]), fields["Answer"]))
    return system.strip(), tuple(shots)


def _ask(question: str, passage_text: str) -> str:
    return f"Question: {question.strip()}\nSentence: {passage_text.strip()}"


def build_messages(question: str, passage: Passage) -> Messages:
    system, shots = _extract_prompt()
    messages = [{"role": "system", "content": system}]
    for asked, answered in shots:
        messages += [{"role": "user", "content": asked}, {"role": "assistant", "content": answered}]
    # Everything before the passage is the same for every call: llama.cpp reuses it from cache.
    return messages + [{"role": "user", "content": _ask(question, passage.text)}]


def answer(question: str, passages: list[Passage], llm: ChatModel) -> Answer:
    started = time.perf_counter()
    claims: list[_Claim] = []
    removed: list[str] = []
    timings: dict[str, float] = {}
    usage = {"prompt_tokens": 0, "completion_tokens": 0, "calls": 0}
    asked = content_words(question)
    for n, passage in enumerate(passages, start=1):
        generation = llm.generate(build_messages(question, passage), EXTRACT_MAX_TOKENS)
        usage["prompt_tokens"] += generation.prompt_tokens
        usage["completion_tokens"] += generation.completion_tokens
        usage["calls"] += 1
        timings.setdefault("first_token", time.perf_counter() - started - generation.total_s + generation.first_token_s)
        claim = _claim_text(generation.text)
        if not claim or not content_words(claim) - asked:
            continue  # declined, or only repeated the question ("Lee called Xi.")
        if support(claim, passage) < MIN_SUPPORT:
            removed.append(claim)
            continue
        if _merge(claims, claim, n):
            continue
        claims.append(_Claim(claim, [n]))
        timings.setdefault("first_claim", time.perf_counter() - started)
    timings["generate"] = time.perf_counter() - started
    cited = sorted({n for claim in claims for n in claim.sources})
    return Answer(
        question=question,
        text=" ".join(_render_claim(c) for c in claims) if claims else ABSTENTION,
        citations=tuple(Citation(n, passages[n - 1]) for n in cited),
        abstained=not claims,
        passages=tuple(passages),
        removed_sentences=tuple(removed),
        model=llm.name,
        timings=timings,
        usage=usage,
    )


def _render_claim(claim: _Claim) -> str:
    body = claim.text.rstrip()
    end = body[-1] if body[-1] in ".!?" else "."
    body = body.rstrip(".!?")
    return body + "".join(f" [{n}]" for n in claim.sources).replace("] [", "][") + end


def cited_numbers(text: str) -> list[int]:
    """The n of every [n] marker in an answer, in order of appearance."""
    return [int(n) for n in _CITATION_RE.findall(text)]


def without_citations(text: str) -> str:
    return _CITATION_RE.sub("", text)


def _claim_text(raw: str) -> str:
    """The model's reply as a claim, or "" when it declined."""
    text = without_citations(raw).strip().strip('"').strip()
    if not text or _DECLINE_RE.search(text) or ABSTENTION.lower().rstrip(".") in text.lower():
        return ""
    return " ".join(text.split())


def _merge(claims: list[_Claim], text: str, n: int) -> bool:
    """Fold a claim into an earlier one that says the same (the corpus repeats itself)."""
    words = content_words(text)
    for claim in claims:
        other = content_words(claim.text)
        if words and other and len(words & other) / min(len(words), len(other)) >= SAME_CLAIM:
            claim.sources.append(n)
            return True
    return False


def support(claim: str, passage: Passage) -> float:
    """Share of the claim's content words the passage holds; 0 if it lacks a number of the claim."""
    words = content_words(claim)
    if not words:
        return 0.0
    found = content_words(passage.text)
    if any(w not in found for w in words if any(ch.isdigit() for ch in w)):
        return 0.0
    return len(words & found) / len(words)

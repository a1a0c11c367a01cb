"""Per-sentence extraction: the model reads one sentence at a time and answers from it or says NONE.

The pipeline, not the model, attaches the citation, so each claim cites the sentence it was read
from. Good at "who/what/when" questions whose answer sits in one or more single sentences (it
names all three people Lee meets, which one prompt over every passage did not); it cannot
combine two passages.
"""

from __future__ import annotations

import math
import re
import time

from rag import resources
from rag.citations import cite, without_citations
from rag.models.llm import ChatModel, Draft, Generation, Messages, OnToken, few_shot_messages
from rag.policy import DEFAULT, Policy
from rag.question import Question
from rag.text import containment, content_words, split_sentences
from rag.types import Passage

NOTHING_HERE = "NONE"  # what the prompts ask the model to say when it cannot answer
# Ways a small model says "not in this passage" besides the word it was asked for.
DECLINE_RE = re.compile(
    rf"(?-i:\b{NOTHING_HERE}\b)|(do|does|did) not (say|mention|contain|specify|provide|state)|"
    r"\bnot (mentioned|stated|provided|specified|given)\b|\bno information\b",
    re.IGNORECASE,
)


def build_messages(question: Question, passage: Passage, policy: Policy = DEFAULT) -> Messages:
    return few_shot_messages(*resources.few_shot("extract"), _ask(question.text, passage.with_heading(policy.naming_heading_words)))


def _ask(question: str, sentence: str) -> str:
    return f"Question: {question.strip()}\nSentence: {sentence.strip()}"


def draft(question: Question, passages: list[Passage], llm: ChatModel, policy: Policy = DEFAULT, on_text: OnToken | None = None) -> Draft:
    """One claim per sentence that answers, each ending in the [n] of its sentence.

    A claim streams to `on_text` whole, once its reply is in: only then is it known not to be
    a refusal or a repeat of an earlier claim."""
    started = time.perf_counter()
    result = Draft()
    claims: list[tuple[str, list[int]]] = []
    asked = question.words
    for n, passage in enumerate(passages, start=1):
        generation = llm.generate(build_messages(question, passage, policy), policy.extract_max_tokens, logprobs=True)
        result.record(generation, started)
        claim = reply_text(generation.text)
        if not content_words(claim) - asked:
            continue  # declined, or only repeated the question ("Lee called Xi.")
        same = _merge(claims, claim, n, policy.same_claim)
        if same is None:
            if on_text:
                on_text((" " if claims else "") + cite(claim, [n]))
            claims.append((claim, [n]))
        _note_confidence(result, same or claim, confidence(generation))
    result.text = " ".join(cite(claim, sources) for claim, sources in _in_document_order(claims, passages))
    return result


def confidence(generation: Generation) -> float | None:
    """How sure the model was of its reply, from its token probabilities: the chance that it
    did not decline at the first token, times the chance of its least likely token (where a
    small model invents, "three days" from a sentence that says four, one token is the weak
    one). None where the model gave no probabilities."""
    if not generation.token_logprobs:
        return None
    return not_declined(generation) * math.exp(min(generation.token_logprobs))


def not_declined(generation: Generation) -> float:
    """The chance the model's first token was not the start of NONE."""
    declined = sum(p for token, p in generation.first_choices if token.strip() and NOTHING_HERE.startswith(token.strip().upper()))
    return 1.0 - min(declined, 1.0)


def _note_confidence(draft: Draft, claim: str, sure: float | None) -> None:
    """Record how sure the model was of each sentence of a claim, as verification will split it."""
    if sure is None:
        return
    for begin, end in split_sentences(claim):
        draft.note_confidence(claim[begin:end], sure)


def _in_document_order(claims: list[tuple[str, list[int]]], passages: list[Passage]) -> list[tuple[str, list[int]]]:
    """Claims in the order the documents tell them, not in the order of their scores: "Lee
    meets Xi on Monday. He will also meet Li." reads as the article does, and "the first one"
    in a follow-up means what the article put first."""
    position = lambda claim: min((passages[n - 1].source, passages[n - 1].line_start) for n in claim[1])  # noqa: E731
    return sorted(claims, key=position)


def reply_text(raw: str) -> str:
    """The model's reply without its own [n] markers, or "" when it declined."""
    text = without_citations(raw).strip().strip('"').strip()
    if not text or DECLINE_RE.search(text):
        return ""
    return " ".join(text.split())


def _merge(claims: list[tuple[str, list[int]]], text: str, n: int, same_claim: float) -> str | None:
    """Fold a claim into an earlier one that says the same (the corpus repeats itself); that one's text, or None."""
    words = content_words(text)
    for claim, sources in claims:
        if containment(words, content_words(claim)) >= same_claim:
            sources.append(n)
            return claim
    return None

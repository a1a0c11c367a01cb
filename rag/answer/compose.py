"""Turn focused passages and a question into a cited Answer that the passages support.

Three ways to draft an answer, one check for all of them:
- too little evidence: the abstention, without asking the model (it would take seconds to say
  nothing, or worse, invent something);
- no model (`--llm none`): the best matching sentences themselves;
- the model, sentence by sentence (`extract`: what the embedded 1.5B model can do), or over all
  passages at once (`synthesize`: a yes/no question or a choice, which weigh passages against
  each other, and every question under the `single` strategy, for a capable model).
Every draft then goes through `verify` (citations checked and repaired, unsupported sentences
dropped), `select` (the claims that answer the question, one for a one-answer question, the
rest kept as conflicts or set aside) and `complete` (a partial date or surname given in full, as
its passage writes it); when nothing remains the answer is the abstention.

This module alone knows the abstention phrase.
"""

from __future__ import annotations

import time
from dataclasses import replace

from rag.answer import extract, synthesize
from rag.answer.complete import complete
from rag.answer.select import select
from rag.answer.verify import verify
from rag.citations import cite
from rag.models.llm import ChatModel, Draft, OnToken
from rag.models.providers import EXTRACT, EXTRACTIVE, SINGLE
from rag.policy import DEFAULT, Policy
from rag.question import Question
from rag.retrieval import hops
from rag.types import Answer, Citation, Claim, Passage

ABSTENTION = "The documents do not say."
WEAK_EVIDENCE = "weak evidence"
NOTHING_SUPPORTED = "nothing supported"
NOTHING_ANSWERS = "nothing answers"  # supported claims there were, but none sure enough, or about what was asked


def answer(
    question: Question,
    passages: list[Passage],
    llm: ChatModel | None,
    policy: Policy = DEFAULT,
    on_text: OnToken | None = None,
    drafting: str = EXTRACT,
) -> Answer:
    """The checked answer. `on_text` sees the draft as it is written, before the check: a
    display of progress, never the answer itself."""
    started = time.perf_counter()
    model = llm.name if llm is not None else EXTRACTIVE
    if not passages or evidence(passages) < policy.min_evidence:
        return _abstain(question.text, passages, model, WEAK_EVIDENCE)
    draft = _draft(question, passages, llm, policy, on_text, drafting)
    checked = verify(question, draft.text, passages, policy)
    removed = checked.removed
    if not checked.sentences and _chains(question, passages, llm):
        draft = draft.then(synthesize.draft(question, passages, llm, policy, on_text))
        checked = verify(question, draft.text, passages, policy)
        removed += checked.removed
    claims = [Claim(text, sources, draft.sure_of(text)) for text, sources in checked.sentences]
    chosen = select(question, claims, policy)
    chosen = replace(
        chosen,
        kept=tuple(complete(question, c, passages) for c in chosen.kept),
        conflicts=tuple(complete(question, c, passages) for c in chosen.conflicts),
    )
    cited = sorted({n for claim in chosen.kept + chosen.conflicts for n in claim.sources})
    text = " ".join(cite(claim.text, claim.sources) for claim in chosen.kept)
    known = [c.confidence for c in chosen.kept if c.confidence is not None]
    return Answer(
        question=question.text,
        text=text or ABSTENTION,
        citations=tuple(Citation(n, passages[n - 1]) for n in cited),
        abstained=not text,
        passages=tuple(passages),
        removed_sentences=removed + chosen.set_aside,
        repaired_citations=checked.repaired,
        abstention_reason="" if text else NOTHING_ANSWERS if claims else NOTHING_SUPPORTED,
        conflicts=chosen.conflicts if text else (),
        confidence=min(known) if known else None,
        model=model,
        timings={**draft.timings, "generate": time.perf_counter() - started},
        usage=draft.usage,
    )


def evidence(passages: list[Passage]) -> float:
    """How well the best focused sentence matches the question (its focus score)."""
    return max(p.score for p in passages)


def _draft(
    question: Question, passages: list[Passage], llm: ChatModel | None, policy: Policy, on_text: OnToken | None, drafting: str
) -> Draft:
    if llm is None:
        result = _extractive(passages, policy)
        if on_text:
            on_text(result.text)
        return result
    if question.weighs_passages:
        return synthesize.draft(question, passages, llm, policy, on_text)
    if drafting == SINGLE:
        return synthesize.draft(question, passages, llm, policy, on_text, prompt=synthesize.ANSWER)
    return extract.draft(question, passages, llm, policy, on_text)


def _chains(question: Question, passages: list[Passage], llm: ChatModel | None) -> bool:
    """Whether a second try over all the passages at once may find what per-sentence extraction
    cannot see: the two halves of a bridge answer (see rag/retrieval/hops.py)."""
    return llm is not None and not question.weighs_passages and hops.followed(passages)


def _extractive(passages: list[Passage], policy: Policy) -> Draft:
    """The best sentence, and the next one if it scores nearly as well, each citing itself."""
    best = evidence(passages)
    ranked = sorted(range(len(passages)), key=lambda i: -passages[i].score)
    chosen = [i for i in ranked if passages[i].score >= policy.extractive_share * best][: policy.extractive_max]
    return Draft(text=" ".join(cite(passages[i].text, [i + 1]) for i in sorted(chosen)))


def abstention(question: str) -> Answer:
    """The abstention, as a baseline gives it: no passages, no model."""
    return _abstain(question, [], "", "")


def _abstain(question: str, passages: list[Passage], model: str, reason: str) -> Answer:
    return Answer(question, ABSTENTION, (), True, tuple(passages), abstention_reason=reason, model=model)

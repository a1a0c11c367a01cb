"""One prompt over all the passages: for answers that weigh them against each other (yes/no
questions and "A or B?" choices), for a chained answer per-sentence extraction cannot see, and,
under the `single` drafting strategy, for every question a capable model is asked.

The model writes its own [n] markers; verification decides which of them stand.
"""

from __future__ import annotations

import time

from rag import resources
from rag.answer.extract import reply_text
from rag.citations import cite, cited_numbers, numbered
from rag.models.llm import ChatModel, Draft, Generation, Messages, OnToken, few_shot_messages
from rag.policy import DEFAULT, Policy
from rag.question import Question
from rag.types import Passage

ANSWER = "answer"  # the prompt of the single strategy: one cited answer, a list, or a conflict named
WEIGH = "synthesize"


def build_messages(question: Question, passages: list[Passage], policy: Policy = DEFAULT, prompt: str = WEIGH) -> Messages:
    """Yes/no questions get a prompt of their own: offered NONE beside Yes and No, the small
    model declines nearly every long yes/no question. The evidence gate has already judged
    that the passages are about the question."""
    prompt = "yes_no" if question.yes_no else prompt
    shown = numbered(p.with_heading(policy.naming_heading_words) for p in passages)
    return few_shot_messages(*resources.few_shot(prompt), f"Question: {question.text.strip()}\n{shown}")


def draft(
    question: Question,
    passages: list[Passage],
    llm: ChatModel,
    policy: Policy = DEFAULT,
    on_text: OnToken | None = None,
    prompt: str = WEIGH,
) -> Draft:
    started = time.perf_counter()
    result = Draft()
    cap = policy.answer_max_tokens if prompt == ANSWER else policy.synthesize_max_tokens
    generation = llm.generate(build_messages(question, passages, policy, prompt), cap, on_text, logprobs=question.yes_no)
    result.record(generation, started)
    # Keep the model's markers: verification checks them. Only a refusal is dropped.
    result.text = generation.text.strip() if reply_text(generation.text) else ""
    if question.yes_no and result.text:
        result.text = weighed_verdict(result.text, generation, policy.yes_share)
    return result


def weighed_verdict(reply: str, generation: Generation, yes_share: float) -> str:
    """The reply, its verdict set by the model's own odds: Yes only where the first token put at
    least `yes_share` of the weight it gave yes and no on yes (a bar set on the tune folds; at
    0.5 the first token decides, whatever the words after it say). A verdict turned round
    keeps only its citations: the reasons given were for the other."""
    said = reply.split(maxsplit=1)[0].strip(",.!").lower()
    leaning = yes_weight(generation)
    if leaning is None or said not in ("yes", "no"):
        return reply
    verdict = "yes" if leaning >= yes_share else "no"
    if verdict == said:
        return reply
    return cite(verdict.capitalize(), cited_numbers(reply))


def yes_weight(generation: Generation) -> float | None:
    """The share of the first token's weight on yes, of what it put on yes and no; None without probabilities."""
    weights = {"yes": 0.0, "no": 0.0}
    for token, p in generation.first_choices:
        word = token.strip().lower()
        if word in weights:
            weights[word] += p
    total = sum(weights.values())
    return weights["yes"] / total if total else None

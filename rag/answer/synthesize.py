"""One prompt over all the passages: for answers that weigh them against each other (yes/no
questions and "A or B?" choices), for a chained answer per-sentence extraction cannot see, and,
under the `single` drafting strategy, for every question a capable model is asked.

The model writes its own [n] markers; verification decides which of them stand.
"""

from __future__ import annotations

import time

from rag import resources
from rag.answer.extract import reply_text
from rag.citations import numbered
from rag.models.llm import ChatModel, Draft, Messages, OnToken, few_shot_messages
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
    generation = llm.generate(build_messages(question, passages, policy, prompt), cap, on_text)
    result.record(generation, started)
    # Keep the model's markers: verification checks them. Only a refusal is dropped.
    result.text = generation.text.strip() if reply_text(generation.text) else ""
    return result

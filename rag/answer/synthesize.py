"""One prompt over all the passages, for answers that weigh them against each other: yes/no
questions and "A or B?" choices.

The model writes its own [n] markers; verification decides which of them stand.
"""

from __future__ import annotations

import time

from rag import question as asked
from rag import resources
from rag.answer.extract import reply_text
from rag.models.llm import ChatModel, Draft, Messages, OnToken, few_shot_messages
from rag.types import Passage

MAX_TOKENS = 80


def needs_synthesis(question: str) -> bool:
    """Yes/no questions and "A or B?" choices are answered by weighing passages against each other."""
    return asked.is_yes_no(question) or asked.is_choice(question)


def build_messages(question: str, passages: list[Passage]) -> Messages:
    """Yes/no questions get a prompt of their own: offered NONE beside Yes and No, the small
    model declines nearly every long yes/no question. The evidence gate has already judged
    that the passages are about the question."""
    prompt = "yes_no" if asked.is_yes_no(question) else "synthesize"
    numbered = "\n".join(f"[{n}] {' '.join(p.with_heading.split())}" for n, p in enumerate(passages, start=1))
    return few_shot_messages(*resources.few_shot(prompt), f"Question: {question.strip()}\n{numbered}")


def draft(question: str, passages: list[Passage], llm: ChatModel, on_text: OnToken | None = None) -> Draft:
    started = time.perf_counter()
    result = Draft()
    generation = llm.generate(build_messages(question, passages), MAX_TOKENS, on_text)
    result.record(generation, started)
    # Keep the model's markers: verification checks them. Only a refusal is dropped.
    result.text = generation.text.strip() if reply_text(generation.text) else ""
    return result

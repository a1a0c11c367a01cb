"""Trivial baselines, answered on the same questions in the same run: a gate one of them passes
proves nothing about the model.

- always-abstain: the abstention, to every question;
- always-yes: "Yes." to every yes/no question, the abstention to the rest;
- no-model: what `--llm none` answers, the best matching sentences quoted (the run's retrieval
  and focus, no model; milliseconds a question).
"""

from __future__ import annotations

from rag import answer as answering
from rag.pipeline import Rag
from rag.question import is_yes_no
from rag.types import Answer

NAMES = ("always-abstain", "always-yes", "no-model")
# The answer metrics a baseline is scored on; citations and timings say nothing of a baseline.
COMPARED = ("accuracy", "answer_correct", "token_f1", "abstention_correct", "false_refusal")


def answers(rag: Rag, question: str, k: int) -> dict[str, Answer]:
    abstain = answering.abstention(question)
    yes = Answer(question, "Yes.", (), False) if is_yes_no(question) else abstain
    quoted = answering.answer(question, rag.context(question, k), None, rag.settings.min_evidence)
    return {"always-abstain": abstain, "always-yes": yes, "no-model": quoted}

"""Trivial baselines, answered on the same questions in the same run: a gate one of them passes
proves nothing about the model.

- always-abstain: the abstention, to every question;
- always-yes: "Yes." to every yes/no question, the abstention to the rest;
- no-model: what `--llm none` answers, the best matching sentences quoted from the passages the
  run's answer was drafted from (no second retrieval, no model).
"""

from __future__ import annotations

from rag.answer import compose as answering
from rag.question import is_yes_no
from rag.types import Answer

NAMES = ("always-abstain", "always-yes", "no-model")
# The answer metrics a baseline is scored on; citations and timings say nothing of a baseline.
COMPARED = ("accuracy", "answer_correct", "token_f1", "abstention_correct", "false_refusal", "abstention_skill")


def answers(answered: Answer, min_evidence: float) -> dict[str, Answer]:
    question = answered.question
    abstain = answering.abstention(question)
    yes = Answer(question, "Yes.", (), False) if is_yes_no(question) else abstain
    quoted = answering.answer(question, list(answered.passages), None, min_evidence)
    return {"always-abstain": abstain, "always-yes": yes, "no-model": quoted}

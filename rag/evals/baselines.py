"""Trivial baselines, answered on the same questions in the same run: a gate one of them passes
proves nothing about the model.

- always-abstain: the abstention, to every question;
- always-yes: "Yes." to every yes/no question, the abstention to the rest;
- no-model: what `--llm none` answers, the best matching sentences quoted from the passages the
  run's answer was drafted from (no second retrieval, no model).
"""

from __future__ import annotations

from rag.answer import compose as answering
from rag.policy import Policy
from rag.question import Question
from rag.types import Answer

NAMES = ("always-abstain", "always-yes", "no-model")
# The answer metrics a baseline is scored on; citations and timings say nothing of a baseline.
COMPARED = ("accuracy", "answer_correct", "claim_precision", "token_f1", "abstention_correct", "false_refusal", "abstention_skill")


def answers(question: Question, answered: Answer, policy: Policy) -> dict[str, Answer]:
    abstain = answering.abstention(question.text)
    yes = Answer(question.text, "Yes.", (), False) if question.yes_no else abstain
    quoted = answering.answer(question, list(answered.passages), None, policy)
    return {"always-abstain": abstain, "always-yes": yes, "no-model": quoted}

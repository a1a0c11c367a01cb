"""Follow-up questions in a conversation: "When does he meet the first one?" is rewritten into a
standalone question from the turns before it, and retrieval uses the rewrite.

Only a question that points back (a pronoun, "there", "the first one") is rewritten, and a
rewrite that drops what the question itself asked is not used: a standalone question must reach
retrieval as the user typed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import resources
from rag.llm import ChatModel, Messages, few_shot_messages
from rag.text import content_words
from rag.verify import without_citations

MAX_TOKENS = 48
TURNS_SHOWN = 3  # the last turns the rewrite sees; older ones rarely hold what "he" means
# Share of the question's own content words a rewrite must keep.
KEEP = 0.5
_POINTS_BACK = re.compile(
    r"\b(he|she|it|they|him|her|them|his|hers|its|their|theirs|this|that|these|those|there|then|"
    r"former|latter|(?:first|second|third|last|other|same)(?: one)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str


def points_back(question: str) -> bool:
    return bool(_POINTS_BACK.search(question))


def standalone(question: str, turns: list[Turn], llm: ChatModel | None) -> str:
    """The question as retrieval should see it: rewritten if it points back into the turns."""
    if llm is None or not turns or not points_back(question):
        return question
    reply = llm.generate(build_messages(question, turns), MAX_TOKENS).text
    rewrite = " ".join(reply.strip().splitlines()[0].split()) if reply.strip() else ""
    return rewrite if _keeps_the_question(question, rewrite) else question


def build_messages(question: str, turns: list[Turn]) -> Messages:
    lines = []
    for turn in turns[-TURNS_SHOWN:]:
        lines += [f"User: {turn.question.strip()}", f"Assistant: {' '.join(without_citations(turn.answer).split())}"]
    asked = "Conversation:\n" + "\n".join(lines) + f"\nLast question: {question.strip()}"
    return few_shot_messages(*resources.few_shot("condense"), asked)


def _keeps_the_question(question: str, rewrite: str) -> bool:
    if not rewrite.endswith("?"):
        return False
    asked = content_words(_POINTS_BACK.sub(" ", question))
    return not asked or len(asked & content_words(rewrite)) / len(asked) >= KEEP

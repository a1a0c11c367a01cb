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
from rag.citations import without_citations
from rag.models.llm import ChatModel, Messages, few_shot_messages
from rag.policy import DEFAULT, Policy
from rag.question import DAYS, MONTHS
from rag.text import STOPWORDS, content_words, share, words

_POINTS_BACK = re.compile(
    r"\b(he|she|it|they|him|her|them|his|hers|its|their|theirs|this|that|these|those|there|then|"
    r"former|latter|(?:first|second|third|last|other|same) one)\b",
    re.IGNORECASE,
)
_BY_POSITION = re.compile(r"\bthe (?:(first|second|third|last) one|(former|latter))\b", re.IGNORECASE)
_PLACES = {"first": 0, "former": 0, "second": 1, "third": 2, "last": -1, "latter": -1}
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")
_NOT_NAMES = STOPWORDS | frozenset(DAYS + MONTHS)


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str


def points_back(question: str) -> bool:
    return bool(_POINTS_BACK.search(question))


def standalone(question: str, turns: list[Turn], llm: ChatModel | None, policy: Policy = DEFAULT) -> str:
    """The question as retrieval should see it: rewritten if it points back into the turns."""
    if llm is None or not turns or not points_back(question):
        return question
    question = by_position(question, turns[-1])
    if not points_back(question):
        return question
    reply = llm.generate(build_messages(question, turns, policy.followup_turns), policy.followup_max_tokens).text
    rewrite = " ".join(reply.strip().splitlines()[0].split()) if reply.strip() else ""
    return rewrite if _keeps_the_question(question, rewrite, policy.followup_keep) else question


def by_position(question: str, turn: Turn) -> str:
    """ "the first one", "the second one", "the last one" replaced by the name the last answer
    gave in that place. The small model counts badly: asked about "the first one" after "Lee
    meets Xi Jinping on Monday. He will also meet Li Qiang", it picked Li Qiang."""
    names = names_in(turn.answer, turn.question)

    def named(match: re.Match) -> str:
        place = _PLACES[(match.group(1) or match.group(2)).lower()]
        return names[place] if -len(names) <= place < len(names) else match.group(0)

    return _BY_POSITION.sub(named, question)


def names_in(answer: str, asked: str) -> list[str]:
    """The capitalised names an answer gives, in order, without words that only start a sentence
    ("The", "He") or name a day or month, and without the ones its question named: "South Korean
    President Lee Jae-myung" is the Lee the question asked about."""
    asked_names = {w for match in _CAPITALISED.finditer(asked) for w in words(match.group(0))} - _NOT_NAMES
    names: list[str] = []
    for match in _CAPITALISED.finditer(without_citations(answer)):
        name = " ".join(w for w in match.group(0).split() if w.lower() not in _NOT_NAMES)
        if name and not set(words(name)) & asked_names and name not in names:
            names.append(name)
    return names


def build_messages(question: str, turns: list[Turn], shown: int = DEFAULT.followup_turns) -> Messages:
    lines = []
    for turn in turns[-shown:]:
        lines += [f"User: {turn.question.strip()}", f"Assistant: {' '.join(without_citations(turn.answer).split())}"]
    asked = "Conversation:\n" + "\n".join(lines) + f"\nLast question: {question.strip()}"
    return few_shot_messages(*resources.few_shot("condense"), asked)


def _keeps_the_question(question: str, rewrite: str, keep: float) -> bool:
    if not rewrite.endswith("?"):
        return False
    asked = content_words(_POINTS_BACK.sub(" ", question))
    return not asked or share(asked, content_words(rewrite)) >= keep

"""Eval datasets: gold questions from a JSONL file, or a benchmark folder (corpus/ + questions.jsonl).

Every question belongs to one of two fixed folds, `tune` or `check`, by a hash of its id: rules,
weights and thresholds are set on `tune`, and CI gates on `check`, questions nobody tuned on. The
split needs no file and never moves: a question keeps its fold when others are added or removed.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

UNANSWERABLE = "unanswerable"
QUESTIONS_FILE = "questions.jsonl"
CORPUS_DIR = "corpus"


class Fold(str, Enum):
    TUNE = "tune"
    CHECK = "check"


FOLDS = tuple(fold.value for fold in Fold)


class DatasetError(ValueError):
    """A dataset that cannot be read; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    type: str
    gold_docs: tuple[str, ...]
    match_all: bool = False  # the answer must contain every gold string, not just one

    @property
    def answerable(self) -> bool:
        return self.type != UNANSWERABLE

    @property
    def fold(self) -> str:
        return fold_of(self.id)


def fold_of(question_id: str) -> str:
    """ "tune" or "check": the low bit of the SHA-256 of the id, the same on every machine and run."""
    return FOLDS[hashlib.sha256(question_id.encode("utf-8")).digest()[0] & 1]


@dataclass(frozen=True)
class Dataset:
    name: str
    questions: tuple[GoldQuestion, ...]
    corpus: Path | None  # None: the questions are about the current index


def load(path: Path) -> Dataset:
    path = path.expanduser()
    if path.is_dir():
        questions_file, corpus = path / QUESTIONS_FILE, path / CORPUS_DIR
        if not questions_file.is_file() or not corpus.is_dir():
            raise DatasetError(f"{path}: a dataset folder needs {QUESTIONS_FILE} and a {CORPUS_DIR}/ folder")
        return Dataset(path.resolve().name, _read_questions(questions_file), corpus)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file or folder")
    return Dataset(path.stem, _read_questions(path), None)


def select(
    questions: tuple[GoldQuestion, ...], limit: int | None, sample: int | None, seed: int, fold: str | None = None
) -> tuple[GoldQuestion, ...]:
    """The questions of one fold (or both), then a seeded random sample of them (kept in file
    order) and/or the first `limit`."""
    if fold is not None:
        questions = tuple(q for q in questions if q.fold == fold)
    if sample is not None and sample < len(questions):
        picked = set(random.Random(seed).sample(range(len(questions)), sample))
        questions = tuple(q for i, q in enumerate(questions) if i in picked)
    return questions[:limit] if limit is not None else questions


def _read_questions(path: Path) -> tuple[GoldQuestion, ...]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read ({exc})") from exc
    questions = [_parse(path, number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not questions:
        raise DatasetError(f"{path}: no questions in it")
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise DatasetError(f"{path}: question id {question.id!r} appears twice")
        seen.add(question.id)
    return tuple(questions)


def _parse(path: Path, number: int, line: str) -> GoldQuestion:
    where = f"{path}:{number}"
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{where}: not valid JSON ({exc.msg})") from exc
    if not isinstance(item, dict):
        raise DatasetError(f"{where}: expected a JSON object")
    question = item.get("question")
    if not isinstance(question, str) or not question.strip():
        raise DatasetError(f"{where}: 'question' must be a non-empty string")
    answers = _strings(item.get("answers", []), where, "answers")
    kind = str(item.get("type") or "answerable")
    if kind != UNANSWERABLE and not answers:
        raise DatasetError(f"{where}: an answerable question needs gold 'answers' (or type \"{UNANSWERABLE}\")")
    if item.get("match", "any") not in ("any", "all"):
        raise DatasetError(f'{where}: \'match\' must be "any" or "all"')
    return GoldQuestion(
        id=str(item.get("id") or f"line-{number}"),
        question=question.strip(),
        answers=answers,
        type=kind,
        gold_docs=_strings(item.get("gold_docs", []), where, "gold_docs"),
        match_all=item.get("match") == "all",
    )


def _strings(value, where: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DatasetError(f"{where}: '{name}' must be a list of strings")
    return tuple(v for v in value if v.strip())

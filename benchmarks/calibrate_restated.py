"""Set `restated_support` from the tune folds: how much of the question's wording an answer
repeats must its cited passages hold.

Replays verification's new check over eval reports run with `--set restated_support=0` (the
check off): for each answered question, the lowest share, over the answer's sentences, of the
question words the sentence repeats that the passages it cites hold (read under their headings,
as verification reads them). A bar above that share would drop the answer: a loss where it was
right, a gain where the question was unanswerable. The replay drops the whole answer, where
verification drops one sentence and another may stand, so judge the chosen value with a real run
(`rag eval SET --fold check`).

    rag eval ../shared/bench/SET --fold tune --set restated_support=0 --out SET.json   # each set
    python benchmarks/calibrate_restated.py SET.json [...]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

from rag.citations import cited_numbers, without_citations
from rag.config import load_settings
from rag.evals.report import outcome
from rag.pipeline import Rag
from rag.question import Question
from rag.text import checked_words, split_sentences

BARS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]


def lowest_restated_share(rag: Rag, question: Question, answer: str) -> float:
    passages = rag.context(question)
    heading_words = rag.settings.policy.naming_heading_words
    lowest = 1.0
    for begin, end in split_sentences(answer):
        sentence = answer[begin:end]
        cited = [n for n in cited_numbers(sentence) if 1 <= n <= len(passages)]
        held = set().union(*(checked_words(passages[n - 1].with_heading(heading_words)) for n in cited))
        restated = checked_words(without_citations(sentence)) & question.words
        if restated:
            lowest = min(lowest, len(restated & held) / len(restated))
    return lowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reports", nargs="+", type=Path)
    args = parser.parse_args()
    shares: list[tuple[str, float]] = []
    totals: Counter[str] = Counter()
    for path in args.reports:
        report = json.loads(path.read_text())
        rag = Rag(replace(load_settings(), index_dir=Path(report["index_dir"])))
        for result in report["questions"]:
            totals["unanswerable" if result["type"].startswith("unanswerable") else "answerable"] += 1
            if not result["abstained"]:
                question = Question.parse(result["question"])
                shares.append((outcome(result), lowest_restated_share(rag, question, result["answer"])))
    print(f"{totals['answerable']} answerable and {totals['unanswerable']} unanswerable questions in {len(args.reports)} report(s)\n")
    print("| restated_support | right answers lost | unanswerable refused (gain) | wrong answers refused |")
    print("|---:|---:|---:|---:|")
    for bar in BARS:
        dropped = Counter(kind for kind, share in shares if share < bar)
        print(f"| {bar:.1f} | {dropped['right']} | {dropped['unanswerable']} | {dropped['wrong']} |")


if __name__ == "__main__":
    main()

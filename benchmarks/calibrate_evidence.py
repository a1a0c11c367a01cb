"""Set `min_evidence`: how weak the best focused sentence may be before `rag` abstains unasked.

For every question of the dev sets (the seed gold set and ../shared/bench), computes the evidence
score `rag ask` would see (no model is run), then for each candidate threshold the share of
answerable questions it would wrongly refuse and of unanswerable ones it would rightly refuse.
The default in rag/policy.py is the highest threshold that refuses at most MAX_LOST of the
answerable questions of every set.

    python benchmarks/calibrate_evidence.py [BENCH_DIR] [--k 4]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from rag.answer.compose import evidence
from rag.config import load_settings
from rag.evals import runner as evals
from rag.evals.dataset import Dataset, load
from rag.pipeline import Rag

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH = REPO.parent / "shared" / "bench"
SETS = ("rgb", "multihop_rag_factsonly", "squad2_sample500", "hotpotqa_distractor100")
MAX_LOST = 0.01
CANDIDATES = [round(0.05 * i, 2) for i in range(0, 21)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bench", nargs="?", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--k", type=int, default=load_settings().k)
    args = parser.parse_args()
    scores = {"seeds": _scores(load(REPO / "evals" / "seeds.jsonl"), args.k)}
    for name in SETS:
        scores[name] = _scores(load(args.bench / name), args.k)
    print("Share refused before the model is asked (answerable lost / unanswerable caught):\n")
    print("| threshold | " + " | ".join(scores) + " |")
    print("|---:|" + "---|" * len(scores))
    chosen = 0.0
    for threshold in CANDIDATES:
        cells, worst = [], 0.0
        for answerable, unanswerable in scores.values():
            lost = _below(answerable, threshold)
            worst = max(worst, lost)
            cells.append(f"{lost:.2f} / {_below(unanswerable, threshold):.2f}" if unanswerable else f"{lost:.2f} / –")
        print(f"| {threshold:.2f} | " + " | ".join(cells) + " |")
        if worst <= MAX_LOST:
            chosen = threshold
    print(f"\nHighest threshold losing at most {MAX_LOST:.0%} of any set's answerable questions: {chosen:.2f}")


def _scores(dataset: Dataset, k: int) -> tuple[list[float], list[float]]:
    settings = load_settings()
    if dataset.corpus is not None:
        settings = replace(settings, index_dir=evals.index_dir_for(dataset.corpus, settings.cache_dir))
    rag = Rag(settings)
    if dataset.corpus is not None:
        rag.ingest([dataset.corpus])
    elif rag.needs_default_corpus():
        rag.ingest()
    answerable, unanswerable = [], []
    for question in dataset.questions:
        passages = rag.context(question.question, k)
        (answerable if question.answerable else unanswerable).append(evidence(passages) if passages else 0.0)
    return answerable, unanswerable


def _below(values: list[float], threshold: float) -> float:
    return sum(v < threshold for v in values) / len(values) if values else 0.0


if __name__ == "__main__":
    main()

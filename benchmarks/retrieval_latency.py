"""Warm retrieval latency on the public sets: hybrid retrieval as `rag ask` runs it, per question.

Uses (and builds, the first time) the same per-corpus indexes as `rag eval DATASET`. Each round
times every question of a set once; the figure is the median of the rounds' p50 and p95.

    python benchmarks/retrieval_latency.py [BENCH_DIR] [--rounds 5] [--k 4]

BENCH_DIR defaults to ../shared/bench.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from rag.config import load_settings
from rag.evals import runner as evals
from rag.evals.dataset import load
from rag.pipeline import Rag

DEFAULT_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
SETS = ("rgb", "multihop_rag_factsonly", "squad2_sample500", "hotpotqa_distractor100")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bench", nargs="?", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--k", type=int, default=load_settings().k)
    args = parser.parse_args()
    settings = load_settings()
    print(f"Warm hybrid retrieval, k={args.k}, median of {args.rounds} rounds\n")
    print("| set | chunks | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for name in SETS:
        dataset = load(args.bench / name)
        rag = Rag(replace(settings, index_dir=evals.index_dir_for(dataset.corpus, settings.cache_dir)))
        rag.ingest([dataset.corpus])
        rag.retrieve("warm up", args.k)
        p50s, p95s = [], []
        for _ in range(args.rounds):
            times = sorted(_timed(rag, q.question, args.k) for q in dataset.questions)
            p50s.append(statistics.median(times))
            p95s.append(times[int(0.95 * (len(times) - 1))])
        chunks = rag.index.stats()["chunks"]
        print(f"| {name} | {chunks} | {statistics.median(p50s) * 1000:.1f} | {statistics.median(p95s) * 1000:.1f} |")


def _timed(rag: Rag, question: str, k: int) -> float:
    started = time.perf_counter()
    rag.retrieve(question, k)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()

"""Warm answer latency on the seed questions, this checkout against another one, in one run.

Each checkout answers every question of evals/seeds.jsonl in a process of its own, after one
warm-up question (models loaded, prompt cache primed); the rounds alternate between the two so
that a noisy neighbour slows both alike. Prints each checkout's median answer time over all
questions and rounds, and the ratio.

    git worktree add /tmp/before <commit>
    python benchmarks/answer_latency.py /tmp/before [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What each process runs: the warm answer times, one per seed question, as JSON.
ONE_ROUND = """
import json, sys, time
from dataclasses import replace
from pathlib import Path
from rag.config import load_settings
from rag.evals.dataset import load
from rag.pipeline import Rag
rag = Rag(replace(load_settings(), index_dir=Path(sys.argv[1])))
if rag.needs_default_corpus():
    rag.ingest()
questions = [q.question for q in load(Path(sys.argv[2])).questions]
rag.ask(questions[0])
times = []
for question in questions:
    started = time.perf_counter()
    rag.ask(question)
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("other", type=Path, help="the checkout to compare with (e.g. a git worktree of an older commit)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    checkouts = {"this": REPO, "other": args.other.resolve()}
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.rounds):
            for name, checkout in checkouts.items():
                times[name] += _round(checkout, Path(scratch) / name)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, checkout in checkouts.items():
        print(f"{name:6s} {checkout}: median {medians[name]:.2f} s over {len(times[name])} answers")
    print(f"this / other: {medians['this'] / medians['other']:.2f}x")


def _round(checkout: Path, index_dir: Path) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    seeds = checkout / "evals" / "seeds.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", ONE_ROUND, str(index_dir), str(seeds)], env=env, cwd=checkout, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()

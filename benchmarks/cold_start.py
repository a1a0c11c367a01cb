"""Cold start of `rag ask` with the embedded models: time to first token and to the full answer.

Each run is a new process over an existing index (the model file already assembled), as a user
asking a second question from the shell sees it. Time to first token from process start is the
wall time minus what the answer spent after its first generated token (`timings.total -
timings.first_token`, both measured inside the process).

    python benchmarks/cold_start.py [--runs 5] [--question "..."]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAG = [sys.executable, "-m", "rag"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default="Who does Lee meet in Beijing?")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        subprocess.run([*RAG, "ingest"], cwd=workdir, check=True, capture_output=True)
        subprocess.run([*RAG, "ask", args.question], cwd=workdir, check=True, capture_output=True)  # assemble once
        runs = [_one_run(workdir, args.question) for _ in range(args.runs)]
    for key in ("first_token", "full_answer"):
        values = [r[key] for r in runs]
        print(f"{key:12s} median {statistics.median(values):6.2f} s   runs: {', '.join(f'{v:.2f}' for v in values)}")


def _one_run(workdir: str, question: str) -> dict[str, float]:
    started = time.perf_counter()
    done = subprocess.run([*RAG, "ask", question, "--json"], cwd=workdir, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    timings = json.loads(done.stdout)["timings"]
    after = lambda key: timings["total"] - timings.get(key, timings["total"])  # noqa: E731
    return {
        "first_token": wall - after("first_token"),
        "full_answer": wall,
    }


if __name__ == "__main__":
    main()

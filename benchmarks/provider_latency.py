"""The same question answered by the embedded model in-process and through an OpenAI-compatible
server on 127.0.0.1 serving the same GGUF: time to the first model token and to the checked answer.

Start the server first (it must be idle while the in-process runs go, or the two fight over the
cores), from the repository root:

    (the README's "serve the embedded model yourself" command, on port 8765) &
    python benchmarks/provider_latency.py --base-url http://127.0.0.1:8765/v1 [--runs 5]

Both ask over the same seeds index, in one process each, after one warm-up question (model
loaded, prompt cache primed). First token = retrieval + the wait for the first generated token.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import replace
from pathlib import Path

from rag.config import load_settings
from rag.pipeline import Rag


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default="Who does Lee meet in Beijing?")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as index_dir:
        local = replace(load_settings(), index_dir=Path(index_dir), llm="local")
        Rag(local).ingest()
        rows = {
            "embedded, in-process": _runs(Rag(local), args),
            "loopback server": _runs(Rag(replace(local, llm="openai-compatible", llm_base_url=args.base_url)), args),
        }
    print(f"{'':22s} {'first token':>12s} {'total':>8s}   (median of {args.runs}; runs in brackets)")
    for name, runs in rows.items():
        first, total = ([r[key] for r in runs] for key in ("first_token", "total"))
        print(
            f"{name:22s} {statistics.median(first):10.2f} s {statistics.median(total):6.2f} s   "
            f"[{', '.join(f'{v:.2f}' for v in first)}] [{', '.join(f'{v:.2f}' for v in total)}]"
        )


def _runs(rag: Rag, args) -> list[dict[str, float]]:
    rag.ask(args.question)  # warm-up
    runs = []
    for _ in range(args.runs):
        timings = rag.ask(args.question).timings
        runs.append({"first_token": timings["retrieve"] + timings["first_token"], "total": timings["total"]})
    return runs


if __name__ == "__main__":
    main()

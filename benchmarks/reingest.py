"""Re-ingest with nothing changed: how long `rag ingest` takes over N unchanged files (goal for
1,000 files: under 2 s). Median of several runs, in-process (the ingest itself) and as a new
`rag ingest` process (what a user waits for, start-up included).

    python benchmarks/reingest.py [--files 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rag.config import Settings
from rag.pipeline import Rag


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        corpus, index_dir = Path(root) / "corpus", Path(root) / "index"
        corpus.mkdir()
        for n in range(args.files):
            (corpus / f"note-{n:05d}.txt").write_text(f"Note {n}: the ferry to island {n % 97} left at {n % 24}:00 with {n} crates.\n")
        first = Rag(Settings(index_dir=index_dir)).ingest([corpus])
        print(f"{args.files} files, {first.chunks_embedded} chunks; first ingest {first.seconds:.1f} s")
        in_process, whole = [], []
        for _ in range(args.runs):
            report = Rag(Settings(index_dir=index_dir)).ingest([corpus])
            assert report.chunks_embedded == 0 and report.unchanged == args.files
            in_process.append(report.seconds)
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "rag", "ingest", str(corpus), "--index-dir", str(index_dir)], check=True, capture_output=True
            )
            whole.append(time.perf_counter() - started)
    for label, values in (("re-ingest, in-process", in_process), ("`rag ingest`, new process", whole)):
        print(f"{label:26s} median {statistics.median(values):5.2f} s   runs: {', '.join(f'{v:.2f}' for v in values)}")


if __name__ == "__main__":
    main()

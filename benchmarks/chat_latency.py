"""`rag chat` as a person meets it, in a pseudo-terminal: time from starting it to the first
prompt, and from pressing Enter on the first question to the first streamed piece of its answer
(the first draft claim, recognised by its [n] marker), median over several sessions.

Every session is a new process over an existing index, with the model file already assembled.

    python benchmarks/chat_latency.py [--runs 5] [--question "..."] [--typing 5]

--typing waits that long before pressing Enter, as a person typing the question would: the
models load in the background meanwhile.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pexpect

RAG = [sys.executable, "-m", "rag"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default="Who does Lee meet in Beijing?")
    parser.add_argument("--typing", type=float, default=0.0, help="seconds between the prompt and Enter, as a person types")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        subprocess.run([*RAG, "ask", args.question], cwd=workdir, check=True, capture_output=True)  # index, assemble
        runs = [_session(workdir, args.question, args.typing) for _ in range(args.runs)]
    for key, label in (("prompt", "start to first prompt"), ("first_piece", "Enter to first streamed piece")):
        values = [r[key] for r in runs]
        print(f"{label:30s} median {statistics.median(values):5.2f} s   runs: {', '.join(f'{v:.2f}' for v in values)}")


def _session(workdir: str, question: str, typing: float) -> dict[str, float]:
    started = time.perf_counter()
    child = pexpect.spawn(RAG[0], RAG[1:] + ["chat"], cwd=workdir, encoding="utf-8", timeout=120, env={**os.environ, "TERM": "xterm"})
    child.expect("rag> ")
    prompt = time.perf_counter() - started
    time.sleep(typing)
    entered = time.perf_counter()
    child.sendline(question)
    child.expect(r"\[\d+\]")
    first_piece = time.perf_counter() - entered
    child.expect("rag> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    return {"prompt": prompt, "first_piece": first_piece}


if __name__ == "__main__":
    main()

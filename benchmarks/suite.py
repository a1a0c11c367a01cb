"""The speed suite: `rag` side by side with the vanilla LlamaIndex pipeline (benchmarks/vanilla.py)
on the same machine, in the same run, with the same embedded models. One command:

    python benchmarks/suite.py [--out benchmarks/results] [--runs 5] [--sizes 1000,10000,100000]
    python benchmarks/suite.py --smoke --out DIR      # the minutes-long version CI runs

writes results.json (every run's figures), results.md (the table) and retrieval.png, answers.png.

Figures: ingest chunks/s of a real corpus, and as a ratio to the bare embedder on the texts each
pipeline embedded; warm retrieval p50/p95 at each size of a generated corpus (its vectors cached,
see scale.py); cold `ask` to first token and to the full answer; `chat` to its prompt; warm answer
latency and prompt tokens over the seeds questions; peak memory (max RSS) of each process.
Each measurement runs in a process of its own. Ratios are taken pair by pair (run i of rag
against run i of vanilla), then their median reported: > 1 means rag is faster or smaller.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402
import scale  # noqa: E402

BENCH = HERE.parents[1] / "shared" / "bench"
SEEDS = HERE.parent / "evals" / "seeds.jsonl"
PIPELINES = ("rag", "vanilla")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000,100000", help="chunks of the generated corpus, comma-separated")
    parser.add_argument("--corpus", type=Path, default=BENCH / "squad2_sample500" / "corpus", help="the real corpus ingested")
    parser.add_argument("--questions", type=int, default=0, help="seeds questions answered (0: all)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run, no warm-up ask: shows the suite works, measures nothing")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.sizes, args.corpus, args.questions = 1, "200,400", HERE.parent / "seeds", 1
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="rag-suite-") as work:
        results = measure(Path(work), args.corpus, sizes, args.runs, args.questions, warm_up=not args.smoke)
    args.out.mkdir(parents=True, exist_ok=True)
    report.write(results, args.out)
    print((args.out / "results.md").read_text())


def measure(work: Path, corpus: Path, sizes: list[int], runs: int, questions: int, warm_up: bool = True) -> dict:
    results: dict = {"machine": _machine(), "runs": runs, "corpus": str(corpus)}
    results["ingest"] = [
        {name: _worker("ingest", name, corpus=str(corpus), index_dir=str(work / f"ingest-{name}-{run}")) for name in PIPELINES}
        for run in range(runs)
    ]
    results["retrieval"] = {str(size): _retrieval(work, size, runs) for size in sizes}
    seeds = {name: work / f"seeds-{name}" for name in PIPELINES}
    for name, index_dir in seeds.items():
        _worker("ingest", name, corpus=str(HERE.parent / "seeds"), index_dir=str(index_dir))
    question = "Who does Lee meet in Beijing?"
    for name in PIPELINES if warm_up else ():
        _ask(name, seeds[name], question)  # assembles the model file; the page cache then holds it, as for a user's second question
    results["ask"] = [{name: _ask(name, seeds[name], question) for name in PIPELINES} for _ in range(runs)]
    results["chat"] = [{name: _chat_prompt(name, seeds[name]) for name in PIPELINES} for _ in range(runs)]
    results["answers"] = {name: _worker("answers", name, index_dir=str(seeds[name]), limit=questions) for name in PIPELINES}
    return results


def _retrieval(work: Path, size: int, rounds: int) -> dict:
    corpus = scale.write_corpus(work / f"scale-{size}", size)
    asked = scale.questions(50, size)
    result = {}
    for name in PIPELINES:
        index_dir = work / f"scale-{name}-{size}"
        built = _worker("build", name, corpus=str(corpus), index_dir=str(index_dir))
        timed = _worker("retrieve", name, index_dir=str(index_dir), questions=asked, rounds=rounds)
        result[name] = {**timed, "chunks": built["chunks"], "build_s": built["seconds"]}
    return result


# -- the parent's side: run a worker or a command, time it, read its peak memory ---------------


def _worker(task: str, pipeline: str, **arguments) -> dict:
    command = [sys.executable, str(HERE / "workers.py"), task, pipeline, json.dumps(arguments)]
    output, wall, peak = _run(command)
    return {**json.loads(output.splitlines()[-1]), "wall_s": wall, "peak_mib": peak}


def _run(command: list[str]) -> tuple[str, float, float]:
    """stdout, wall seconds and peak resident memory (MiB) of a command run to its end."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        output = process.stdout.read()
        # wait4, not wait: it gives this child's own peak memory.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if process.returncode:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command[:4])} failed ({process.returncode}):\n{errors.read()[-3000:]}")
    return output, wall, usage.ru_maxrss / 1024


def _ask(pipeline: str, index_dir: Path, question: str) -> dict:
    """A cold `ask` process: first token and full answer, timed as a user at the shell sees them."""
    if pipeline == "rag":
        command = [sys.executable, "-m", "rag", "ask", question, "--json", "--index-dir", str(index_dir)]
    else:
        command = [sys.executable, str(HERE / "vanilla.py"), "ask", question, "--index-dir", str(index_dir)]
    output, wall, peak = _run(command)
    answer = json.loads(output)
    timings = answer["timings"]
    # The process reports how long it ran after its first token; the rest of the wall time came before it.
    first_token = wall - (timings["total"] - timings.get("first_token", timings["total"]))
    return {"first_token_s": first_token, "full_answer_s": wall, "peak_mib": peak, "answer": answer.get("answer")}


def _chat_prompt(pipeline: str, index_dir: Path) -> float:
    """Seconds from starting the chat REPL to its prompt, in a pseudo-terminal."""
    import pexpect

    if pipeline == "rag":
        command, prompt = [sys.executable, "-m", "rag", "chat", "--index-dir", str(index_dir)], "rag> "
    else:
        command, prompt = [sys.executable, str(HERE / "vanilla.py"), "chat", "--index-dir", str(index_dir)], "Human: "
    started = time.perf_counter()
    child = pexpect.spawn(command[0], command[1:], encoding="utf-8", timeout=300, env={**os.environ, "TERM": "xterm"})
    child.expect(prompt)
    seconds = time.perf_counter() - started
    child.terminate(force=True)
    return seconds


def _machine() -> dict:
    import platform

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


if __name__ == "__main__":
    main()

"""What an agent and a watched folder wait for.

    python benchmarks/reach_latency.py mcp [--questions 6] [--rounds 2]
        Warm answer time through `rag mcp` (the SDK's stdio client, model loaded once) against a
        warm `Rag.ask` in one process and a `rag ask` process per question (its file cache warm),
        on the first seed questions; medians over every question and round.

    python benchmarks/reach_latency.py watch [--edits 8]
        From saving a file in a folder `rag ingest --watch` follows to a search (a reader open all
        along, as a chat session is) finding its new text; the median over the edits.

Both run on the seeds corpus, indexed afresh in a scratch folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RAG = [str(Path(sys.executable).with_name("rag"))]


def seed_questions(n: int) -> list[str]:
    lines = (REPO / "evals" / "seeds.jsonl").read_text().splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:n]


def mcp(questions: list[str], rounds: int, scratch: Path) -> None:
    from rag.config import Settings
    from rag.pipeline import Rag

    index = scratch / "index"
    rag = Rag(Settings(index_dir=index))
    rag.ingest()
    # The server and the commands run first: a model loaded in this process, idle or not, would
    # share the machine with them.
    served = _mcp_times(index, questions, rounds)
    command = [
        _timed(subprocess.run, [*RAG, "ask", q, "--index-dir", str(index)], capture_output=True, check=True)
        for _ in range(rounds)
        for q in questions
    ]
    rag.ask(questions[0])
    in_process = [_timed(rag.ask, q) for _ in range(rounds) for q in questions]
    medians = {"rag mcp (ask tool)": served, "Rag.ask in one process": in_process, "rag ask, a process a question": command}
    for name, times in medians.items():
        print(f"{name:32s} median {statistics.median(times):6.2f} s over {len(times)} answers")
    mcp_median = statistics.median(served)
    print(
        f"mcp / in-process: {mcp_median / statistics.median(in_process):.2f}x · mcp / rag ask: {mcp_median / statistics.median(command):.2f}x"
    )


def _mcp_times(index: Path, questions: list[str], rounds: int) -> list[float]:
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    async def main() -> list[float]:
        server = StdioServerParameters(command=RAG[0], args=["mcp", "--index-dir", str(index)])
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            await session.call_tool("ask", {"question": questions[0]})  # waits for the model to load
            times = []
            for _ in range(rounds):
                for question in questions:
                    started = time.perf_counter()
                    await session.call_tool("ask", {"question": question})
                    times.append(time.perf_counter() - started)
            return times

    return anyio.run(main)


def watch(edits: int, scratch: Path) -> None:
    from rag.config import Settings
    from rag.pipeline import Rag

    folder, index = scratch / "notes", scratch / "index"
    shutil.copytree(REPO / "seeds", folder)
    watcher = subprocess.Popen([*RAG, "ingest", "--watch", str(folder), "--index-dir", str(index)], stderr=subprocess.PIPE, text=True)
    try:
        for line in watcher.stderr:
            if "Watching" in line:
                break
        reader = Rag(Settings(index_dir=index))
        reader.retrieve("warm up")
        delays = []
        for n in range(edits):
            word = f"zorblax{n}"
            started = time.perf_counter()
            (folder / "note.md").write_text(f"The {word} valve was replaced in spring.\n")
            while not any(word in p.text for p in reader.retrieve(f"{word} valve", k=2)):
                time.sleep(0.02)
            delays.append(time.perf_counter() - started)
            time.sleep(1.0)  # the next save is a round of its own
    finally:
        watcher.terminate()
        watcher.wait()
    print(f"save -> searchable: median {statistics.median(delays):.2f} s, min {min(delays):.2f}, max {max(delays):.2f} over {edits} saves")


def _timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["mcp", "watch"])
    parser.add_argument("--questions", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--edits", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.what == "mcp":
            mcp(seed_questions(args.questions), args.rounds, Path(scratch))
        else:
            watch(args.edits, Path(scratch))


if __name__ == "__main__":
    main()

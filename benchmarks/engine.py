"""The in-process engine side by side: xllamacpp (what rag ships) against llama-cpp-python (what
it replaced, compiled at install), same GGUF model, same threads, same prompt.

    python benchmarks/engine.py --old-python /path/to/venv/bin/python [--runs 3] [--threads 2]

`--old-python` is a Python that can import llama_cpp (e.g. a venv with
`pip install llama-cpp-python==0.3.36`, which compiles); without it only xllamacpp is measured.
Each run of each engine is a process of its own: load the model, read one chat prompt over both
seed articles from scratch and write one token (its time is the first token; prompt tokens over
it the prompt speed), then ask the same prompt again for up to 96 tokens (the prompt is cached by
then, so this is the generation speed). Peak memory is the process's maximum RSS (`os.wait4`).
Medians over the runs; the ratio is taken run by run, > 1 meaning xllamacpp is faster or smaller.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GENERATED = 96
FIGURES = (
    ("load_s", "model load, s", False),
    ("first_token_s", "first token, cold prompt, s", False),
    ("prompt_tok_s", "prompt tokens/s", True),
    ("gen_tok_s", "generation tokens/s", True),
    ("peak_rss_mib", "peak memory, MiB", False),
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old-python", help="a Python that imports llama_cpp (llama-cpp-python)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--worker", choices=("xllamacpp", "llama-cpp-python"), help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_measure(args.worker, Path(args.model), args.threads)))
        return
    engines = {"xllamacpp": sys.executable}
    if args.old_python:
        engines["llama-cpp-python"] = args.old_python
    model = str(_model_path())
    runs = [{name: _run(python, name, model, args.threads) for name, python in engines.items()} for _ in range(args.runs)]
    table = _table(runs, list(engines), args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "engine.json").write_text(json.dumps({"machine": _machine(), "threads": args.threads, "runs": runs}, indent=2))
    (args.out / "engine.md").write_text(table)
    print(table)


def _model_path() -> Path:
    from rag.config import Settings
    from rag.models import embedded as embedded_llm

    return embedded_llm.model_path(Settings().cache_dir)


def _run(python: str, engine: str, model: str, threads: int) -> dict:
    """One run of one engine in a fresh process; its peak RSS read as it exits."""
    command = [python, str(Path(__file__).resolve()), "--worker", engine, "--model", model, "--threads", str(threads)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=REPO)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"the {engine} worker failed (exit {os.waitstatus_to_exitcode(status)})")
    return {**json.loads(output), "peak_rss_mib": usage.ru_maxrss / 1024}


def _messages() -> list[dict[str, str]]:
    articles = "\n\n".join(path.read_text() for path in sorted((REPO / "seeds").glob("*.txt")))
    return [
        {"role": "system", "content": "You answer questions about news articles."},
        {"role": "user", "content": f"{articles}\n\nRetell both articles in detail, paragraph by paragraph."},
    ]


def _measure(engine: str, model: Path, threads: int) -> dict:
    started = time.perf_counter()
    complete = _xllamacpp(model, threads) if engine == "xllamacpp" else _llama_cpp_python(model, threads)
    loaded = time.perf_counter()
    prompt_tokens, _ = complete(1)
    first = time.perf_counter()
    _, generated = complete(GENERATED)
    done = time.perf_counter()
    return {
        "load_s": loaded - started,
        "first_token_s": first - loaded,
        "prompt_tokens": prompt_tokens,
        "prompt_tok_s": prompt_tokens / (first - loaded),
        "generated": generated,
        "gen_tok_s": generated / (done - first),
    }


def _xllamacpp(model: Path, threads: int):
    from rag.models.llm import LlamaCppChat

    llm = LlamaCppChat(model, "qwen", threads, context_tokens=4096)

    def complete(max_tokens: int) -> tuple[int, int]:
        generation = llm.generate(_messages(), max_tokens)
        return generation.prompt_tokens, generation.completion_tokens

    return complete


def _llama_cpp_python(model: Path, threads: int):
    from llama_cpp import Llama

    llm = Llama(model_path=str(model), n_ctx=4096, n_threads=threads, n_threads_batch=threads, seed=0, verbose=False)

    def complete(max_tokens: int) -> tuple[int, int]:
        usage = llm.create_chat_completion(_messages(), temperature=0.0, max_tokens=max_tokens)["usage"]
        return usage["prompt_tokens"], usage["completion_tokens"]

    return complete


def _table(runs: list[dict], engines: list[str], threads: int) -> str:
    header = f"| figure ({threads} threads, median of {len(runs)}) | " + " | ".join(engines)
    lines = [
        header + (" | xllamacpp advantage |" if len(engines) > 1 else " |"),
        "|---" + "|---:" * (len(engines) + (len(engines) > 1)) + "|",
    ]
    for key, label, higher_is_better in FIGURES:
        cells = [_figure(statistics.median(run[name][key] for run in runs)) for name in engines]
        if len(engines) > 1:
            ratios = [run["xllamacpp"][key] / run["llama-cpp-python"][key] for run in runs]
            ratio = statistics.median(ratios if higher_is_better else [1 / r for r in ratios])
            cells.append(f"{ratio:.2f}×")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    prompt = statistics.median(run["xllamacpp"]["prompt_tokens"] for run in runs)
    return "\n".join(lines) + f"\n\nOne chat prompt of {prompt:.0f} tokens (both seed articles); up to {GENERATED} tokens generated.\n"


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _machine() -> dict:
    import platform

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


if __name__ == "__main__":
    main()

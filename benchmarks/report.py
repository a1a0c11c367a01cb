"""The speed suite's results as files: results.json (every run), results.md (the table, medians
and pair-by-pair ratios) and two plots (retrieval.png: latency against corpus size; answers.png:
the user-facing waits)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

GOALS = {  # figure -> (goal as written in issue 9, test on rag's median)
    "ingest_vs_bare": ("≥ 0.9×", lambda v: v >= 0.9),
    "retrieval_p50_10000": ("≤ 10 ms", lambda v: v <= 10),
    "retrieval_p50_100000": ("≤ 20 ms", lambda v: v <= 20),
    "first_token": ("≤ 4 s", lambda v: v <= 4),
    "answer_p50": ("≤ 4 s", lambda v: v <= 4),
}


def write(results: dict, out: Path) -> None:
    (out / "results.json").write_text(json.dumps(results, indent=1))
    (out / "results.md").write_text(table(results))
    _plot_retrieval(results, out / "retrieval.png")
    _plot_waits(results, out / "answers.png")


def rows(results: dict) -> list[tuple[str, str, float, float, float]]:
    """(key, label, rag, vanilla, advantage): medians, and the median of the pair-by-pair
    ratios, oriented so that > 1 means rag is better."""
    out = []
    ingest = results["ingest"]
    rate = {name: [run[name]["chunks"] / run[name]["seconds"] for run in ingest] for name in ("rag", "vanilla")}
    out.append(("ingest_rate", f"ingest, chunks/s ({_corpus_name(results)})", *_higher_better(rate["rag"], rate["vanilla"])))
    vs_bare = {name: [run[name]["bare_s"] / run[name]["seconds"] for run in ingest] for name in ("rag", "vanilla")}
    out.append(("ingest_vs_bare", "ingest speed / bare embedder's on the same texts", *_higher_better(vs_bare["rag"], vs_bare["vanilla"])))
    for size, at in results["retrieval"].items():
        for stat in ("p50", "p95"):
            label = f"warm retrieval {stat}, ms, {int(size):,} chunks"
            out.append((f"retrieval_{stat}_{size}", label, *_lower_better(at["rag"][f"{stat}_ms"], at["vanilla"][f"{stat}_ms"])))
    ask = results["ask"]
    out.append(("first_token", "cold `ask` to first token, s", *_lower_better(*_pairs(ask, "first_token_s"))))
    out.append(("full_answer", "cold `ask` to full answer, s", *_lower_better(*_pairs(ask, "full_answer_s"))))
    out.append(
        (
            "chat_prompt",
            "`chat` start to prompt, s",
            *_lower_better([r["rag"] for r in results["chat"]], [r["vanilla"] for r in results["chat"]]),
        )
    )
    answers = results["answers"]
    out.append(
        (
            "answer_p50",
            f"warm answer p50 over {len(answers['rag']['latency_s'])} seeds questions, s",
            *_lower_better(answers["rag"]["latency_s"], answers["vanilla"]["latency_s"]),
        )
    )
    out.append(
        (
            "prompt_tokens",
            "prompt tokens per answer (median)",
            *_lower_better(answers["rag"]["prompt_tokens"], answers["vanilla"]["prompt_tokens"]),
        )
    )
    out.append(("peak_ingest", "peak memory, ingest process, MiB", *_lower_better(*_pairs(ingest, "peak_mib"))))
    largest = max(results["retrieval"], key=int)
    out.append(
        (
            "peak_retrieval",
            f"peak memory, retrieval process at {int(largest):,} chunks, MiB",
            *_lower_better([results["retrieval"][largest]["rag"]["peak_mib"]], [results["retrieval"][largest]["vanilla"]["peak_mib"]]),
        )
    )
    out.append(("peak_ask", "peak memory, cold `ask` process, MiB", *_lower_better(*_pairs(ask, "peak_mib"))))
    out.append(
        (
            "peak_answers",
            "peak memory, answering process, MiB",
            *_lower_better([answers["rag"]["peak_mib"]], [answers["vanilla"]["peak_mib"]]),
        )
    )
    return out


def table(results: dict) -> str:
    machine = results["machine"]
    lines = [
        f"rag vs a vanilla LlamaIndex pipeline (benchmarks/vanilla.py), same embedded models, {machine['cpus']} cores, "
        f"medians of {results['runs']} runs; 'rag advantage' is the median of the pair-by-pair ratios (> 1: rag faster or smaller).",
        "",
        "| figure | rag | vanilla | rag advantage | goal |",
        "|---|---:|---:|---:|---|",
    ]
    for key, label, ours, theirs, advantage in rows(results):
        goal = ""
        if key in GOALS:
            text, met = GOALS[key]
            goal = f"{text} {'met' if met(ours) else 'missed'}"
        lines.append(f"| {label} | {_number(ours)} | {_number(theirs)} | {advantage:.2f}× | {goal} |")
    stored = "; ".join(f"{int(size):,}: {at['rag']['chunks']:,} / {at['vanilla']['chunks']:,}" for size, at in results["retrieval"].items())
    lines += [
        "",
        f"- Ingest: `{results['corpus']}`, each run into a new index by a new process.",
        "- Retrieval: 50 questions a round, one round a run, in one warm process per pipeline and size; rag's is its "
        "hybrid retrieval (vectors and BM25, fused, re-ranked for coverage), vanilla's LlamaIndex's default vector retriever. "
        f"Chunks stored per generated size (rag / vanilla): {stored}.",
        "- Cold `ask`: a new process over the seeds index, the model file in the page cache; first token is the wall time "
        "less what the process reports it spent after its first token.",
        "- Answers: every seeds question in one warm process per pipeline (after one unmeasured question); the advantage "
        "is the median of the per-question ratios. Prompt tokens are those in the model's context, summed over an answer's calls.",
    ]
    return "\n".join(lines) + "\n"


def _higher_better(ours: list[float], theirs: list[float]) -> tuple[float, float, float]:
    return statistics.median(ours), statistics.median(theirs), statistics.median(a / b for a, b in zip(ours, theirs))


def _lower_better(ours: list[float], theirs: list[float]) -> tuple[float, float, float]:
    return statistics.median(ours), statistics.median(theirs), statistics.median(b / a for a, b in zip(ours, theirs) if a)


def _pairs(runs: list[dict], key: str) -> tuple[list[float], list[float]]:
    return [run["rag"][key] for run in runs], [run["vanilla"][key] for run in runs]


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _corpus_name(results: dict) -> str:
    corpus = Path(results["corpus"])
    return corpus.parent.name if corpus.name == "corpus" else corpus.name


def _plot_retrieval(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results["retrieval"], key=int)
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for name, color in (("rag", "tab:blue"), ("vanilla", "tab:orange")):
        for stat, style in (("p50", "-o"), ("p95", "--^")):
            values = [statistics.median(results["retrieval"][size][name][f"{stat}_ms"]) for size in sizes]
            axes.plot([int(s) for s in sizes], values, style, color=color, label=f"{name} {stat}")
    axes.set_xscale("log")
    axes.set_ylim(bottom=0)
    axes.set_xlabel("chunks in the index")
    axes.set_ylabel("warm retrieval latency, ms")
    axes.set_title("Retrieval latency against corpus size (rag: hybrid, fused; vanilla: vectors only)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _plot_waits(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ("first_token", "full_answer", "chat_prompt", "answer_p50")
    found = {key: (label, ours, theirs) for key, label, ours, theirs, _ in rows(results) if key in keys}
    figure, axes = plt.subplots(figsize=(7, 4.5))
    positions = range(len(keys))
    axes.bar([p - 0.2 for p in positions], [found[k][1] for k in keys], 0.4, label="rag", color="tab:blue")
    axes.bar([p + 0.2 for p in positions], [found[k][2] for k in keys], 0.4, label="vanilla", color="tab:orange")
    axes.set_xticks(list(positions), ["cold ask:\nfirst token", "cold ask:\nfull answer", "chat:\nto prompt", "warm answer\np50"])
    axes.set_ylabel("seconds (median)")
    axes.set_title("What a user waits for")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    import sys

    # Re-render the table and plots from a results.json: python benchmarks/report.py DIR
    folder = Path(sys.argv[1])
    write(json.loads((folder / "results.json").read_text()), folder)

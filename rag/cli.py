"""The `rag` command line: parse arguments, call the pipeline, render. No decisions live here."""

from __future__ import annotations

import functools
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from rag import render
from rag.config import ConfigError, Settings, load_settings, resolve
from rag.evals import junit, thresholds
from rag.evals import report as reports
from rag.evals import runner as evals
from rag.evals.dataset import Dataset, DatasetError, Fold, load, select
from rag.models import providers as models
from rag.models.embedded import ModelFileError
from rag.models.llm import EngineError
from rag.models.remote import ProviderError
from rag.pipeline import Rag
from rag.store.chroma import ChromaUnavailable
from rag.store.index import IndexUnusable, remove_index
from rag.store.scope import NoMatchingSource
from rag.types import search_json

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3  # some files were skipped, the rest indexed
EXIT_PROVIDER = 4  # the model server could not be used: unreachable, refused, timed out
EXIT_GATES = 5  # `eval` ran to the end and missed a threshold

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Answer questions about your documents, with citations.")

IndexDir = Annotated[Path | None, typer.Option("--index-dir", help="Where the index lives (default .rag).")]
ChromaUrl = Annotated[
    str | None, typer.Option("--chroma-url", help="Keep the vectors in this Chroma server (`chroma run`) instead of on disk.")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]
Llm = Annotated[
    str | None,
    typer.Option("--llm", help="Who answers: auto (default), local, openai, openai-compatible, or none (quote the best sentences)."),
]
K = Annotated[int | None, typer.Option("--k", min=1, help="How many passages to show the model.")]
SourceGlobs = Annotated[
    list[str] | None,
    typer.Option("--source", help="Search only the documents this glob matches, by name or path, e.g. 'notes/*.md' (repeatable)."),
]


def _handles_errors(command):
    """User-caused failures end in one line and a meaningful exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (ConfigError, DatasetError, thresholds.ThresholdError, NoMatchingSource) as exc:
            render.error(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        except (IndexUnusable, ModelFileError, EngineError, ChromaUnavailable) as exc:
            render.error(str(exc))
            raise typer.Exit(EXIT_FAILURE) from None
        except ProviderError as exc:
            render.error(str(exc))
            raise typer.Exit(EXIT_PROVIDER) from None
        except KeyboardInterrupt:
            render.error("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def open_rag(index_dir: Path | None = None, k: int | None = None, llm: str | None = None, chroma_url: str | None = None) -> Rag:
    """A pipeline on the configured settings, with the command line's choices applied."""
    return open_rag_with(load_settings({"index_dir": index_dir, "k": k, "llm": llm, "chroma_url": chroma_url}))


def open_rag_with(settings: Settings) -> Rag:
    rag = Rag(settings)
    rag.on_assemble = _assembly_progress()
    return rag


def ensure_corpus(rag: Rag) -> None:
    if rag.needs_default_corpus():
        render.notice(f"No index in {rag.settings.index_dir} yet: indexing the bundled seeds corpus first.")
        _ingest(rag, None)


def _ingest(rag: Rag, paths: list[Path] | None):
    with render.progress(percent=True) as bar:
        task = bar.add_task("Embedding", total=None)

        def on_progress(source: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"Embedding {source}")

        report = rag.ingest(paths, on_progress)
    render.ingest_report(report)
    return report


def _assembly_progress():
    state = {}

    def on_progress(done: int, total: int) -> None:
        if "bar" not in state:
            render.notice("Preparing the embedded model (once per machine)…")
            state["bar"] = render.progress(percent=True)
            state["bar"].start()
            state["task"] = state["bar"].add_task("Assembling model file", total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state["bar"].stop()

    return on_progress


@app.command()
@_handles_errors
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer from the documents.")],
    k: K = None,
    llm: Llm = None,
    json_output: JsonFlag = False,
    stream_json: Annotated[
        bool, typer.Option("--stream-json", help="Print NDJSON: a draft event per piece as the model writes it, then the checked answer.")
    ] = False,
    source: SourceGlobs = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Answer one question, citing the passages used. The answer streams on a terminal."""
    _require_question(question)
    rag = open_rag(index_dir, k, llm, chroma_url)
    ensure_corpus(rag)
    sources = source or ()
    if stream_json:
        result = rag.ask(question, on_text=lambda piece: render.stream_event("draft", text=piece), sources=sources)
        render.stream_event("answer", **result.to_json())
    elif json_output:
        render.as_json(rag.ask(question, sources=sources).to_json())
    else:
        with render.live_draft() as on_text:
            result = rag.ask(question, on_text=on_text, sources=sources)
        render.answer(result)


@app.command()
@_handles_errors
def search(
    query: Annotated[str, typer.Argument(help="What to look for in the documents.")],
    k: Annotated[int | None, typer.Option("--k", min=1, help="How many passages to return.")] = None,
    json_output: JsonFlag = False,
    source: SourceGlobs = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """The passages a question would be answered from, best first, with no model run: for scripts and agents."""
    _require_question(query)
    rag = open_rag(index_dir, k, None, chroma_url)
    ensure_corpus(rag)
    found = rag.retrieve(query, sources=source or ())
    if json_output:
        render.as_json(search_json(query, found))
    elif not found:
        render.notice("No passage matches.")
    else:
        for n, passage in enumerate(found, start=1):
            render.passage(n, passage)


def _require_question(text: str) -> None:
    if not text.strip():
        render.error("the question is empty")
        raise typer.Exit(EXIT_USAGE)


@app.command()
@_handles_errors
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the bundled seeds).")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Empty the index first, e.g. to re-embed with another embedder.")] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Then keep watching: index each saved, added, removed or renamed file (Ctrl-C stops).")
    ] = False,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Index files or folders; unchanged files are not embedded again."""
    settings = load_settings({"index_dir": index_dir, "chroma_url": chroma_url})
    if rebuild:
        remove_index(settings)
    rag = open_rag_with(settings)
    if watch:
        _watch(rag, paths or [])
        return
    report = _ingest(rag, paths)
    if report.skipped:
        raise typer.Exit(EXIT_PARTIAL)


def _watch(rag: Rag, paths: list[Path]) -> None:
    from rag.ingest.watch import watch

    if not paths:
        render.error("name the files or folders to watch: rag ingest --watch PATH...")
        raise typer.Exit(EXIT_USAGE)
    rounds = watch(paths, rag.settings.index_dir, lambda roots, touched: rag.ingest(roots, touched=touched))
    try:
        for n, report in enumerate(rounds):
            render.ingest_report(report)
            if n == 0:
                render.notice(f"Watching {', '.join(str(p) for p in paths)} for changes (Ctrl-C stops).")
    except KeyboardInterrupt:
        render.notice("Stopped watching; the index holds every change saved so far.")


@app.command()
@_handles_errors
def status(json_output: JsonFlag = False, index_dir: IndexDir = None, chroma_url: ChromaUrl = None) -> None:
    """What is indexed, and with which embedder."""
    rag = open_rag(index_dir, chroma_url=chroma_url)
    stats = rag.status()
    if json_output:
        render.as_json(stats)
        return
    render.out.print(
        f"Index {stats['index_dir']}: {stats['documents']} document(s), {stats['chunks']} chunk(s), "
        f"embedder {stats['embedder']}, model {stats['model']}"
    )


@app.command("config")
@_handles_errors
def config_command(json_output: JsonFlag = False) -> None:
    """The settings in effect and where each came from (API keys masked)."""
    resolved = resolve()
    provider, model = models.llm_provider(resolved.settings), models.llm_name(resolved.settings)
    if json_output:
        settings = {name: {"value": value, "source": source} for name, value, source in resolved.rows()}
        render.as_json({"settings": settings, "llm_provider": provider, "model": model})
        return
    render.settings_table(resolved.rows())
    render.out.print(f"Answers come from: {provider} · model {model}")


@app.command()
@_handles_errors
def chat(k: K = None, llm: Llm = None, source: SourceGlobs = None, index_dir: IndexDir = None, chroma_url: ChromaUrl = None) -> None:
    """Ask questions and follow-ups interactively (/help lists the commands; Ctrl-D exits)."""
    from rag.chat import run

    rag = open_rag(index_dir, k, llm, chroma_url)
    ensure_corpus(rag)
    rag.index.scope(source or ())  # a filter matching nothing fails here, not at every question
    run(rag, _ingest, sources=source or ())


@app.command("mcp")
@_handles_errors
def mcp_command(k: K = None, llm: Llm = None, index_dir: IndexDir = None, chroma_url: ChromaUrl = None) -> None:
    """Serve the index to agents (Claude Desktop, IDE assistants) over the Model Context Protocol on stdio."""
    from rag.mcp_server import serve

    rag = open_rag(index_dir, k, llm, chroma_url)
    ensure_corpus(rag)
    serve(rag, lambda session, paths: session.ingest(paths))


@app.command("eval")
@_handles_errors
def eval_command(
    dataset: Annotated[Path, typer.Argument(help="A JSONL file of gold questions, or a folder with corpus/ and questions.jsonl.")],
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Score retrieval only; no model is run.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Evaluate the first N questions.")] = None,
    sample: Annotated[int | None, typer.Option("--sample", min=1, help="Evaluate a random sample of N questions.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --sample.")] = 0,
    repeat: Annotated[
        int, typer.Option("--repeat", min=1, help="Ask every question N times (a model that is not deterministic): gates judge the mean.")
    ] = 1,
    fold: Annotated[
        Fold | None,
        typer.Option("--fold", help="Only the questions of one fold: tune (for setting rules) or check (for gating)."),
    ] = None,
    k: K = None,
    llm: Llm = None,
    source: SourceGlobs = None,
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the JSON report (a .md summary goes beside it).")] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write JUnit XML: a test case per question and per threshold.")] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="An earlier report: print the change of every metric and the questions that flipped.")
    ] = None,
    minimum: Annotated[list[str] | None, typer.Option("--min", help="METRIC=VALUE the run must reach (repeatable).")] = None,
    maximum: Annotated[list[str] | None, typer.Option("--max", help="METRIC=VALUE the run must not exceed (repeatable).")] = None,
    thresholds_file: Annotated[
        Path | None,
        typer.Option("--thresholds", help="Thresholds file, read by dataset name (default: thresholds.toml beside the dataset)."),
    ] = None,
    index_dir: Annotated[
        Path | None, typer.Option("--index-dir", help="The index to ask (for a dataset folder: where to index its corpus).")
    ] = None,
    chroma_url: ChromaUrl = None,
    assignments: Annotated[
        list[str] | None, typer.Option("--set", help="NAME=VALUE: run with one policy value changed (repeatable; `rag config` lists them).")
    ] = None,
) -> None:
    """Score retrieval, answers, citations and abstention on gold questions; fail when a threshold is missed."""
    gold = load(dataset)
    fold_name = fold.value if fold else None
    questions = select(gold.questions, limit, sample, seed, fold_name)
    limits_file = thresholds_file or thresholds.beside(dataset)
    limits = thresholds.for_dataset(gold.name, limits_file, minimum or [], maximum or [], named=thresholds_file is not None)
    if not limits:
        render.notice(f"No thresholds for {gold.name} in {limits_file} and no --min/--max: this run gates nothing.")
    previous = thresholds.load_baseline(baseline) if baseline else None
    settings = load_settings({"index_dir": index_dir, "k": k, "llm": llm, "chroma_url": chroma_url}, assignments=assignments)
    rag = _eval_rag(gold, settings, index_dir)
    sources = source or ()
    rag.index.scope(sources)  # a filter matching nothing fails before the first question
    started = time.perf_counter()
    with render.progress() as bar:
        task = bar.add_task(f"Evaluating {gold.name}", total=len(questions) * repeat)
        runs = [evals.run(rag, questions, settings.k, retrieval_only, lambda _: bar.advance(task), sources) for _ in range(repeat)]
    elapsed = time.perf_counter() - started
    data = reports.report(gold, runs[0], settings.k, retrieval_only, rag, limits, elapsed, fold_name, runs[1:], sources)
    if previous:
        data["flips"] = thresholds.flips(data["questions"], previous)
    render.eval_report(data, thresholds.deltas(data["metrics"], previous.metrics) if previous else {})
    _write_eval_outputs(data, out or settings.index_dir / reports.REPORTS_DIR / f"{gold.name}.json", junit)
    if not data["passed"]:
        raise typer.Exit(EXIT_GATES)


def _write_eval_outputs(data: dict, report_path: Path, junit_path: Path | None) -> None:
    """The JSON report with its Markdown summary, the JUnit XML if asked, and the summary again on
    GitHub Actions' job page ($GITHUB_STEP_SUMMARY)."""
    target = report_path
    try:
        summary = reports.write_report(data, report_path)
        if junit_path:
            target = junit_path
            junit.write(data, junit_path)
        if os.environ.get("GITHUB_STEP_SUMMARY"):
            target = Path(os.environ["GITHUB_STEP_SUMMARY"])
            with target.open("a", encoding="utf-8") as step_summary:
                step_summary.write(summary.read_text(encoding="utf-8") + "\n")
    except OSError as exc:
        render.error(f"cannot write {target}: {exc.strerror}")
        raise typer.Exit(EXIT_FAILURE) from None
    render.notice(f"Report: {report_path} · summary: {summary}" + (f" · JUnit: {junit_path}" if junit_path else ""))


def _eval_rag(gold: Dataset, settings: Settings, index_dir: Path | None) -> Rag:
    """A benchmark folder brings its own corpus, indexed apart (unless --index-dir says where) and
    reused while unchanged."""
    if gold.corpus is None:
        rag = open_rag_with(settings)
        ensure_corpus(rag)
        return rag
    rag = open_rag_with(replace(settings, index_dir=index_dir or evals.index_dir_for(gold.corpus, settings.cache_dir)))
    _ingest(rag, [gold.corpus])
    return rag

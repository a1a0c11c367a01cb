"""Show answers, sources and ingest reports in the terminal. Nothing here decides anything."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from rag.citations import markers
from rag.evals.report import format_metric, policy_line
from rag.evals.thresholds import improved
from rag.ingest.writer import IngestReport
from rag.models.llm import OnToken
from rag.types import Answer, Passage

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


COMPACT_WIDTH = 100  # characters of a passage a compact source line shows


def answer(result: Answer, compact: bool = False) -> None:
    """The answer, then its sources: in full, or (compact, in chat) one line each."""
    out.print(Text(result.text))
    if result.conflicts:
        out.print(Text(conflict_note(result), style="yellow"))
    if result.citations:
        out.print()
        out.print(Text("Sources:", style="bold"))
        for citation in result.citations:
            if compact:
                source_line(citation.n, citation.passage)
            else:
                passage(citation.n, citation.passage)
    if result.removed_sentences:
        err.print(
            Text(
                f"note: dropped {len(result.removed_sentences)} sentence(s) that no passage supports or that do not answer the question",
                style="yellow",
            )
        )


def conflict_note(result: Answer) -> str:
    """ "Passages disagree: [3] says Lee's visit is three days long." """
    said = "; ".join(f"{markers(c.sources)} says {c.text.rstrip('.')}" for c in result.conflicts)
    return f"Passages disagree: {said}."


@contextmanager
def live_draft() -> Iterator[OnToken | None]:
    """On a terminal, the draft streams in dim text and is replaced by the checked answer;
    piped output gets only the checked answer."""
    if not out.is_terminal:
        yield None
        return
    draft = Text(style="dim")
    waiting = Spinner("dots", text=Text("finding passages and reading them…", style="dim"))
    with Live(waiting, console=out, transient=True, refresh_per_second=15) as live:

        def on_text(piece: str) -> None:
            draft.append(piece)
            live.update(draft)

        yield on_text


def stream_event(event: str, **fields) -> None:
    """One NDJSON line, flushed at once so a reader sees it as it happens."""
    sys.stdout.write(json.dumps({"event": event, **fields}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def settings_table(rows: list[tuple[str, str, str]]) -> None:
    table = Table(
        title="rag settings (highest source wins: flag > env > rag.toml > pyproject.toml > user file > default)", title_justify="left"
    )
    for column in ("setting", "value", "source"):
        table.add_column(column)
    for name, value, source in rows:
        table.add_row(name, value, Text(source, style="dim" if source == "default" else "bold"))
    out.print(table)


def source_line(n: int, item: Passage) -> None:
    text = " ".join(item.text.split())
    shown = text if len(text) <= COMPACT_WIDTH else text[: COMPACT_WIDTH - 1].rsplit(" ", 1)[0] + "…"
    out.print(Text.assemble((f"[{n}] ", "bold cyan"), (item.source, "cyan"), f" {_where(item)} ", (shown, "dim")))


def passage(n: int, item: Passage) -> None:
    out.print(Text.assemble((f"[{n}] ", "bold cyan"), (item.source, "cyan"), f" {_where(item)}"))
    for line in item.text.strip().splitlines():
        out.print(Text("    " + line, style="dim"))


def _where(item: Passage) -> str:
    return f"{item.span} § {item.heading}" if item.heading else item.span


def as_json(data: dict) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def ingest_report(report: IngestReport) -> None:
    rate = report.chunks_embedded / report.seconds if report.seconds and report.chunks_embedded else 0.0
    summary = (
        f"Indexed {len(report.indexed)} file(s): {report.chunks_embedded} chunk(s) embedded"
        + (f" in {report.seconds:.1f} s ({rate:.1f} chunks/s)" if report.chunks_embedded else "")
        + f"; {report.unchanged} unchanged; {len(report.removed)} removed; {len(report.skipped)} skipped."
    )
    err.print(Text(summary))
    for item in report.skipped:
        err.print(Text(f"  skipped {item.path}: {item.reason}", style="yellow"))
    for item in report.warnings:
        err.print(Text(f"  warning {item.path}: {item.reason}", style="yellow"))
    for source in report.removed:
        err.print(Text(f"  removed {source}", style="dim"))


def progress(percent: bool = False) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn() if percent else MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def error(message: str) -> None:
    err.print(Text(f"error: {message}", style="bold red"))


def notice(message: str) -> None:
    err.print(Text(message, style="dim"))


# The per-type table shows these when measured, under short headers so it fits 80 columns.
_BY_TYPE_COLUMNS = {
    "questions": "n",
    "hit@1": "hit@1",
    "mrr@10": "mrr@10",
    "all_gold@10": "all@10",
    "accuracy": "acc",
    "token_f1": "f1",
    "citation_support": "cite ok",
}
_FAILURES_SHOWN = 15


def eval_report(data: dict, deltas: dict[str, float]) -> None:
    """The metrics of a `rag eval` run, then thresholds and failing questions."""
    overall = Table(title=f"{data['dataset']} · {data['mode']} · k={data['k']}", title_justify="left")
    spread = data.get("spread") or {}
    overall.add_column("metric")
    overall.add_column(f"mean of {data['runs']} runs" if spread else "value", justify="right")
    if spread:
        overall.add_column("lowest–highest", justify="right")
    if deltas:
        overall.add_column("Δ baseline", justify="right")
    for name, value in data["metrics"].items():
        row = [name, format_metric(value)]
        if spread:
            low_high = spread.get(name)
            row.append(f"{format_metric(low_high['min'])}–{format_metric(low_high['max'])}" if low_high else "")
        if deltas:
            delta = deltas.get(name)
            style = "" if not delta else ("green" if improved(name, delta) else "red")
            row.append(Text("–" if delta is None else f"{delta:+.3f}", style=style))
        overall.add_row(*row)
    out.print(overall)
    out.print(Text(policy_line(data), style="dim"))
    types = data["metrics_by_type"]
    if len(types) > 1:
        columns = [c for c in _BY_TYPE_COLUMNS if c in data["metrics"]]
        renamed = ", ".join(f"{_BY_TYPE_COLUMNS[c]} = {c}" for c in columns if _BY_TYPE_COLUMNS[c] != c)
        table = Table(title="by type", title_justify="left", caption=renamed, caption_justify="left")
        table.add_column("type")
        for column in columns:
            table.add_column(_BY_TYPE_COLUMNS[column], justify="right")
        for kind, metrics in types.items():
            table.add_row(kind, *(format_metric(metrics.get(c)) for c in columns))
        out.print(table)
    _folds(data.get("metrics_by_fold") or {})
    _baselines(data["metrics"], data.get("baselines") or {}, data.get("margins") or {})
    _thresholds(data["thresholds"])
    _flips(data.get("flips") or {})
    _failures([q for q in data["questions"] if q["passed"] is False])


def _folds(folds: dict) -> None:
    """Tune against check: how much of what was tuned holds on questions nobody tuned on."""
    if not folds:
        return
    table = Table(title=f"tune ({folds['tune']['questions']}) vs check ({folds['check']['questions']})", title_justify="left")
    for column in ("metric", "tune", "check", "check − tune"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, gap in folds["gap"].items():
        table.add_row(name, format_metric(folds["tune"][name]), format_metric(folds["check"][name]), f"{gap:+.3f}")
    out.print(table)


def _baselines(metrics: dict, trivial: dict, margins: dict) -> None:
    """The run against answers that need no model: what it is ahead of them by."""
    if not trivial:
        return
    table = Table(title="against trivial baselines", title_justify="left")
    for column in ("metric", "this run", *trivial, "margin"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, margin in margins.items():
        style = "green" if margin > 0 else "red"
        table.add_row(
            name, format_metric(metrics[name]), *(format_metric(t.get(name)) for t in trivial.values()), Text(f"{margin:+.3f}", style=style)
        )
    out.print(table)


def _thresholds(items: list[dict]) -> None:
    for item in items:
        line = f"{item['metric']} {'≥' if item['bound'] == 'min' else '≤'} {item['limit']}: "
        if not item.get("applicable", True):
            out.print(Text(line + "not applicable under --retrieval-only", style="dim"))
        elif item["value"] is None:
            out.print(Text.assemble(line + "no question of this run measures it ", ("MISSED", "bold red")))
        else:
            verdict, style = ("ok", "green") if item["ok"] else ("MISSED", "bold red")
            trivial = item.get("trivial_passes")
            warning = (f" (a trivial baseline passes it too: {', '.join(trivial)})", "yellow") if trivial else ""
            unstable = (" (unstable: the limit lies inside the runs' spread)", "yellow") if item.get("unstable") else ""
            out.print(Text.assemble(line + f"{format_metric(item['value'])} ", (verdict, style), warning, unstable))


def _flips(flips: dict) -> None:
    """The questions whose verdict changed since the baseline, by id."""
    for key, label, style in (("newly_failing", "Newly failing", "bold red"), ("newly_passing", "Newly passing", "green")):
        if flips.get(key):
            out.print(Text.assemble((f"{label} ({len(flips[key])}): ", style), ", ".join(map(str, flips[key]))))


def _failures(failing: list[dict]) -> None:
    if not failing:
        return
    out.print(Text(f"Failing questions ({len(failing)}):", style="bold"))
    for item in failing[:_FAILURES_SHOWN]:
        out.print(Text.assemble(("  ✗ ", "red"), (item["id"], "bold"), f" {item['question']} — {item['reason']}"))
        if "answer" in item:
            out.print(Text(f"      answered: {item['answer']}", style="dim"))
    if len(failing) > _FAILURES_SHOWN:
        out.print(Text(f"  … and {len(failing) - _FAILURES_SHOWN} more in the report", style="dim"))

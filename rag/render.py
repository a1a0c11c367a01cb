"""Show answers, sources and ingest reports in the terminal. Nothing here decides anything."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from rag.index import IngestReport
from rag.types import Answer, Passage

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def answer(result: Answer) -> None:
    out.print(Text(result.text))
    if result.citations:
        out.print()
        out.print(Text("Sources:", style="bold"))
        for citation in result.citations:
            passage(citation.n, citation.passage)
    if result.removed_sentences:
        err.print(Text(f"note: dropped {len(result.removed_sentences)} claim(s) their source does not support", style="yellow"))


def passage(n: int, item: Passage) -> None:
    out.print(Text.assemble((f"[{n}] ", "bold cyan"), (item.source, "cyan"), f" {item.span}"))
    for line in item.text.strip().splitlines():
        out.print(Text("    " + line, style="dim"))


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
    for source in report.removed:
        err.print(Text(f"  removed {source}", style="dim"))


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def error(message: str) -> None:
    err.print(Text(f"error: {message}", style="bold red"))


def notice(message: str) -> None:
    err.print(Text(message, style="dim"))

"""The interactive session: ask, look at sources, quit."""

from __future__ import annotations

from rag import render
from rag.pipeline import Rag
from rag.types import Answer

PROMPT = "rag> "
HELP = "Ask a question, or: /sources (last answer's passages), /help, /quit (or Ctrl-D)."


def run(rag: Rag, read=input) -> None:
    stats = rag.index.stats()
    render.notice(
        f"{stats['documents']} document(s), {stats['chunks']} chunk(s) in {stats['index_dir']} · "
        f"model {rag.llm_name} · /help for commands"
    )
    last: Answer | None = None
    while True:
        try:
            line = read(PROMPT).strip()
        except EOFError:
            render.out.print()
            return
        except KeyboardInterrupt:
            render.out.print()
            continue
        if not line:
            continue
        if line.startswith("/"):
            if _command(line, last):
                return
            continue
        try:
            with render.live_draft() as on_text:
                last = rag.ask(line, on_text=on_text)
        except KeyboardInterrupt:
            render.notice("cancelled")
            continue
        render.answer(last)


def _command(line: str, last: Answer | None) -> bool:
    """Run a slash command; True means leave the session."""
    name = line.split()[0].lower()
    if name in ("/quit", "/exit"):
        return True
    if name == "/help":
        render.notice(HELP)
    elif name == "/sources":
        if last is None or not last.passages:
            render.notice("No answer yet: ask a question first.")
        for n, passage in enumerate(last.passages if last else (), start=1):
            render.passage(n, passage)
    else:
        render.notice(f"Unknown command {name}. {HELP}")
    return False

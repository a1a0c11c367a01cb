"""`rag mcp`: the index as tools for agents, over the Model Context Protocol on stdio.

One `Rag` per server process: the model loads once (in the background, from the start) and
every call goes through the same `Rag.ask`, `Rag.retrieve`, `Rag.status` and `Rag.ingest` as the
command line, so an agent gets the JSON `rag ask --json` prints. The model and the index are
used by one call at a time; calls run on a worker thread, so the server keeps reading
messages (and sends progress) while a long answer is written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from rag.ingest.writer import IngestReport
from rag.pipeline import RECOVERABLE, Rag
from rag.types import search_json

INSTRUCTIONS = """Answers questions about the user's documents, citing the passages each claim comes from
(source file and line or page span). `ask` answers (or abstains when the documents do not say);
`search` returns the passages a question would be answered from, without a model; `sources`
globs (e.g. "notes/*.md") limit either to matching documents; `status` lists what is indexed;
`ingest` indexes more files or folders."""

Result = TypeVar("Result")
PROGRESS_EVERY_S = 0.5  # at most one progress notification this often while an answer is drafted


class Tools:
    """What the tools do, apart from the protocol: each a plain function of the session's `Rag`."""

    def __init__(self, rag: Rag, ingest: Callable[[Rag, list[Path]], IngestReport]) -> None:
        self.rag = rag
        self._ingest = ingest
        self._busy = threading.Lock()  # the model and the index serve one call at a time

    def warm_up(self) -> None:
        """Load the models before the first call needs them; a failure is met, and reported, by that call."""

        def load() -> None:
            with self._busy:
                try:
                    self.rag.warm_up()
                except Exception:  # noqa: BLE001 - the first call meets the same error and reports it
                    pass

        threading.Thread(target=load, name="rag-warm-up", daemon=True).start()

    def ask(self, question: str, k: int | None, sources: list[str], on_text: Callable[[str], None]) -> dict:
        if not question.strip():
            raise ToolError("the question is empty")
        return self._run(lambda: self.rag.ask(question, k, on_text, sources).to_json())

    def search(self, query: str, k: int | None, sources: list[str]) -> dict:
        if not query.strip():
            raise ToolError("the query is empty")
        return self._run(lambda: search_json(query, self.rag.retrieve(query, k, sources)))

    def status(self) -> dict:
        return self._run(self.rag.status)

    def ingest(self, paths: list[str]) -> dict:
        if not paths:
            raise ToolError("name at least one file or folder to index")
        return self._run(lambda: self._ingest(self.rag, [Path(p).expanduser() for p in paths]).to_json())

    def _run(self, work: Callable[[], Result]) -> Result:
        """The user's errors reach the agent as the one line the command line prints."""
        with self._busy:
            try:
                return work()
            except RECOVERABLE as exc:
                raise ToolError(str(exc)) from None


def server(tools: Tools) -> MCPServer:
    app = MCPServer(name="rag", instructions=INSTRUCTIONS, log_level="WARNING")

    @app.tool(description="Answer a question from the indexed documents, with numbered citations (source, span, text) for every claim.")
    async def ask(question: str, ctx: Context, k: int | None = None, sources: list[str] | None = None) -> dict[str, Any]:
        """`k`: passages the model reads; `sources`: globs of the only documents searched."""
        drafted, reported = 0, 0.0

        def on_text(piece: str) -> None:
            nonlocal drafted, reported
            drafted += 1
            if time.monotonic() - reported >= PROGRESS_EVERY_S:  # not a notification a token: that floods the client
                reported = time.monotonic()
                anyio.from_thread.run(ctx.report_progress, drafted, None, "drafting the answer")

        return await anyio.to_thread.run_sync(tools.ask, question, k, sources or [], on_text)

    @app.tool(description="The passages a question would be answered from, best first, with their source, span and score; no model runs.")
    async def search(query: str, k: int | None = None, sources: list[str] | None = None) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(tools.search, query, k, sources or [])

    @app.tool(description="What is indexed (documents, chunks, embedder) and which model answers.")
    async def status() -> dict[str, Any]:
        return await anyio.to_thread.run_sync(tools.status)

    @app.tool(description="Index files or folders (unchanged files are skipped); reports what was indexed, removed and skipped, and why.")
    async def ingest(paths: list[str]) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(tools.ingest, paths)

    return app


def serve(rag: Rag, ingest: Callable[[Rag, list[Path]], IngestReport]) -> None:
    """Serve on stdin and stdout until the client closes them."""
    tools = Tools(rag, ingest)
    tools.warm_up()
    anyio.run(server(tools).run_stdio_async)

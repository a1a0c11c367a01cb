"""The interactive session: questions and follow-ups, slash commands, history kept per index."""

from __future__ import annotations

import contextlib
import shlex
import threading
from collections.abc import Callable
from pathlib import Path

from rag import followup, render
from rag.followup import Turn
from rag.pipeline import RECOVERABLE, Rag, Sources
from rag.types import Answer

PROMPT = "rag> "
MORE = "...> "  # the prompt while a line ending in \ continues
HISTORY_FILE = "chat_history"
HISTORY_LINES = 1000
HELP = """Ask a question; follow-ups ("when does he meet the first one?") are rewritten from the conversation.
End a line with \\ to go on on the next. Ctrl-C cancels an answer; Ctrl-D or /quit leaves.
  /sources      the last answer's passages, in full    /source N   one of them
  /k N          passages per answer                    /reset      forget the conversation
  /json         answers as JSON (toggle)               /ingest PATH  index more files
  /source-filter GLOB...  search only the matching documents (none: all of them)
  /status       the index and the model                /quit"""


class Session:
    def __init__(self, rag: Rag, ingest: Callable[[Rag, list[Path]], object], sources: Sources = ()) -> None:
        self.rag = rag
        self.turns: list[Turn] = []
        self.last: Answer | None = None
        self.as_json = False
        self.k: int | None = None
        self.sources = tuple(sources)  # globs of the only documents searched
        self._ingest = ingest
        self._warming: threading.Thread | None = None

    def warm_up(self) -> None:
        """Load the models in the background while the first question is typed."""
        self._warming = threading.Thread(target=_quietly, args=(self.rag.warm_up,), name="rag-warm-up")
        self._warming.start()

    def ask(self, question: str) -> None:
        # The first question cannot point back, so it never waits for the model here; later
        # ones find it loaded.
        query = followup.standalone(question, self.turns, self.rag.llm, self.rag.settings.policy) if self.turns else question
        if query != question:
            render.notice(f"→ {query}")
        with contextlib.nullcontext() if self.as_json else render.live_draft() as on_text:
            self.finish_warming_up()  # under way since the prompt appeared; usually done by now
            self.last = self.rag.ask(query, self.k, on_text, self.sources)
        if self.as_json:
            render.as_json(self.last.to_json())
        else:
            render.answer(self.last, compact=True)
        self.turns.append(Turn(query, self.last.text))

    def finish_warming_up(self) -> None:
        if self._warming is not None:
            self._warming.join()

    def command(self, line: str) -> bool:
        """Run a slash command; True means leave the session."""
        try:
            name, *args = shlex.split(line)
        except ValueError as exc:  # an unclosed quote
            render.notice(f"Cannot read that command: {exc}")
            return False
        name = name.lower()
        if name in ("/quit", "/exit"):
            return True
        handler = _COMMANDS.get(name)
        if handler is None:
            render.notice(f"Unknown command {name}; /help lists them.")
        else:
            handler(self, args)
        return False

    def _sources(self, args: list[str]) -> None:
        if self.last is None or not self.last.passages:
            render.notice("No answer yet: ask a question first.")
            return
        for n, passage in enumerate(self.last.passages, start=1):
            render.passage(n, passage)

    def _source(self, args: list[str]) -> None:
        shown = self.last.passages if self.last else ()
        if len(args) != 1 or not args[0].isdigit() or not 1 <= int(args[0]) <= len(shown):
            render.notice(
                f"/source N shows passage N of the last answer (1-{len(shown)})" if shown else "No answer yet: ask a question first."
            )
            return
        render.passage(int(args[0]), shown[int(args[0]) - 1])

    def _set_k(self, args: list[str]) -> None:
        if len(args) != 1 or not args[0].isdigit() or int(args[0]) < 1:
            render.notice(f"/k N sets the passages per answer (now {self.k or self.rag.settings.k})")
            return
        self.k = int(args[0])
        render.notice(f"k = {self.k}")

    def _reset(self, args: list[str]) -> None:
        self.turns, self.last = [], None
        render.notice("Conversation forgotten; the next question starts afresh.")

    def _toggle_json(self, args: list[str]) -> None:
        self.as_json = not self.as_json
        render.notice(f"JSON answers {'on' if self.as_json else 'off'}")

    def _ingest_paths(self, args: list[str]) -> None:
        if not args:
            render.notice("/ingest PATH [PATH...] indexes files or folders")
            return
        self.finish_warming_up()  # the background load opens the same index
        self._ingest(self.rag, [Path(a).expanduser() for a in args])

    def _filter_sources(self, args: list[str]) -> None:
        if args:
            self.rag.index.scope(args)  # one that matches nothing is refused, and the filter kept
        self.sources = tuple(args)
        render.notice(f"Searching only {', '.join(self.sources)}" if self.sources else "Searching every document")

    def _status(self, args: list[str]) -> None:
        render.notice(_status_line(self.rag))


_COMMANDS: dict[str, Callable[[Session, list[str]], None]] = {
    "/help": lambda session, args: render.notice(HELP),
    "/sources": Session._sources,
    "/source": Session._source,
    "/k": Session._set_k,
    "/reset": Session._reset,
    "/json": Session._toggle_json,
    "/ingest": Session._ingest_paths,
    "/source-filter": Session._filter_sources,
    "/status": Session._status,
}


def run(rag: Rag, ingest: Callable[[Rag, list[Path]], object], read: Callable[[str], str] = input, sources: Sources = ()) -> None:
    session = Session(rag, ingest, sources)
    render.notice(f"{_status_line(rag)} · /help for commands" + (f" · searching only {', '.join(sources)}" if sources else ""))
    history = _History(rag.settings.index_dir / HISTORY_FILE)
    session.warm_up()
    try:
        while True:
            try:
                line = _read_question(read)
            except EOFError:
                render.out.print()
                return
            except KeyboardInterrupt:
                render.out.print()
                continue
            if not line:
                continue
            history.add(line)
            try:
                if line.startswith("/"):
                    if session.command(line):
                        return
                else:
                    session.ask(line)
            except KeyboardInterrupt:
                render.notice("cancelled")
            except RECOVERABLE as exc:
                render.error(str(exc))
    finally:
        history.save()
        session.finish_warming_up()  # never leave the model half-loaded in a thread at exit


def _quietly(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:  # noqa: BLE001 - the first question meets the same error and reports it
        pass


def _read_question(read: Callable[[str], str]) -> str:
    """One question, over several lines when each but the last ends in a backslash. A paste of
    several lines is one question too: readline (8.1 on) takes a bracketed paste as one line,
    newlines and all, which are spaces here, and so one line in the history."""
    lines = [read(PROMPT)]
    while lines[-1].rstrip().endswith("\\"):
        lines[-1] = lines[-1].rstrip()[:-1]
        lines.append(read(MORE))
    return " ".join(" ".join(lines).split())


def _status_line(rag: Rag) -> str:
    """Read from the index's manifest: no model is loaded to say what is there."""
    held = rag.manifest()
    return f"{len(held.files)} document(s), {held.chunk_count()} chunk(s) in {rag.settings.index_dir} · model {rag.llm_name}"


class _History:
    """Line editing and the up-arrow history, kept per index across sessions (when the
    platform has readline)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            import readline
        except ImportError:
            self._readline = None
            return
        self._readline = readline
        readline.set_auto_history(False)  # a question typed over several lines is one entry
        readline.set_history_length(HISTORY_LINES)
        try:
            readline.read_history_file(path)
        except OSError:
            pass  # no history yet

    def add(self, line: str) -> None:
        if self._readline is not None:
            self._readline.add_history(line)

    def save(self) -> None:
        if self._readline is None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._readline.write_history_file(self._path)
        except OSError as exc:
            render.error(f"cannot save the chat history to {self._path}: {exc.strerror}")

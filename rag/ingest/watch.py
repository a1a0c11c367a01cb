"""`rag ingest --watch`: keep an index in step with folders while files in them are saved, added,
removed or renamed.

Changes are gathered until the folders have been quiet for a moment (an editor's save is several
events), and a changed file is read only once its size and time stop moving and (where the
system shows it: Linux's /proc) no process holds it open for writing: a file still being
written does not reach the index half-written. Editor leftovers (swap, backup and lock files,
hidden files) are never looked at. Each round is an ordinary incremental ingest told which files
changed, so it is as crash-safe as any other, and readers of the index (a chat, the MCP server)
pick the changes up at their next question.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rag.ingest.writer import IngestReport

QUIET_MS = 300  # a round starts once no change came for this long
GROUP_MS = 1600  # ...or once changes have been gathered this long
SETTLE_S = 0.2  # a changed file is read once its size and time held this long
SETTLE_LIMIT_S = 30.0  # a file written for longer than this is read as it is (the next change redoes it)
# Editors' temporary files: emacs's #autosave#, vim's 4913 write test, *.tmp, *.bak, *.orig.
_EDITOR_LEFTOVER = re.compile(r"^#.*#$|^4913$|\.(tmp|bak|orig|part|crdownload)$", re.IGNORECASE)

Ingest = Callable[[list[Path], set[Path] | None], IngestReport]


class WatchedFiles:
    """The changes worth a round: not hidden below a watched folder (as ingest skips them), not
    an editor's leftover, not inside the index."""

    def __init__(self, roots: list[Path], index_dir: Path) -> None:
        from watchfiles import DefaultFilter

        self._default = DefaultFilter()
        self._roots = roots
        self._index_dir = index_dir.resolve()

    def __call__(self, change, path: str) -> bool:
        target = Path(path)
        if _EDITOR_LEFTOVER.search(target.name) or target == self._index_dir or self._index_dir in target.parents:
            return False
        below = [target.relative_to(root).parts for root in self._roots if root in target.parents]
        return not any(part.startswith(".") for parts in below for part in parts) and self._default(change, path)


def watch(roots: list[Path], index_dir: Path, ingest: Ingest, stop: threading.Event | None = None) -> Iterator[IngestReport]:
    """A report per round of changes under `roots`, after a first ingest of all of them; until
    `stop` is set or Ctrl-C (KeyboardInterrupt)."""
    from watchfiles import watch as changes_under

    roots = [root.expanduser().resolve() for root in roots]
    yield ingest(roots, None)
    watching = [root for root in roots if root.exists()]
    if not watching:
        return
    only = WatchedFiles(watching, index_dir)
    for changes in changes_under(*watching, watch_filter=only, debounce=GROUP_MS, step=QUIET_MS, stop_event=stop):
        touched = {Path(path) for _, path in changes}
        settle(touched)
        yield _about(ingest(roots, touched), touched)


def _about(report: IngestReport, touched: set[Path]) -> IngestReport:
    """The round's report on the files that changed: an unreadable file elsewhere in the folder
    was reported in the first round, not again at every save."""
    report.skipped = [item for item in report.skipped if Path(item.path) in touched]
    report.warnings = [item for item in report.warnings if Path(item.path) in touched]
    return report


def settle(paths: set[Path], quiet_s: float = SETTLE_S, limit_s: float = SETTLE_LIMIT_S) -> None:
    """Wait until none of the files at `paths` has changed size or time for `quiet_s`, and none
    is open for writing; `limit_s` at most."""
    deadline = time.monotonic() + limit_s
    seen = _stamps(paths)
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = _stamps(paths)
        if now == seen and not open_for_writing(paths):
            return
        seen = now


def open_for_writing(paths: set[Path]) -> set[Path]:
    """Those of `paths` that a process (one this user may look into) has open for writing, as
    Linux's /proc shows it; none where there is no /proc."""
    wanted = {str(path) for path in paths}
    busy: set[Path] = set()
    for descriptors in Path("/proc").glob("[0-9]*/fd"):
        try:
            entries = list(os.scandir(descriptors))
        except OSError:  # gone, or another user's
            continue
        for entry in entries:
            try:
                target = os.readlink(entry.path)
                if target in wanted and _writable(descriptors.parent / "fdinfo" / entry.name):
                    busy.add(Path(target))
            except OSError:
                continue
    return busy


def _writable(fdinfo: Path) -> bool:
    """Whether the descriptor was opened to write (its `flags:` line, in octal)."""
    for line in fdinfo.read_text().splitlines():
        if line.startswith("flags:"):
            return bool(int(line.split()[1], 8) & (os.O_WRONLY | os.O_RDWR))
    return False


def _stamps(paths: set[Path]) -> dict[Path, tuple[int, int] | None]:
    stamps: dict[Path, tuple[int, int] | None] = {}
    for path in paths:
        try:
            status = path.stat()
            stamps[path] = (status.st_size, status.st_mtime_ns)
        except OSError:
            stamps[path] = None
    return stamps

"""`rag ingest --watch` with real file operations, the real embedder and Chroma: each change reaches
`rag status` and a reader's answers within seconds, and leaves no stale chunk behind."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from commands import RAG, ctrl_c_delivered

from rag.config import Settings
from rag.ingest.watch import WatchedFiles, settle
from rag.pipeline import Rag
from rag.store.keywords import KeywordIndex

PROMPTLY = 20.0  # seconds: a change shows within this, even on a busy two-core machine


def eventually(check, what: str, within: float = PROMPTLY):
    deadline = time.monotonic() + within
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:.0f} s: {what}")
        time.sleep(0.2)


@pytest.fixture
def watched(tmp_path):
    """A folder with one note, watched by `rag ingest --watch`; yields (folder, index folder, the
    watcher's process), and stops the watcher with Ctrl-C at the end."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "quince.txt").write_text("The quince tree by the shed was planted by Ilse Marr in 1994.\n")
    index = tmp_path / "index"
    watcher = subprocess.Popen(
        [*RAG, "ingest", "--watch", str(folder), "--index-dir", str(index)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        preexec_fn=ctrl_c_delivered,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(watcher.stderr), daemon=True)
    reader.start()
    eventually(lambda: any("Watching" in line for line in lines), "the watcher is watching", within=120)
    watcher.log = lines
    yield folder, index, watcher
    if watcher.poll() is None:
        watcher.kill()


def sources(reader: Rag, query: str) -> dict[str, str]:
    return {p.source: p.text for p in reader.retrieve(query, k=4)}


def test_edits_additions_renames_and_removals_reach_a_running_reader_and_leave_no_stale_chunk(watched, tmp_path):
    folder, index, watcher = watched
    # A chat session open all along; its answers quote the best sentence (no model: this tests the index).
    reader = Rag(Settings(index_dir=index, cache_dir=tmp_path / "cache", threads=2, llm="none"))
    assert "Ilse Marr" in reader.ask("Who planted the quince tree?").text

    (folder / "quince.txt").write_text("The quince tree by the shed was planted by Jonas Wirt in 1987.\n")
    eventually(lambda: "Jonas Wirt" in reader.ask("Who planted the quince tree?").text, "the edit")
    assert not any("Ilse Marr" in text for text in sources(reader, "Ilse Marr quince").values())

    (folder / "roof.md").write_text("# Greenhouse\n\nOtto Brandl repaired the greenhouse roof in 2003.\n")
    eventually(lambda: "Otto Brandl" in reader.ask("Who repaired the greenhouse roof?").text, "the new file")

    (folder / "roof.md").rename(folder / "greenhouse.md")
    eventually(lambda: reader.status()["sources"] == ["notes/greenhouse.md", "notes/quince.txt"], "the rename")
    assert {c.passage.source for c in reader.ask("Who repaired the greenhouse roof?").citations} == {"notes/greenhouse.md"}

    for leftover in (".greenhouse.md.swp", "greenhouse.md~", "#greenhouse.md#", "greenhouse.md.tmp"):
        (folder / leftover).write_text("Otto Brandl repaired nothing at all.\n")
    (folder / "quince.txt").unlink()
    eventually(lambda: reader.status()["sources"] == ["notes/greenhouse.md"], "the removal, and no editor leftover")

    status = subprocess.run([*RAG, "status", "--json", "--index-dir", str(index)], capture_output=True, text=True, timeout=120)
    assert json.loads(status.stdout)["sources"] == ["notes/greenhouse.md"]
    assert_no_stale_chunks(index, tmp_path)

    watcher.send_signal(signal.SIGINT)
    assert watcher.wait(timeout=30) == 0
    assert any("Stopped watching" in line for line in watcher.log)


def test_a_file_written_slowly_is_indexed_whole_never_half(watched, tmp_path):
    folder, index, _ = watched
    reader = Rag(Settings(index_dir=index, cache_dir=tmp_path / "cache", threads=2))
    pieces = [f"Day {i}: {i * 7} hives on the north slope." for i in range(10)]  # one chunk
    seen: list[str] = []
    writing = threading.Event()

    def look_while_writing() -> None:
        while writing.is_set():
            seen.extend(p.text for p in reader.retrieve("hives on the north slope", k=4) if p.source == "notes/log.txt")
            time.sleep(0.05)

    writing.set()
    looking = threading.Thread(target=look_while_writing)
    looking.start()
    whole = "\n".join(pieces)
    try:
        with open(folder / "log.txt", "w") as log:
            for piece in pieces:  # 2.5 s of writing, longer than the watcher gathers changes
                log.write(piece + "\n")
                log.flush()
                time.sleep(0.25)
        eventually(lambda: any(whole in text for text in sources(reader, "hives on the north slope").values()), "the whole file")
    finally:
        writing.clear()
        looking.join()
    assert all(whole in text for text in seen), "a reader saw the file half-written"


def assert_no_stale_chunks(index: Path, tmp_path: Path) -> None:
    """Chroma and the keyword index hold exactly the chunks the manifest records."""
    fresh = Rag(Settings(index_dir=index, cache_dir=tmp_path / "cache", threads=2))
    recorded = [chunk for entry in fresh.index.manifest.files.values() for chunk in entry.chunks]
    stored = fresh.index._collection().get(include=[])["ids"]
    assert sorted(stored) == sorted(recorded) and len(set(recorded)) == len(recorded)
    assert sorted(KeywordIndex.load(index / "bm25").ids()) == sorted(recorded)


@pytest.mark.parametrize(
    ("name", "watched"),
    [
        ("notes/plan.md", True),
        ("notes/.plan.md.swp", False),  # vim's swap file
        ("notes/plan.md~", False),  # a backup
        ("notes/#plan.md#", False),  # emacs's autosave
        ("notes/4913", False),  # vim's can-I-write-here probe
        ("notes/plan.md.tmp", False),  # an atomic save's temporary file
        ("notes/.git/index", False),
        ("notes/index/manifest.json", False),  # the index itself, kept inside the folder
    ],
)
def test_editor_leftovers_and_the_index_itself_never_start_a_round(tmp_path, name, watched):
    root = (tmp_path / "notes").resolve()
    only = WatchedFiles([root], tmp_path / "notes" / "index")
    assert only(None, str(tmp_path.resolve() / name)) is watched


def test_a_hidden_folder_can_be_watched_though_hidden_files_below_it_are_not(tmp_path):
    root = (tmp_path / ".notes").resolve()
    only = WatchedFiles([root], tmp_path / "index")
    assert only(None, str(root / "plan.md")) and not only(None, str(root / ".draft.md"))


def test_settling_waits_until_a_file_stops_growing(tmp_path):
    path = tmp_path / "growing.txt"
    path.write_text("")

    def grow() -> None:
        for _ in range(8):
            with open(path, "a") as out:
                out.write("more\n")
            time.sleep(0.1)

    growing = threading.Thread(target=grow)
    growing.start()
    settle({path}, quiet_s=0.3)
    assert path.read_text() == "more\n" * 8
    growing.join()
